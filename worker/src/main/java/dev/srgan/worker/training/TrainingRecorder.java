package dev.srgan.worker.training;

import dev.srgan.networks.checkpoint.Checkpoint;
import dev.srgan.networks.training.LossRecord;
import dev.srgan.networks.training.TrainingListener;
import dev.srgan.networks.training.ValidationRecord;
import dev.srgan.networks.training.ValidationSample;
import dev.srgan.platform.blobs.BlobStore;
import dev.srgan.worker.blobs.InMemoryBytes;
import dev.srgan.worker.jobs.JobContext;
import dev.srgan.worker.jobs.ScratchSpace;
import dev.srgan.worker.ops.WorkerMeters;

import javax.imageio.ImageIO;
import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Writes what a training run reports into PostgreSQL, on the training thread, between steps:
 * loss points in batches (every {@value #BATCH} steps or {@code FLUSH_NANOS}, whichever comes
 * first, so the dashboard's curve stays live without one round trip per step), validation metrics
 * with their sample images, and checkpoints. Every insert is idempotent on its (job, step) key, so
 * a run resumed from a checkpoint can never duplicate a step. A failed write stops the run with an
 * exception: the job is retried and resumes from its last stored checkpoint.
 */
final class TrainingRecorder implements TrainingListener {
    static final int BATCH = 50;
    private static final long FLUSH_NANOS = 2_000_000_000L;
    private static final String LOSS_COLUMNS =
            "(job_id, step, phase, d_loss, g_loss, content_loss, adversarial_loss, d_real, d_fake, lr_g, lr_d, seconds_per_step)";

    private final DataSource dataSource;
    private final BlobStore blobs;
    private final ScratchSpace scratch;
    private final UUID jobId;
    private final int totalSteps;
    private final String contentLoss;
    private final JobContext context;
    private final List<LossRecord> pending = new ArrayList<>();
    private long lastFlush = System.nanoTime();
    private Runnable afterCheckpoint = () -> { };
    private boolean cancelledByUser;
    private boolean stoppedByWorker;

    TrainingRecorder(DataSource dataSource, BlobStore blobs, ScratchSpace scratch, UUID jobId, int totalSteps, String contentLoss,
                     JobContext context) {
        this.dataSource = dataSource;
        this.blobs = blobs;
        this.scratch = scratch;
        this.jobId = jobId;
        this.totalSteps = totalSteps;
        this.contentLoss = contentLoss;
        this.context = context;
    }

    /** Runs after each checkpoint is stored (retention of older checkpoints). */
    void afterCheckpoint(Runnable hook) {
        this.afterCheckpoint = hook;
    }

    /** True when the run stopped because the user cancelled the job. */
    boolean cancelledByUser() {
        return cancelledByUser;
    }

    /** True when the run stopped because this worker is shutting down. */
    boolean stoppedByWorker() {
        return stoppedByWorker;
    }

    @Override
    public void onStep(LossRecord record) {
        pending.add(record);
        WorkerMeters.trainingStep(record);
        context.progress((double) record.step() / totalSteps, "step " + record.step() + " of " + totalSteps);
        if (pending.size() >= BATCH || System.nanoTime() - lastFlush >= FLUSH_NANOS) {
            flush();
        }
    }

    @Override
    public void onValidation(ValidationRecord record) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                int inserted;
                try (PreparedStatement ps = c.prepareStatement("""
                        INSERT INTO validation_metrics (job_id, step, psnr, ssim, bicubic_psnr, bicubic_ssim)
                        VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (job_id, step) DO NOTHING""")) {
                    ps.setObject(1, jobId);
                    ps.setInt(2, (int) record.step());
                    ps.setDouble(3, record.psnr());
                    ps.setDouble(4, record.ssim());
                    ps.setDouble(5, record.bicubicPsnr());
                    ps.setDouble(6, record.bicubicSsim());
                    inserted = ps.executeUpdate();
                }
                if (inserted == 0) {
                    // recorded by an earlier run of this job: keep that one and its samples
                    c.rollback();
                    return;
                }
                List<ValidationSample> samples = record.samples();
                for (int i = 0; i < samples.size(); i++) {
                    InMemoryBytes png = new InMemoryBytes(64 * 1024);
                    ImageIO.write(samples.get(i).generated(), "png", png);
                    BlobStore.Blob blob = blobs.write(c, png.asInputStream(), "image/png", Long.MAX_VALUE);
                    try (PreparedStatement ps = c.prepareStatement("""
                            INSERT INTO sample_images (job_id, step, idx, blob_id) VALUES (?, ?, ?, ?)""")) {
                        ps.setObject(1, jobId);
                        ps.setInt(2, (int) record.step());
                        ps.setInt(3, i);
                        ps.setObject(4, blob.id());
                        ps.executeUpdate();
                    }
                }
                c.commit();
            } catch (SQLException | IOException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("storing the validation of step " + record.step() + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Stores the checkpoint before the run goes on: losses up to its step first, then the zip
     * (through a scratch file, so its bytes are never held twice in the heap) and its row in one
     * transaction. When the stopping run returns, its checkpoint is therefore already safe.
     */
    @Override
    public void onCheckpoint(Checkpoint checkpoint) {
        flush();
        Path file = null;
        try {
            file = scratch.newFile("srgan-checkpoint-", ".zip");
            try (OutputStream out = Files.newOutputStream(file)) {
                checkpoint.write(out);
            }
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                try (InputStream in = Files.newInputStream(file)) {
                    BlobStore.Blob blob = blobs.write(c, in, "application/zip", Long.MAX_VALUE);
                    try (PreparedStatement ps = c.prepareStatement("""
                            INSERT INTO checkpoints (id, job_id, step, blob_id, size_bytes) VALUES (?, ?, ?, ?, ?)
                            ON CONFLICT (job_id, step) DO NOTHING""")) {
                        ps.setObject(1, UUID.randomUUID());
                        ps.setObject(2, jobId);
                        ps.setInt(3, (int) checkpoint.step());
                        ps.setObject(4, blob.id());
                        ps.setLong(5, blob.sizeBytes());
                        if (ps.executeUpdate() == 0) {
                            // this step was checkpointed by an earlier run of the job: keep one blob
                            c.rollback();
                            return;
                        }
                    }
                    c.commit();
                } catch (SQLException | IOException | RuntimeException e) {
                    c.rollback();
                    throw e;
                }
            }
            afterCheckpoint.run();
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("storing the checkpoint of step " + checkpoint.step() + " failed: " + e.getMessage(), e);
        } finally {
            ScratchSpace.delete(file);
        }
    }

    @Override
    public boolean isCancelled() {
        if (context.stopping()) {
            stoppedByWorker = true;
            return true;
        }
        if (context.cancelRequested()) {
            cancelledByUser = true;
            return true;
        }
        return false;
    }

    /** Writes the buffered loss points and the run's current step in one transaction. */
    void flush() {
        lastFlush = System.nanoTime();
        if (pending.isEmpty()) {
            return;
        }
        StringBuilder sql = new StringBuilder("INSERT INTO loss_points ").append(LOSS_COLUMNS).append(" VALUES ");
        for (int i = 0; i < pending.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        }
        sql.append(" ON CONFLICT (job_id, step) DO NOTHING");
        LossRecord last = pending.get(pending.size() - 1);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                    int p = 1;
                    for (LossRecord r : pending) {
                        ps.setObject(p++, jobId);
                        ps.setInt(p++, (int) r.step());
                        ps.setString(p++, r.phase());
                        for (Double v : new Double[] {r.dLoss(), r.gLoss(), r.contentLoss(), r.adversarialLoss(), r.dReal(), r.dFake(), r.lrG(), r.lrD()}) {
                            ps.setObject(p++, v, Types.DOUBLE);
                        }
                        ps.setDouble(p++, r.secondsPerStep());
                    }
                    ps.executeUpdate();
                }
                updateRun(c, last.step());
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("storing the losses up to step " + last.step() + " failed: " + e.getMessage(), e);
        }
        pending.clear();
    }

    void updateRun(Connection c, long step) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE training_runs SET current_step = ?, content_loss = ? WHERE job_id = ?")) {
            ps.setInt(1, (int) step);
            ps.setString(2, contentLoss);
            ps.setObject(3, jobId);
            ps.executeUpdate();
        }
    }
}
