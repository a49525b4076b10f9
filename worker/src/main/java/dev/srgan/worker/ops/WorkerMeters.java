package dev.srgan.worker.ops;

import dev.srgan.domain.jobs.JobStatus;
import dev.srgan.domain.jobs.JobType;
import dev.srgan.networks.training.LossRecord;
import dev.srgan.platform.jobs.ClaimedJob;
import dev.srgan.worker.config.WorkerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The worker's Prometheus metrics (docs/metrics.md): how long each job attempt took and how it
 * ended, how busy the worker is, and how long a training step takes. The job runner reports a
 * job's start, its outcome and its end; everything else is derived here, so the runner carries no
 * metric code of its own.
 *
 * <p>Utilisation is exported twice on purpose: {@code srgan_worker_busy_ratio} is the fraction of
 * job slots busy at the moment of the scrape, and the counter {@code srgan_worker_busy_seconds_total}
 * (busy slot-seconds divided by the slots) gives the true busy fraction over any window with
 * {@code rate()}, which a scrape every 30 s of a gauge cannot for jobs shorter than that.
 */
@ApplicationScoped
public class WorkerMeters {
    static final String JOB_DURATION = "srgan.job.duration";
    static final String TRAINING_STEP = "srgan.training.step";

    @Inject
    WorkerConfig config;

    /** Outcome of an attempt that ended without a final state: retried later, or handed on at shutdown. */
    static final String REQUEUED = "requeued";

    // Job lengths span seconds (an upscale) to hours (a training run): fixed buckets across that range.
    private static final Duration[] DURATION_BUCKETS = {
        Duration.ofSeconds(1),
        Duration.ofSeconds(5),
        Duration.ofSeconds(15),
        Duration.ofMinutes(1),
        Duration.ofMinutes(5),
        Duration.ofMinutes(15),
        Duration.ofHours(1),
        Duration.ofHours(4),
        Duration.ofHours(12)
    };

    @Inject
    MeterRegistry registry;

    private final Map<UUID, Attempt> running = new ConcurrentHashMap<>();
    private long finishedBusyNanos;

    private static final class Attempt {
        final long startNanos = System.nanoTime();
        volatile String outcome = REQUEUED;
    }

    void register(@Observes StartupEvent event) {
        Gauge.builder("srgan.worker.busy.ratio", this, WorkerMeters::busyRatio)
                .description("Fraction of this worker's job slots running a job now")
                .tag("device", config.device())
                .strongReference(true)
                .register(registry);
        FunctionCounter.builder("srgan.worker.busy.seconds", this, WorkerMeters::busySeconds)
                .description("Seconds this worker spent running jobs, per job slot; rate() is the busy fraction")
                .tag("device", config.device())
                .register(registry);
        // present from the first scrape, so a dashboard shows 0 instead of "no data"
        for (JobType type : config.jobTypes()) {
            for (String outcome : List.of("succeeded", "failed", "cancelled", REQUEUED)) {
                jobTimer(type, outcome);
            }
        }
        for (JobType type : config.jobTypes()) {
            fencedWrites(type);
        }
        if (config.jobTypes().contains(JobType.TRAINING)) {
            trainingStepTimer(LossRecord.PRETRAIN);
            trainingStepTimer(LossRecord.GAN);
        }
    }

    /** A job attempt starts running on this worker. */
    public void jobStarted(ClaimedJob job) {
        synchronized (this) {
            running.put(job.id(), new Attempt());
        }
    }

    /** The attempt reached a final state; recorded with the duration when the attempt ends. */
    public void jobFinished(ClaimedJob job, JobStatus status) {
        Attempt attempt = running.get(job.id());
        if (attempt != null) {
            attempt.outcome = status.name().toLowerCase(Locale.ROOT);
        }
    }

    /** The attempt ended, whatever its outcome: its duration is recorded and its slot is free. */
    public void jobEnded(ClaimedJob job) {
        long nanos;
        String outcome;
        // moved from running to finished under the lock, so a scrape never sees the counter dip
        synchronized (this) {
            Attempt attempt = running.remove(job.id());
            if (attempt == null) {
                return;
            }
            nanos = System.nanoTime() - attempt.startNanos;
            outcome = attempt.outcome;
            finishedBusyNanos += nanos;
        }
        jobTimer(job.type(), outcome).record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * A write of an attempt that no longer held its job (its lease expired and the job was taken)
     * was refused by the fence: nothing of it was stored.
     */
    public void fencedWriteRejected(JobType type) {
        fencedWrites(type).increment();
    }

    private Counter fencedWrites(JobType type) {
        return Counter.builder("srgan.fenced.writes.rejected")
                .description(
                        "Writes refused because the attempt making them no longer held its job (lease expired, job taken)")
                .tag("type", type.name())
                .register(registry);
    }

    /**
     * Records one training step. Static because the training loop's listener is created per run,
     * outside CDI; Quarkus registers its Prometheus registry in Micrometer's global registry.
     */
    public static void trainingStep(LossRecord record) {
        trainingStepTimer(record.phase()).record(Math.round(record.secondsPerStep() * 1e9), TimeUnit.NANOSECONDS);
    }

    private static Timer trainingStepTimer(String phase) {
        return Timer.builder(TRAINING_STEP)
                .description("Wall-clock time of one training step (D and G updates in the gan phase)")
                .tag("phase", phase)
                .register(Metrics.globalRegistry);
    }

    private Timer jobTimer(JobType type, String outcome) {
        return Timer.builder(JOB_DURATION)
                .description("Time a job attempt ran on this worker, by job type and outcome")
                .tag("type", type.name())
                .tag("outcome", outcome)
                .serviceLevelObjectives(DURATION_BUCKETS)
                .register(registry);
    }

    double busyRatio() {
        return Math.min(1.0, running.size() / (double) Math.max(1, config.concurrency()));
    }

    synchronized double busySeconds() {
        long now = System.nanoTime();
        long nanos = finishedBusyNanos;
        for (Attempt a : running.values()) {
            nanos += now - a.startNanos;
        }
        return nanos / 1e9 / Math.max(1, config.concurrency());
    }
}
