package dev.srgan.worker.workers;

import dev.srgan.platform.jobs.JobLease;
import dev.srgan.platform.jobs.JobTable;
import dev.srgan.worker.config.WorkerConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * The worker's row in the {@code workers} table: written at start, refreshed by a heartbeat, marked
 * stopped at shutdown. The dashboard and {@code GET /api/workers} read it; a worker whose heartbeat
 * stops is shown as stale.
 *
 * <p>The same heartbeat renews the lease of every job this worker runs. The api's reaper queues a
 * RUNNING job again once its lease has expired, so a job runs again elsewhere only when its worker
 * really stopped beating (crashed, frozen, cut off from the database), however long the job takes.
 * A worker that was frozen past its lease learns at its next heartbeat that its attempt lost the
 * job, and stops the attempt (see {@code JobRunner}).
 */
@ApplicationScoped
public class WorkerRegistry {
    private static final Logger LOG = Logger.getLogger(WorkerRegistry.class);

    @Inject
    WorkerConfig config;

    @Inject
    DataSource dataSource;

    @Inject
    WorkerIdentity identity;

    @Inject
    JobTable jobTable;

    private ScheduledExecutorService heartbeat;
    /** Attempts running now, oldest first; with srgan.worker.concurrency > 1 there can be several. */
    private final Map<UUID, Running> runningJobs = Collections.synchronizedMap(new LinkedHashMap<>());

    private record Running(JobLease lease, Runnable onLost) {}

    void onStart(@Observes @Priority(10) StartupEvent event) throws SQLException {
        if (config.lease().compareTo(config.heartbeatInterval().multipliedBy(2)) < 0) {
            LOG.warnf(
                    "srgan.worker.lease (%s) is less than two heartbeats (%s): one late heartbeat lets a running job be taken away",
                    config.lease(), config.heartbeatInterval());
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                     INSERT INTO workers (id, host, pid, device, job_types) VALUES (?, ?, ?, ?, ?)""")) {
            ps.setString(1, identity.id());
            ps.setString(2, identity.host());
            ps.setLong(3, identity.pid());
            ps.setString(4, identity.device());
            ps.setString(5, config.jobTypes().stream().map(Enum::name).collect(Collectors.joining(",")));
            ps.executeUpdate();
        }
        heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "srgan-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long ms = config.heartbeatInterval().toMillis();
        heartbeat.scheduleWithFixedDelay(this::beat, ms, ms, TimeUnit.MILLISECONDS);
        LOG.infof(
                "worker %s registered (device %s, job types %s)", identity.id(), identity.device(), config.jobTypes());
    }

    /**
     * Records that this worker now runs an attempt: its lease is renewed by every heartbeat while
     * the job is RUNNING under the attempt's epoch; once it is not, {@code onLost} runs (on the
     * heartbeat thread) so the attempt stops. The claim has already written the worker's current
     * job, in the claim's own statement.
     */
    public void jobStarted(JobLease lease, Runnable onLost) {
        runningJobs.put(lease.jobId(), new Running(lease, onLost));
    }

    /**
     * Records that {@code jobId} ended on this worker, whatever its outcome: its lease is no longer
     * renewed. {@code writeRow}: also update the worker's row now (when the outcome's transaction
     * did not, e.g. a job queued again).
     */
    public void jobEnded(UUID jobId, boolean writeRow) {
        runningJobs.remove(jobId);
        if (writeRow) {
            beat();
        }
    }

    private synchronized void beat() {
        Running[] jobs;
        synchronized (runningJobs) {
            jobs = runningJobs.values().toArray(Running[]::new);
        }
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps =
                    c.prepareStatement("UPDATE workers SET last_heartbeat = now(), current_job_id = ? WHERE id = ?")) {
                ps.setObject(1, jobs.length == 0 ? null : jobs[0].lease().jobId());
                ps.setString(2, identity.id());
                ps.executeUpdate();
            }
            if (jobs.length > 0) {
                renewLeases(c, jobs);
            }
        } catch (SQLException e) {
            LOG.warnf("heartbeat failed: %s", e.getMessage());
        }
    }

    /**
     * Pushes each attempt's lease forward, but only while the job is still RUNNING under the
     * attempt's epoch: one the reaper already queued again (or another attempt claimed) stays with
     * whoever holds it now, and the attempt that lost it is told to stop.
     */
    private void renewLeases(Connection c, Running[] jobs) throws SQLException {
        List<JobLease> leases = new ArrayList<>();
        for (Running job : jobs) {
            leases.add(job.lease());
        }
        Set<UUID> renewed = jobTable.renewLeases(c, leases, config.lease());
        for (Running job : jobs) {
            // a job that has just ended (its outcome committed, not yet removed here) is not lost
            if (!renewed.contains(job.lease().jobId())
                    && runningJobs.get(job.lease().jobId()) == job) {
                LOG.warnf(
                        "job %s is no longer held by this worker's attempt (epoch %d): its lease expired and it was taken; stopping it",
                        job.lease().jobId(), job.lease().epoch());
                job.onLost().run();
            }
        }
    }

    /**
     * Counts a job this worker finished and clears it as the current job, on the caller's
     * transaction (the one that writes the job's outcome).
     */
    public void jobDone(Connection c, UUID jobId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE workers SET jobs_done = jobs_done + 1, last_heartbeat = now(),
                       current_job_id = CASE WHEN current_job_id = ? THEN NULL ELSE current_job_id END
                WHERE id = ?""")) {
            ps.setObject(1, jobId);
            ps.setString(2, identity.id());
            ps.executeUpdate();
        }
    }

    void onStop(@Observes @Priority(5000) ShutdownEvent event) {
        if (heartbeat != null) {
            heartbeat.shutdownNow();
        }
        update("UPDATE workers SET stopped_at = now(), current_job_id = NULL WHERE id = ?");
    }

    private void update(String sql) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, identity.id());
            ps.executeUpdate();
        } catch (SQLException e) {
            LOG.warnf("worker registry update failed: %s", e.getMessage());
        }
    }
}
