package dev.srgan.worker.training;

import dev.srgan.networks.checkpoint.Checkpoint;
import dev.srgan.networks.training.LossRecord;
import dev.srgan.networks.training.TrainingListener;
import dev.srgan.networks.training.ValidationRecord;
import dev.srgan.networks.training.ValidationSample;
import dev.srgan.platform.blobs.BlobStore;
import dev.srgan.platform.jobs.LeaseLost;
import dev.srgan.worker.blobs.InMemoryBytes;
import dev.srgan.worker.jobs.JobContext;
import dev.srgan.worker.jobs.StorageFaults;
import dev.srgan.worker.ops.WorkerMeters;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.imageio.ImageIO;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Writes what a training run reports into PostgreSQL, on the training thread, between steps:
 * loss points in batches (every {@value #BATCH} steps or {@code FLUSH_NANOS}, whichever comes
 * first, so the dashboard's curve stays live without one round trip per step), validation metrics
 * with their sample images, and checkpoints. Every insert is idempotent on its (job, step) key, so
 * a run resumed from a checkpoint can never duplicate a step, and a write whose commit was lost
 * with its connection can simply be written again.
 *
 * <p>Every write is fenced: it applies only while this attempt still holds the job (see
 * {@link JobContext#fence}), checked in its own transaction; an attempt that lost its job gets a
 * {@link LeaseLost} from the first write it tries, or from {@link #isCancelled} once the worker
 * knows, and stops without writing anything more.
 *
 * <p>Each write is one transaction: when it fails nothing of it is kept (no checkpoint row
 * without its blob, no half-written blob). A transient fault (a lost connection, a server restart,
 * a serialization conflict) is tried again in place, up to {@value #TRIES} times with a growing
 * pause; any other fault, or one that outlasts the tries, stops the run with a
 * {@link RecordingFailed} that says in words what happened. The job's next attempt then resumes
 * from the last checkpoint stored, which nothing here has touched: retention only reduces older
 * checkpoints after a newer one is committed.
 */
final class TrainingRecorder implements TrainingListener {
    private static final Logger LOG = Logger.getLogger(TrainingRecorder.class);
    static final int BATCH = 50;
    /** How many times one write is tried when its faults are transient. */
    static final int TRIES = 4;

    private static final long FIRST_PAUSE_MILLIS = 250;
    private static final long FLUSH_NANOS = 2_000_000_000L;
    private static final String LOSS_COLUMNS =
            "(job_id, step, phase, d_loss, g_loss, content_loss, adversarial_loss, d_real, d_fake, lr_g, lr_d, seconds_per_step)";

    /** One write on a connection in a transaction; returns false to roll it back instead of committing. */
    @FunctionalInterface
    private interface Write {
        boolean run(Connection c) throws SQLException, IOException;
    }

    private final DataSource dataSource;
    private final BlobStore blobs;
    private final UUID jobId;
    private final int totalSteps;
    private final String contentLoss;
    private final JobContext context;
    private final List<LossRecord> pending = new ArrayList<>();
    private long lastFlush = System.nanoTime();
    private long lastCheckpointStep;
    private Runnable afterCheckpoint = () -> {};
    private boolean cancelledByUser;
    private boolean stoppedByWorker;

    /**
     * @param storedCheckpointStep the step of the newest checkpoint the job already has (the one
     *                             this run resumes from), -1 when it has none
     */
    TrainingRecorder(
            DataSource dataSource,
            BlobStore blobs,
            UUID jobId,
            int totalSteps,
            String contentLoss,
            JobContext context,
            long storedCheckpointStep) {
        this.dataSource = dataSource;
        this.blobs = blobs;
        this.jobId = jobId;
        this.totalSteps = totalSteps;
        this.contentLoss = contentLoss;
        this.context = context;
        this.lastCheckpointStep = storedCheckpointStep;
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

    /** The step of the newest checkpoint stored for the job, -1 when there is none. */
    long lastCheckpointStep() {
        return lastCheckpointStep;
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
        List<InMemoryBytes> pngs = new ArrayList<>();
        for (ValidationSample sample : record.samples()) {
            InMemoryBytes png = new InMemoryBytes(64 * 1024);
            try {
                ImageIO.write(sample.generated(), "png", png);
            } catch (IOException e) {
                throw new IllegalStateException(
                        "encoding a validation sample of step " + record.step() + " failed: " + e.getMessage(), e);
            }
            pngs.add(png);
        }
        inTransaction("the validation at step " + record.step(), c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO validation_metrics (job_id, step, psnr, ssim, bicubic_psnr, bicubic_ssim, niqe, bicubic_niqe)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (job_id, step) DO NOTHING""")) {
                ps.setObject(1, jobId);
                ps.setInt(2, (int) record.step());
                ps.setDouble(3, record.psnr());
                ps.setDouble(4, record.ssim());
                ps.setDouble(5, record.bicubicPsnr());
                ps.setDouble(6, record.bicubicSsim());
                ps.setObject(7, record.niqe(), Types.DOUBLE);
                ps.setObject(8, record.bicubicNiqe(), Types.DOUBLE);
                if (ps.executeUpdate() == 0) {
                    // recorded by an earlier run of this job: keep that one and its samples
                    return false;
                }
            }
            for (int i = 0; i < pngs.size(); i++) {
                BlobStore.Blob blob = blobs.write(c, pngs.get(i).asInputStream(), "image/png", Long.MAX_VALUE);
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO sample_images (job_id, step, idx, blob_id) VALUES (?, ?, ?, ?)")) {
                    ps.setObject(1, jobId);
                    ps.setInt(2, (int) record.step());
                    ps.setInt(3, i);
                    ps.setObject(4, blob.id());
                    ps.executeUpdate();
                }
            }
            return true;
        });
    }

    /**
     * Stores the checkpoint before the run goes on: losses up to its step first, then the zip,
     * streamed straight into its blob (no scratch file to fill a disk, never whole twice in the
     * heap), and its row, in one transaction. When the stopping run returns, its checkpoint is
     * therefore already safe; when this throws, the job's checkpoints are as they were.
     */
    @Override
    public void onCheckpoint(Checkpoint checkpoint) {
        flush();
        boolean stored = inTransaction("the checkpoint at step " + checkpoint.step(), c -> {
            BlobStore.Blob blob = blobs.write(c, "application/zip", Long.MAX_VALUE, checkpoint::write);
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO checkpoints (id, job_id, step, blob_id, size_bytes) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (job_id, step) DO NOTHING""")) {
                ps.setObject(1, UUID.randomUUID());
                ps.setObject(2, jobId);
                ps.setInt(3, (int) checkpoint.step());
                ps.setObject(4, blob.id());
                ps.setLong(5, blob.sizeBytes());
                // zero rows: this step was checkpointed by an earlier run (or by a try whose
                // commit reply was lost): keep that one blob
                return ps.executeUpdate() == 1;
            }
        });
        lastCheckpointStep = checkpoint.step();
        if (stored) {
            afterCheckpoint.run();
        }
    }

    @Override
    public boolean isCancelled() {
        if (context.leaseLost()) {
            // the job was taken from this attempt: stop now, without the checkpoint a cancel stores
            throw new LeaseLost(context.lease(), "the next training step");
        }
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
        StringBuilder sql = new StringBuilder("INSERT INTO loss_points ")
                .append(LOSS_COLUMNS)
                .append(" VALUES ");
        for (int i = 0; i < pending.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        }
        sql.append(" ON CONFLICT (job_id, step) DO NOTHING");
        LossRecord last = pending.get(pending.size() - 1);
        inTransaction("the losses up to step " + last.step(), c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                int p = 1;
                for (LossRecord r : pending) {
                    ps.setObject(p++, jobId);
                    ps.setInt(p++, (int) r.step());
                    ps.setString(p++, r.phase());
                    for (Double v : new Double[] {
                        r.dLoss(),
                        r.gLoss(),
                        r.contentLoss(),
                        r.adversarialLoss(),
                        r.dReal(),
                        r.dFake(),
                        r.lrG(),
                        r.lrD()
                    }) {
                        ps.setObject(p++, v, Types.DOUBLE);
                    }
                    ps.setDouble(p++, r.secondsPerStep());
                }
                ps.executeUpdate();
            }
            updateRun(c, last.step());
            return true;
        });
        pending.clear();
    }

    /** Records that the run starts (or resumes) at {@code step}, fenced like every other write. */
    void start(long step) {
        inTransaction("the run's start at step " + step, c -> {
            updateRun(c, step);
            return true;
        });
    }

    void updateRun(Connection c, long step) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("UPDATE training_runs SET current_step = ?, content_loss = ? WHERE job_id = ?")) {
            ps.setInt(1, (int) step);
            ps.setString(2, contentLoss);
            ps.setObject(3, jobId);
            ps.executeUpdate();
        }
    }

    /**
     * Runs {@code write} in a transaction of its own on a fresh connection, again after a pause
     * (250 ms, then twice as long each time) while its faults are transient.
     *
     * @return what {@code write} returned: true when it committed
     * @throws RecordingFailed when it cannot be stored; nothing of it was kept
     */
    private boolean inTransaction(String what, Write write) {
        for (int attempt = 1; ; attempt++) {
            try {
                try (Connection c = dataSource.getConnection()) {
                    c.setAutoCommit(false);
                    try {
                        // fenced: applies only while this attempt still holds the job (LeaseLost otherwise)
                        context.fence(c, what);
                        boolean commit = write.run(c);
                        if (commit) {
                            c.commit();
                        } else {
                            c.rollback();
                        }
                        return commit;
                    } catch (SQLException | IOException | RuntimeException e) {
                        rollback(c, e);
                        throw e;
                    }
                }
            } catch (SQLException | IOException e) {
                if (attempt >= TRIES || !StorageFaults.isTransient(e)) {
                    throw new RecordingFailed(what, lastCheckpointStep, e);
                }
                long pause = FIRST_PAUSE_MILLIS << (attempt - 1);
                LOG.warnf(
                        "job %s: %s could not be saved (try %d of %d): %s; trying again in %d ms",
                        jobId, what, attempt, TRIES, StorageFaults.describe(e), pause);
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new RecordingFailed(what, lastCheckpointStep, e);
                }
            }
        }
    }

    /** Rolls back after {@code cause}; a connection that is gone already cannot, and must not hide why. */
    private static void rollback(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
