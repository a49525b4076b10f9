package dev.srgan.api.jobs;

import dev.srgan.domain.jobs.JobStateMachine;
import dev.srgan.domain.jobs.JobStatus;
import dev.srgan.domain.jobs.JobType;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Finds RUNNING jobs whose worker stopped renewing the lease (it died, or lost the database) and
 * queues them again for another worker, up to their attempt limit; a training job then resumes
 * from its last checkpoint. A job whose cancel was requested is cancelled instead.
 */
@ApplicationScoped
public class LeaseReaper {
    private static final Logger LOG = Logger.getLogger(LeaseReaper.class);

    @Inject
    DataSource dataSource;

    @Inject
    JobStore jobs;

    private record Expired(UUID id, JobType type, int attempts, int maxAttempts, boolean cancelRequested, String workerId) {
    }

    @Scheduled(every = "${srgan.reaper.interval:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void reap() {
        try {
            int n = reapExpired();
            if (n > 0) {
                LOG.infof("re-queued or closed %d job(s) whose worker stopped heartbeating", n);
            }
        } catch (SQLException e) {
            LOG.warnf("lease reaper: %s", e.getMessage());
        }
    }

    /** Handles every expired lease once; returns how many jobs it changed. */
    public int reapExpired() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            List<Expired> expired = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT id, type, attempts, max_attempts, cancel_requested, worker_id FROM jobs
                    WHERE status = 'RUNNING' AND lease_expires_at < now()
                    ORDER BY lease_expires_at LIMIT 100 FOR UPDATE SKIP LOCKED""");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    expired.add(new Expired(rs.getObject(1, UUID.class), JobType.valueOf(rs.getString(2)), rs.getInt(3), rs.getInt(4),
                            rs.getBoolean(5), rs.getString(6)));
                }
            }
            for (Expired job : expired) {
                JobStatus target = job.cancelRequested() ? JobStatus.CANCELLED
                        : job.attempts() >= job.maxAttempts() ? JobStatus.FAILED : JobStatus.QUEUED;
                JobStateMachine.requireAllowed(JobStatus.RUNNING, target);
                String why = "worker " + job.workerId() + " stopped heartbeating";
                try (PreparedStatement ps = c.prepareStatement("""
                        UPDATE jobs SET status = ?, worker_id = NULL, lease_expires_at = NULL, updated_at = now(),
                               finished_at = CASE WHEN ? THEN now() ELSE NULL END, error = ?
                        WHERE id = ?""")) {
                    ps.setString(1, target.name());
                    ps.setBoolean(2, target.isFinal());
                    ps.setString(3, target == JobStatus.FAILED ? why + " on the last of " + job.maxAttempts() + " attempts" : null);
                    ps.setObject(4, job.id());
                    ps.executeUpdate();
                }
                JobStore.event(c, job.id(), target.name(), why + (target == JobStatus.QUEUED ? "; queued again" : ""));
                if (target == JobStatus.QUEUED) {
                    jobs.enqueue(c, job.id(), job.type(), job.attempts() + 1);
                }
            }
            c.commit();
            return expired.size();
        }
    }
}
