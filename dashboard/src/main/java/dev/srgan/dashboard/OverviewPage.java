package dev.srgan.dashboard;

import dev.srgan.core.jobs.JobStore;
import dev.srgan.core.jobs.JobView;
import dev.srgan.core.kafka.ConsumerLag;
import dev.srgan.core.storage.StorageUsage;
import dev.srgan.core.workers.WorkerStore;
import dev.srgan.domain.jobs.JobStatus;
import dev.srgan.domain.jobs.JobType;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The dashboard's front page: workers, queue depth and consumer lag per job type, throughput, recent jobs, failures. */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class OverviewPage {
    /** Throughput is averaged over this window. */
    static final Duration THROUGHPUT_WINDOW = Duration.ofMinutes(5);

    @Inject
    JobStore jobs;

    @Inject
    WorkerStore workers;

    @Inject
    ConsumerLag lag;

    @Inject
    StorageUsage storage;

    @CheckedTemplate(basePath = "dashboard")
    static class Templates {
        static native TemplateInstance overview(Overview o, StorageUsage.Summary storage);

        static native TemplateInstance overview$live(Overview o);
    }

    /**
     * One job type's queue: jobs waiting in PostgreSQL and messages not yet consumed from Kafka,
     * and the online workers that take the type (a batch's images are upscales).
     */
    public record QueueRow(
            String type, long queued, long running, long succeeded, long failed, String lag, long workers) {
        /** Jobs wait and no worker online takes them. */
        public boolean stranded() {
            return queued > 0 && workers == 0;
        }
    }

    /** Everything the overview shows. */
    public record Overview(
            long workersOnline,
            long workersStale,
            List<WorkerStore.WorkerView> workers,
            List<QueueRow> queues,
            String jobsPerMinute,
            long totalJobs,
            List<JobView> recent,
            List<JobView> failures) {}

    @GET
    public TemplateInstance overview() throws SQLException {
        return Templates.overview(load(), storage.summary());
    }

    /** The live part of the page, re-rendered when a job or worker changes. */
    @GET
    @Path("overview/live")
    public TemplateInstance live() throws SQLException {
        return Templates.overview$live(load());
    }

    private static long takers(List<WorkerStore.WorkerView> workers, JobType type) {
        return workers.stream()
                .filter(w -> w.state().equals("ONLINE") && w.jobTypes().contains(type.name()))
                .count();
    }

    Overview load() throws SQLException {
        List<WorkerStore.WorkerView> all = workers.list();
        List<WorkerStore.WorkerView> shown =
                all.stream().filter(w -> !w.state().equals("STOPPED")).toList();
        long online = all.stream().filter(w -> w.state().equals("ONLINE")).count();
        long stale = all.stream().filter(w -> w.state().equals("STALE")).count();
        Map<String, Map<String, Long>> counts = jobs.countsByTypeAndStatus();
        Map<JobType, Optional<Long>> lags = lag.lagByType();
        List<QueueRow> queues = new ArrayList<>();
        long total = 0;
        for (JobType type : JobType.values()) {
            Map<String, Long> c = counts.get(type.name());
            total += c.values().stream().mapToLong(Long::longValue).sum();
            queues.add(new QueueRow(
                    type.name(),
                    c.get("QUEUED"),
                    c.get("RUNNING"),
                    c.get("SUCCEEDED"),
                    c.get("FAILED"),
                    lags.getOrDefault(type, Optional.empty())
                            .map(String::valueOf)
                            .orElse(type.isQueued() ? "unknown" : "-"),
                    takers(all, type == JobType.BATCH ? JobType.UPSCALE : type)));
        }
        double perMinute = jobs.finishedWithin(THROUGHPUT_WINDOW) / (double) THROUGHPUT_WINDOW.toMinutes();
        return new Overview(
                online,
                stale,
                shown,
                queues,
                String.format(Locale.ROOT, "%.1f", perMinute),
                total,
                jobs.list(null, null, 0, 8).items(),
                jobs.list(null, JobStatus.FAILED, 0, 5).items());
    }
}
