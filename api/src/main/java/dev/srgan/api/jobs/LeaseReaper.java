package dev.srgan.api.jobs;

import dev.srgan.platform.jobs.JobTable;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import org.jboss.logging.Logger;

/**
 * Finds RUNNING jobs whose worker stopped renewing the lease (it died, or lost the database) and
 * queues them again for another worker, up to their attempt limit; a training job then resumes
 * from its last checkpoint. A job whose cancel was requested is cancelled instead
 * ({@link JobTable#reapExpired}).
 */
@ApplicationScoped
public class LeaseReaper {
    private static final Logger LOG = Logger.getLogger(LeaseReaper.class);

    @Inject
    JobTable jobs;

    @Scheduled(every = "${srgan.reaper.interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
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
        return jobs.reapExpired();
    }
}
