package dev.srgan.worker.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srgan.domain.jobs.JobMessage;
import dev.srgan.domain.jobs.JobStateMachine;
import dev.srgan.domain.jobs.JobStatus;
import dev.srgan.domain.jobs.JobType;
import dev.srgan.platform.KafkaSettings;
import dev.srgan.worker.ops.WorkerMeters;
import dev.srgan.worker.workers.WorkerIdentity;
import dev.srgan.worker.workers.WorkerRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Claims jobs in PostgreSQL and runs them. The claim is one conditional UPDATE (only a QUEUED job
 * becomes RUNNING, for exactly one worker), so a message delivered twice never runs a job twice.
 * Every later state change is guarded by this worker still holding the job.
 */
@ApplicationScoped
public class JobRunner {
    private static final Logger LOG = Logger.getLogger(JobRunner.class);

    @Inject
    DataSource dataSource;

    @Inject
    WorkerIdentity identity;

    @Inject
    WorkerRegistry registry;

    @Inject
    KafkaSettings kafka;

    @Inject
    ObjectMapper json;

    @Inject
    Instance<JobExecutor> executorBeans;

    @Inject
    WorkerMeters meters;

    @ConfigProperty(name = "srgan.worker.lease", defaultValue = "30s")
    Duration lease;

    @ConfigProperty(name = "srgan.worker.retry-backoff", defaultValue = "2s")
    Duration retryBackoff;

    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "srgan-job");
        t.setDaemon(true);
        return t;
    });
    private final Set<CompletableFuture<Void>> running = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;

    /**
     * Claims the job the message points to; empty when it is not QUEUED any more (done, running
     * elsewhere, cancelled). One statement, one commit: the claim, its RUNNING event and this
     * worker's current job.
     */
    public Optional<ClaimedJob> claim(JobMessage message) {
        String sql = """
                WITH claimed AS (
                    UPDATE jobs SET status = 'RUNNING', worker_id = ?, attempts = attempts + 1,
                           lease_expires_at = now() + make_interval(secs => ?), started_at = coalesce(started_at, now()),
                           progress = 0, progress_message = NULL, error = NULL, updated_at = now()
                    WHERE id = ? AND status = 'QUEUED' AND NOT cancel_requested
                    RETURNING id, type, attempts, max_attempts, params::text, input_blob_id, model_id, dataset_id),
                event AS (
                    INSERT INTO job_events (job_id, kind, status, message)
                    SELECT id, 'STATUS', 'RUNNING', 'attempt ' || attempts || ' on ' || ? FROM claimed),
                worker AS (
                    UPDATE workers SET current_job_id = (SELECT id FROM claimed), last_heartbeat = now()
                    WHERE id = ? AND EXISTS (SELECT 1 FROM claimed))
                SELECT * FROM claimed""";
        JobStateMachine.requireAllowed(JobStatus.QUEUED, JobStatus.RUNNING);
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, identity.id());
            ps.setDouble(2, lease.toMillis() / 1000.0);
            ps.setObject(3, message.jobId());
            ps.setString(4, identity.id());
            ps.setString(5, identity.id());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    LOG.debugf("job %s is not queued any more; message skipped", message.jobId());
                    return Optional.empty();
                }
                return Optional.of(new ClaimedJob(rs.getObject(1, UUID.class), JobType.valueOf(rs.getString(2)), rs.getInt(3), rs.getInt(4),
                        rs.getString(5), rs.getObject(6, UUID.class), rs.getObject(7, UUID.class), rs.getObject(8, UUID.class)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("claiming job " + message.jobId() + " failed: " + e.getMessage(), e);
        }
    }

    /** Runs a claimed job on a job thread; {@code whenDone} runs after its final state is written. */
    public CompletableFuture<Void> runAsync(ClaimedJob job, Runnable whenDone) {
        CompletableFuture<Void> future = CompletableFuture.runAsync(() -> {
            try {
                run(job);
            } finally {
                whenDone.run();
            }
        }, pool);
        running.add(future);
        future.whenComplete((v, e) -> running.remove(future));
        return future;
    }

    /**
     * Asks running jobs to stop at their next safe point (a training job checkpoints first; it is
     * then queued again for another worker) and waits for them up to {@code timeout}.
     */
    public void shutdown(Duration timeout) {
        stopping = true;
        try {
            CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warnf("jobs still running after %s at shutdown; their leases will expire and they run again elsewhere", timeout);
        }
    }

    private void run(ClaimedJob job) {
        registry.jobStarted(job.id());
        meters.jobStarted(job);
        boolean recorded = false;
        try {
            JobExecutor executor = executors().get(job.type());
            if (executor == null) {
                recorded = finish(job, JobStatus.FAILED, "this worker has no executor for " + job.type() + " jobs");
                return;
            }
            executor.execute(job, new Context(job.id()));
            recorded = finish(job, JobStatus.SUCCEEDED, null);
        } catch (JobCancelled e) {
            recorded = finish(job, JobStatus.CANCELLED, null);
        } catch (WorkerStopping e) {
            requeue(job, "worker " + identity.id() + " stopped; the job continues on another worker", Duration.ZERO, true);
        } catch (JobFailure e) {
            if (!e.permanent() && job.attempt() < job.maxAttempts()) {
                requeue(job, "attempt " + job.attempt() + " failed: " + e.getMessage(), backoff(job.attempt()), false);
            } else {
                recorded = finish(job, JobStatus.FAILED, e.getMessage());
            }
        } catch (Exception | Error e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            LOG.warnf(e, "job %s attempt %d failed", job.id(), job.attempt());
            if (job.attempt() < job.maxAttempts()) {
                requeue(job, "attempt " + job.attempt() + " failed: " + message, backoff(job.attempt()), false);
            } else {
                recorded = finish(job, JobStatus.FAILED, "failed after " + job.attempt() + " attempts: " + message);
            }
        } finally {
            // a recorded outcome has updated this worker's row in its own transaction
            registry.jobEnded(job.id(), !recorded);
            meters.jobEnded(job);
        }
    }

    private Duration backoff(int attempt) {
        return retryBackoff.multipliedBy(1L << Math.min(attempt - 1, 6));
    }

    private Map<JobType, JobExecutor> executors() {
        Map<JobType, JobExecutor> map = new EnumMap<>(JobType.class);
        executorBeans.forEach(e -> map.put(e.type(), e));
        return map;
    }

    /**
     * Writes the job's outcome, its event and this worker's count in one transaction; returns
     * whether that transaction committed.
     */
    private boolean finish(ClaimedJob job, JobStatus status, String error) {
        JobStateMachine.requireAllowed(JobStatus.RUNNING, status);
        meters.jobFinished(job, status);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE jobs SET status = ?, error = ?, finished_at = now(), lease_expires_at = NULL, updated_at = now(),
                           progress = CASE WHEN ? = 'SUCCEEDED' THEN 1 ELSE progress END
                    WHERE id = ? AND status = 'RUNNING' AND worker_id = ?""")) {
                ps.setString(1, status.name());
                ps.setString(2, error);
                ps.setString(3, status.name());
                ps.setObject(4, job.id());
                ps.setString(5, identity.id());
                if (ps.executeUpdate() == 1) {
                    event(c, job.id(), status.name(), error);
                } else {
                    LOG.warnf("job %s was taken from this worker (lease expired?); its %s outcome is dropped", job.id(), status);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE workers SET jobs_done = jobs_done + 1, last_heartbeat = now(),
                           current_job_id = CASE WHEN current_job_id = ? THEN NULL ELSE current_job_id END
                    WHERE id = ?""")) {
                ps.setObject(1, job.id());
                ps.setString(2, identity.id());
                ps.executeUpdate();
            }
            c.commit();
            return true;
        } catch (SQLException e) {
            LOG.errorf("recording %s for job %s failed: %s (the lease will expire and the job run again)", status, job.id(), e.getMessage());
            return false;
        }
    }

    private void requeue(ClaimedJob job, String reason, Duration delay, boolean refundAttempt) {
        JobStateMachine.requireAllowed(JobStatus.RUNNING, JobStatus.QUEUED);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE jobs SET status = 'QUEUED', worker_id = NULL, lease_expires_at = NULL, updated_at = now(),
                           attempts = attempts - ?, error = ?
                    WHERE id = ? AND status = 'RUNNING' AND worker_id = ?""")) {
                ps.setInt(1, refundAttempt ? 1 : 0);
                ps.setString(2, refundAttempt ? null : reason);
                ps.setObject(3, job.id());
                ps.setString(4, identity.id());
                if (ps.executeUpdate() == 1) {
                    event(c, job.id(), "QUEUED", reason);
                    try (PreparedStatement out = c.prepareStatement("""
                            INSERT INTO outbox (topic, message_key, payload, available_at)
                            VALUES (?, ?, ?, now() + make_interval(secs => ?))""")) {
                        out.setString(1, kafka.topic(job.type()));
                        out.setString(2, job.id().toString());
                        out.setString(3, json.writeValueAsString(new JobMessage(job.id(), job.type(), job.attempt() + 1)));
                        out.setDouble(4, delay.toMillis() / 1000.0);
                        out.executeUpdate();
                    }
                }
            }
            c.commit();
        } catch (Exception e) {
            LOG.errorf("re-queueing job %s failed: %s (the lease will expire and the job run again)", job.id(), e.getMessage());
        }
    }

    static void event(Connection c, UUID jobId, String kind, String message) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO job_events (job_id, kind, status, message) VALUES (?, ?, ?, ?)")) {
            ps.setObject(1, jobId);
            ps.setString(2, kind.startsWith("PROGRESS") ? "PROGRESS" : "STATUS");
            ps.setString(3, kind);
            ps.setString(4, message);
            ps.executeUpdate();
        }
    }

    private final class Context implements JobContext {
        private final UUID jobId;

        Context(UUID jobId) {
            this.jobId = jobId;
        }

        @Override
        public void progress(double fraction, String message) {
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "UPDATE jobs SET progress = ?, progress_message = ?, updated_at = now() WHERE id = ? AND worker_id = ?")) {
                ps.setDouble(1, Math.max(0, Math.min(1, fraction)));
                ps.setString(2, message);
                ps.setObject(3, jobId);
                ps.setString(4, identity.id());
                ps.executeUpdate();
            } catch (SQLException e) {
                LOG.debugf("progress update failed: %s", e.getMessage());
            }
        }

        @Override
        public boolean cancelRequested() {
            try (Connection c = dataSource.getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT cancel_requested FROM jobs WHERE id = ?")) {
                ps.setObject(1, jobId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && rs.getBoolean(1);
                }
            } catch (SQLException e) {
                return false;
            }
        }

        @Override
        public boolean stopping() {
            return stopping;
        }
    }
}
