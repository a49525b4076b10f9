package dev.srgan.api.jobs;

import dev.srgan.core.audit.AuditLog;
import dev.srgan.core.config.ApiConfig;
import dev.srgan.core.errors.ApiException;
import dev.srgan.core.storage.Deletions;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Deletes finished upscales and batches older than {@code srgan.retention.upscales}, each as
 * {@code DELETE /api/jobs/{id}} would, so a cluster that upscales all day does not fill its database
 * with inputs and results nobody downloads any more. Off unless set. With several api replicas each
 * runs it; a job another replica deleted first is skipped.
 */
@ApplicationScoped
public class UpscaleRetention {
    private static final Logger LOG = Logger.getLogger(UpscaleRetention.class);
    /** Jobs deleted per round at most, each in its own transaction. */
    static final int BATCH = 500;

    @Inject
    ApiConfig config;

    @Inject
    DataSource dataSource;

    @Inject
    Deletions deletions;

    @Scheduled(
            every = "${srgan.retention.interval}",
            delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void expire() {
        if (config.retention().upscales().isEmpty()) {
            return;
        }
        try {
            Deletions.Deleted deleted =
                    deleteOlderThan(config.retention().upscales().get());
            if (deleted.jobs() > 0) {
                LOG.infof(
                        "deleted %d finished upscale job(s) older than %s: %d files, %d bytes",
                        deleted.jobs(), config.retention().upscales().get(), deleted.blobs(), deleted.bytes());
            }
        } catch (SQLException e) {
            LOG.warnf("upscale retention: %s", e.getMessage());
        }
    }

    /**
     * Deletes up to {@link #BATCH} finished UPSCALE jobs (not images of a batch: they go with it) and
     * BATCH jobs that finished more than {@code age} ago, oldest first; returns the sum of what went.
     */
    public Deletions.Deleted deleteOlderThan(Duration age) throws SQLException {
        List<UUID> expired = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                        SELECT id FROM jobs
                        WHERE type IN ('UPSCALE', 'BATCH') AND batch_id IS NULL
                          AND status IN ('SUCCEEDED', 'FAILED', 'CANCELLED')
                          AND finished_at < now() - make_interval(secs => ?)
                        ORDER BY finished_at LIMIT ?""")) {
            ps.setDouble(1, age.toMillis() / 1000.0);
            ps.setInt(2, BATCH);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    expired.add(rs.getObject(1, UUID.class));
                }
            }
        }
        int jobs = 0;
        int blobs = 0;
        long bytes = 0;
        for (UUID id : expired) {
            try {
                Deletions.Deleted d = deletions.delete(id, AuditLog.SYSTEM);
                jobs += d.jobs();
                blobs += d.blobs();
                bytes += d.bytes();
            } catch (ApiException e) {
                // deleted by another replica meanwhile, or retried and running again: left as it is
            }
        }
        return new Deletions.Deleted(jobs, blobs, bytes);
    }
}
