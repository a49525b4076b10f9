package dev.srgan.worker.training;

import dev.srgan.domain.images.ImageFormat;
import dev.srgan.domain.jobs.BaseModel;
import dev.srgan.domain.jobs.JobType;
import dev.srgan.networks.checkpoint.Checkpoint;
import dev.srgan.networks.image.Images;
import dev.srgan.networks.training.TrainingConfig;
import dev.srgan.networks.training.TrainingResult;
import dev.srgan.networks.training.TrainingRun;
import dev.srgan.platform.blobs.BlobStore;
import dev.srgan.platform.jobs.ClaimedJob;
import dev.srgan.worker.blobs.BlobInputStream;
import dev.srgan.worker.jobs.JobCancelled;
import dev.srgan.worker.jobs.JobContext;
import dev.srgan.worker.jobs.JobExecutor;
import dev.srgan.worker.jobs.JobFailure;
import dev.srgan.worker.jobs.JobInputs;
import dev.srgan.worker.jobs.ScratchSpace;
import dev.srgan.worker.jobs.StorageFaults;
import dev.srgan.worker.jobs.ThrottledContext;
import dev.srgan.worker.jobs.WorkerStopping;
import dev.srgan.worker.upscale.ModelCache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Runs TRAINING jobs: unpacks the dataset, then trains from scratch (or from the generator of the
 * model the run was submitted with, fine-tuning), or, when the job already has
 * checkpoints (it ran before on a worker that died or stopped), resumes from the newest one after
 * removing what that earlier run recorded past it. Losses, validations and checkpoints go to the
 * database as they come ({@link TrainingRecorder}); a cancel or a worker shutdown stops the run
 * after a step, with a checkpoint stored first. When something cannot be stored (a full database
 * disk, a lost connection past the recorder's retries), the attempt ends with a message that says
 * what was lost, why, and where the next attempt resumes.
 */
@ApplicationScoped
public class TrainingExecutor implements JobExecutor {
    private static final Logger LOG = Logger.getLogger(TrainingExecutor.class);

    /** DJL's gradient collector is global to the process: two runs at once would mix their gradients. */
    private static final ReentrantLock ONE_RUN_PER_PROCESS = new ReentrantLock();

    @Inject
    DataSource dataSource;

    @Inject
    BlobStore blobs;

    @Inject
    ScratchSpace scratch;

    @Inject
    JobInputs inputs;

    @Inject
    CheckpointRetention retention;

    /** Bounds the disk an unpacked dataset may take (the api bounds the upload itself). */
    private record StoredCheckpoint(long step, UUID blobId) {}

    @Override
    public JobType type() {
        return JobType.TRAINING;
    }

    @Override
    public void execute(ClaimedJob job, JobContext context) throws Exception {
        JobContext ctx = new ThrottledContext(context, Duration.ofMillis(250), Duration.ofSeconds(1));
        TrainingConfig config;
        try {
            config = TrainingConfig.fromJson(job.paramsJson());
        } catch (IllegalArgumentException e) {
            throw JobFailure.permanent("the training config is invalid: " + e.getMessage());
        }
        ctx.progress(0, "waiting for the worker's training slot");
        ONE_RUN_PER_PROCESS.lockInterruptibly();
        Path dir = null;
        try {
            dir = scratch.newDirectory("srgan-training-");
            ctx.progress(0, "unpacking the dataset");
            List<DatasetArchive.Image> images = unpack(job.datasetId(), dir);
            Optional<UUID> validationDataset = validationDataset(job);
            DatasetArchive.Split split = validationDataset.isEmpty()
                    ? DatasetArchive.split(images)
                    : new DatasetArchive.Split(
                            images, unpack(validationDataset.get(), Files.createDirectory(dir.resolve("validation"))));
            List<BufferedImage> training = decode(split.training());
            requireCropFits(split.training(), training, config.hrCropSize());
            List<BufferedImage> validation = decode(split.validation());

            Optional<StoredCheckpoint> stored = latestCheckpoint(job.id());
            Checkpoint checkpoint = stored.isPresent() ? readCheckpoint(stored.get()) : null;
            forgetAfter(job.id(), checkpoint == null ? -1 : checkpoint.step(), ctx);
            TrainingRun.Builder builder;
            if (checkpoint != null) {
                builder = resume(checkpoint, config);
            } else {
                builder = TrainingRun.builder(config);
                Optional<Checkpoint> base = baseModel(job, config, ctx);
                if (base.isPresent()) {
                    builder.initialGenerator(base.get());
                }
            }
            try (TrainingRun run = build(builder, training, validation)) {
                checkpoint = null; // the run holds its own copy of the state: let the bytes go
                int total = run.config().totalSteps();
                if (run.currentStep() > 0) {
                    LOG.infof("job %s resumes at step %d of %d", job.id(), run.currentStep(), total);
                }
                TrainingRecorder recorder = new TrainingRecorder(
                        dataSource,
                        blobs,
                        job.id(),
                        total,
                        run.contentLoss(),
                        ctx,
                        stored.map(StoredCheckpoint::step).orElse(-1L));
                recorder.afterCheckpoint(() -> retention.compact(job.id(), ctx));
                recorder.start(run.currentStep());
                ctx.progress((double) run.currentStep() / total, "step " + run.currentStep() + " of " + total);
                TrainingResult result;
                try {
                    result = run.run(recorder);
                    recorder.flush();
                } catch (RecordingFailed e) {
                    LOG.warnf("job %s attempt %d: %s", job.id(), job.attempt(), e.getMessage());
                    if (recorder.cancelledByUser()) {
                        // the run was storing its last checkpoint on the way out: the cancel still
                        // stands (queued again, a cancelled job would never be claimed)
                        throw new JobCancelled();
                    }
                    throw new JobFailure(e.getMessage() + "; " + whatNext(job, e.lastCheckpointStep()), false, e);
                }
                if (result.cancelled()) {
                    // the run stored its checkpoint through the recorder before returning
                    if (recorder.cancelledByUser()) {
                        throw new JobCancelled();
                    }
                    throw new WorkerStopping();
                }
            }
        } finally {
            ONE_RUN_PER_PROCESS.unlock();
            ScratchSpace.delete(dir);
        }
    }

    /**
     * The model a fresh run starts from (fine-tuning), read from its stored file; empty for a run
     * from random weights. The api checked the model at submission; this fails the run for good,
     * in words, when the model has been deleted since, or does not fit the run.
     */
    private Optional<Checkpoint> baseModel(ClaimedJob job, TrainingConfig config, JobContext ctx)
            throws SQLException, IOException, JobFailure {
        String name;
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("SELECT base_model_name FROM training_runs WHERE job_id = ?")) {
            ps.setObject(1, job.id());
            try (ResultSet rs = ps.executeQuery()) {
                name = rs.next() ? rs.getString(1) : null;
            }
        }
        if (name == null) {
            return Optional.empty();
        }
        if (job.modelId() == null) {
            throw JobFailure.permanent(BaseModel.deleted(name));
        }
        ModelCache.Model model = inputs.model(job.modelId());
        if (!model.format().equals("CHECKPOINT")) {
            throw JobFailure.permanent("model '" + name + "' is a " + model.format()
                    + " file; a training run can start only from a model in the SRGAN checkpoint format");
        }
        ctx.progress(0, "loading model '" + name + "' to start from");
        Checkpoint base;
        try (InputStream in = BlobInputStream.open(dataSource, model.blobId())) {
            base = Checkpoint.read(in);
        } catch (IOException e) {
            if (e.getCause() instanceof SQLException) {
                throw e;
            }
            throw JobFailure.permanent(
                    "model '" + name + "', which the run starts from, cannot be read: " + e.getMessage());
        }
        TrainingConfig trained = base.config();
        if (trained.scale() != config.scale() || trained.residualBlocks() > config.residualBlocks()) {
            throw JobFailure.permanent("model '" + name + "' (" + trained.scale() + "x, " + trained.residualBlocks()
                    + " residual blocks) does not fit the run (" + config.scale() + "x, " + config.residualBlocks()
                    + " residual blocks): a run starts from a model of its scale with at most its residual blocks");
        }
        LOG.infof("job %s starts from model %s (%s)", job.id(), job.modelId(), name);
        return Optional.of(base);
    }

    /**
     * Continues from the checkpoint under the job's config: the checkpoint's own, or an extension
     * with more steps ({@code POST /api/jobs/{id}/extend}).
     */
    private static TrainingRun.Builder resume(Checkpoint checkpoint, TrainingConfig config) throws JobFailure {
        try {
            return TrainingRun.resume(checkpoint, config);
        } catch (IllegalArgumentException e) {
            throw JobFailure.permanent("the run cannot continue from its checkpoint: " + e.getMessage());
        }
    }

    /**
     * What the user may expect after a failed attempt: when attempts are left, the next one
     * resumes from the newest stored checkpoint (the runner queues it again); after the last one
     * the job fails, and its checkpoints stay downloadable.
     */
    private static String whatNext(ClaimedJob job, long lastCheckpointStep) {
        if (job.attempt() < job.maxAttempts()) {
            return lastCheckpointStep >= 0
                    ? "the run resumes from the checkpoint at step " + lastCheckpointStep
                    : "the run starts again from step 0 (no checkpoint was stored yet)";
        }
        return "that was the last of " + job.maxAttempts() + " attempts"
                + (lastCheckpointStep >= 0 ? "; the checkpoints up to step " + lastCheckpointStep + " are kept" : "");
    }

    /**
     * The dataset the run validates on instead of the held-out tenth of its own
     * ({@code validationDatasetId}); empty for none. A run whose validation dataset has been deleted
     * since fails for good, in words.
     */
    private Optional<UUID> validationDataset(ClaimedJob job) throws SQLException, JobFailure {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT validation_dataset_id, validation_dataset_name FROM training_runs WHERE job_id = ?")) {
            ps.setObject(1, job.id());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getString(2) == null) {
                    return Optional.empty();
                }
                UUID id = rs.getObject(1, UUID.class);
                if (id == null) {
                    throw JobFailure.permanent(
                            "the run's validation dataset '" + rs.getString(2) + "' has been deleted");
                }
                return Optional.of(id);
            }
        }
    }

    /** Unpacks a dataset to the scratch folder; a full local disk is said in words, and worth another attempt. */
    private List<DatasetArchive.Image> unpack(UUID datasetId, Path dir) throws SQLException, IOException, JobFailure {
        try {
            return inputs.unpackDataset(datasetId, dir);
        } catch (IOException e) {
            if (StorageFaults.isLocalDiskFull(e)) {
                throw new JobFailure(
                        "the dataset could not be unpacked on this worker: " + StorageFaults.describe(e), false, e);
            }
            throw e;
        }
    }

    private static TrainingRun build(
            TrainingRun.Builder builder, List<BufferedImage> training, List<BufferedImage> validation)
            throws IOException, JobFailure {
        try {
            return builder.trainingImages(training).validationImages(validation).build();
        } catch (IllegalArgumentException e) {
            // images smaller than the crop, or too small to validate on: the same on every retry
            throw JobFailure.permanent("the dataset cannot be used with this config: " + e.getMessage());
        }
    }

    /**
     * Fails the run for good, naming the image, when a training image is smaller than the crops cut
     * from it. The api refuses such runs at submission; this covers datasets stored before it
     * measured their images.
     */
    private static void requireCropFits(List<DatasetArchive.Image> names, List<BufferedImage> images, int crop)
            throws JobFailure {
        for (int i = 0; i < images.size(); i++) {
            BufferedImage image = images.get(i);
            if (image.getWidth() < crop || image.getHeight() < crop) {
                throw JobFailure.permanent("the dataset image '" + names.get(i).name() + "' is " + image.getWidth()
                        + "x" + image.getHeight() + ", smaller than hrCropSize " + crop
                        + "; train with a smaller hrCropSize or without that image");
            }
        }
    }

    private static List<BufferedImage> decode(List<DatasetArchive.Image> images) throws JobFailure {
        List<BufferedImage> decoded = new ArrayList<>(images.size());
        for (DatasetArchive.Image image : images) {
            try {
                decoded.add(Images.read(image.file()));
            } catch (IOException e) {
                throw JobFailure.permanent(
                        "the dataset image '" + image.name() + "' is not a readable " + ImageFormat.NAMES + " image");
            }
        }
        return decoded;
    }

    private Optional<StoredCheckpoint> latestCheckpoint(UUID jobId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT step, blob_id FROM checkpoints WHERE job_id = ? ORDER BY step DESC LIMIT 1")) {
            ps.setObject(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? Optional.of(new StoredCheckpoint(rs.getLong(1), rs.getObject(2, UUID.class)))
                        : Optional.empty();
            }
        }
    }

    private Checkpoint readCheckpoint(StoredCheckpoint stored) throws IOException, JobFailure {
        try (InputStream in = BlobInputStream.open(dataSource, stored.blobId())) {
            return Checkpoint.read(in);
        } catch (IOException e) {
            if (e.getCause() instanceof SQLException) {
                throw e;
            }
            throw JobFailure.permanent(
                    "the checkpoint of step " + stored.step() + " cannot be read: " + e.getMessage());
        }
    }

    /**
     * Removes what an earlier run of the job recorded after {@code step} (everything for a fresh
     * start, {@code step} = -1): those steps run again, and the curve must show each step once,
     * as this run computes it.
     */
    private void forgetAfter(UUID jobId, long step, JobContext ctx) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                ctx.fence(c, "clearing the steps after " + step);
                for (String table : List.of("loss_points", "validation_metrics")) {
                    try (PreparedStatement ps =
                            c.prepareStatement("DELETE FROM " + table + " WHERE job_id = ? AND step > ?")) {
                        ps.setObject(1, jobId);
                        ps.setLong(2, step);
                        ps.executeUpdate();
                    }
                }
                List<UUID> sampleBlobs = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement(
                        "DELETE FROM sample_images WHERE job_id = ? AND step > ? RETURNING blob_id")) {
                    ps.setObject(1, jobId);
                    ps.setLong(2, step);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            sampleBlobs.add(rs.getObject(1, UUID.class));
                        }
                    }
                }
                for (UUID blob : sampleBlobs) {
                    blobs.delete(c, blob);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
