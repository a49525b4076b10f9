package dev.srgan.worker.training;

import dev.srgan.networks.checkpoint.Checkpoint;
import dev.srgan.platform.blobs.BlobStore;
import dev.srgan.platform.jobs.LeaseLost;
import dev.srgan.worker.blobs.BlobInputStream;
import dev.srgan.worker.config.WorkerConfig;
import dev.srgan.worker.jobs.JobContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Keeps a training run's checkpoints from filling the database. A full checkpoint carries the
 * discriminator and both optimizers' state (about 80 MB at the default size, most of it D's Adam
 * moments), which only resuming needs, and resuming only ever uses the newest. So the newest
 * {@code srgan.worker.full-checkpoints} stay full; older ones are replaced by their exported
 * generator ({@link Checkpoint#generatorOnly()}, about 5 MB): still downloadable, still usable as
 * an upscale model (a model registered from one follows it to the smaller file). It runs only
 * after a newer checkpoint has committed, so a checkpoint that fails to be written never costs the
 * ones before it their full state.
 */
@ApplicationScoped
public class CheckpointRetention {
    private static final Logger LOG = Logger.getLogger(CheckpointRetention.class);

    @Inject
    WorkerConfig config;

    /** Content type of a checkpoint reduced to its generator. */
    public static final String MODEL_ONLY = "application/vnd.srgan.model+zip";

    @Inject
    DataSource dataSource;

    @Inject
    BlobStore blobs;

    private record Stored(UUID id, long step, UUID blobId) {}

    /**
     * Reduces every full checkpoint of the job but the newest ones, fenced by the attempt's lease
     * ({@code context}); failures are logged, never thrown, and an attempt that lost its job stops
     * here without touching anything.
     */
    public void compact(UUID jobId, JobContext context) {
        List<Stored> older = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                SELECT k.id, k.step, k.blob_id FROM checkpoints k JOIN blobs b ON b.id = k.blob_id
                WHERE k.job_id = ? AND b.content_type <> ? ORDER BY k.step DESC OFFSET ?""")) {
            ps.setObject(1, jobId);
            ps.setString(2, MODEL_ONLY);
            ps.setInt(3, Math.max(1, config.fullCheckpoints()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    older.add(new Stored(rs.getObject(1, UUID.class), rs.getLong(2), rs.getObject(3, UUID.class)));
                }
            }
        } catch (Exception e) {
            LOG.warnf("checkpoint retention for job %s skipped: %s", jobId, e.getMessage());
            return;
        }
        for (Stored s : older) {
            try {
                reduce(s, context);
            } catch (LeaseLost e) {
                return;
            } catch (Exception e) {
                LOG.warnf("could not reduce the checkpoint of step %d of job %s: %s", s.step(), jobId, e.getMessage());
            }
        }
    }

    /**
     * Replaces the checkpoint's blob by its generator alone, in one transaction: until it commits
     * the full checkpoint is untouched, and when it fails nothing of the smaller one is kept.
     */
    private void reduce(Stored s, JobContext context) throws Exception {
        Checkpoint generator;
        try (InputStream in = BlobInputStream.open(dataSource, s.blobId())) {
            generator = Checkpoint.read(in).generatorOnly();
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                context.fence(c, "reducing the checkpoint of step " + s.step());
                BlobStore.Blob blob = blobs.write(c, MODEL_ONLY, Long.MAX_VALUE, generator::write);
                try (PreparedStatement ck = c.prepareStatement(
                                "UPDATE checkpoints SET blob_id = ?, size_bytes = ? WHERE id = ? AND blob_id = ?");
                        PreparedStatement models =
                                c.prepareStatement("UPDATE models SET blob_id = ? WHERE blob_id = ?")) {
                    ck.setObject(1, blob.id());
                    ck.setLong(2, blob.sizeBytes());
                    ck.setObject(3, s.id());
                    ck.setObject(4, s.blobId());
                    if (ck.executeUpdate() == 0) {
                        c.rollback();
                        return;
                    }
                    models.setObject(1, blob.id());
                    models.setObject(2, s.blobId());
                    models.executeUpdate();
                }
                if (!blobs.deleteIfUnread(c, s.blobId())) {
                    // someone downloads or resumes from it right now: leave it full, reduce it next time
                    c.rollback();
                    return;
                }
                c.commit();
            } catch (Exception e) {
                try {
                    c.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            }
        }
    }
}
