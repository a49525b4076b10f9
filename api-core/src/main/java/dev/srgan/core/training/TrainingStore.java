package dev.srgan.core.training;

import dev.srgan.core.errors.ApiException;
import dev.srgan.core.jobs.JobStore;
import dev.srgan.core.models.ModelStore;
import dev.srgan.domain.jobs.JobType;
import dev.srgan.networks.training.TrainingConfig;
import dev.srgan.platform.jobs.JobTable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * What a training run recorded, as the API and the dashboard read it: loss points, validations
 * with their sample images, checkpoints. {@code JobResource} (its {@code /api/jobs/{id}/...}
 * endpoints) and the training pages ask it; neither asks the other.
 */
@ApplicationScoped
public class TrainingStore {

    @Inject
    DataSource dataSource;

    @Inject
    JobStore jobs;

    @Inject
    JobTable jobTable;

    /** One step's losses. */
    public record LossPoint(
            int step,
            String phase,
            Double dLoss,
            Double gLoss,
            Double contentLoss,
            Double adversarialLoss,
            Double dReal,
            Double dFake,
            Double lrG,
            Double lrD,
            Double secondsPerStep) {}

    /**
     * Validation of G and of bicubic at one step; NIQE (lower is more natural) null when no
     * validation image was large enough to score, or the step was recorded before NIQE.
     */
    public record ValidationPoint(
            int step,
            double psnr,
            double ssim,
            double bicubicPsnr,
            double bicubicSsim,
            Double niqe,
            Double bicubicNiqe,
            List<String> samples) {}

    /** A stored checkpoint. */
    public record CheckpointView(UUID id, int step, long sizeBytes, OffsetDateTime createdAt, String downloadUrl) {}

    /**
     * The dataset a run validates on instead of the held-out tenth of its training dataset: its
     * id (null once deleted) and its name as it was at submission.
     */
    public record ValidationDataset(UUID id, String name) {}

    /**
     * Queues a training run on {@code c}, in the caller's transaction (the caller commits): its
     * QUEUED job with the outbox record, and its {@code training_runs} row. {@code POST
     * /api/training} queues one run with it, a sweep one per grid point. With a {@code base}
     * model the run starts from its generator (the job's {@code model_id}, which keeps the model
     * from being deleted while the run may still need it); null starts from random weights.
     */
    public UUID insertRun(
            Connection c,
            UUID datasetId,
            String runName,
            TrainingConfig config,
            ModelStore.BaseModel base,
            ValidationDataset validation,
            String submittedBy)
            throws SQLException {
        UUID id = jobTable.insert(
                c,
                new JobTable.NewJob(
                        JobType.TRAINING,
                        runName,
                        config.toJson(),
                        null,
                        null,
                        base == null ? null : base.id(),
                        datasetId,
                        submittedBy));
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO training_runs (job_id, config, total_steps, content_loss, base_model_id, base_model_name,
                                           validation_dataset_id, validation_dataset_name)
                VALUES (?, ?::jsonb, ?, ?, ?, ?, ?, ?)""")) {
            ps.setObject(1, id);
            ps.setString(2, config.toJson());
            ps.setInt(3, config.totalSteps());
            ps.setString(4, config.featureExtractorPath() == null ? "pixel-mse" : config.featureExtractorName());
            ps.setObject(5, base == null ? null : base.id());
            ps.setString(6, base == null ? null : base.name());
            ps.setObject(7, validation == null ? null : validation.id());
            ps.setString(8, validation == null ? null : validation.name());
            ps.executeUpdate();
        }
        return id;
    }

    /** Loss points after {@code afterStep} (all when absent), in step order, at most {@code limit}. */
    public List<LossPoint> losses(String id, Integer afterStep, Integer limit) throws SQLException {
        UUID jobId = JobStore.id(id);
        jobs.require(jobId);
        int max = limit == null ? 10_000 : Math.max(1, Math.min(limit, 100_000));
        List<LossPoint> points = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                SELECT step, phase, d_loss, g_loss, content_loss, adversarial_loss, d_real, d_fake, lr_g, lr_d, seconds_per_step
                FROM loss_points WHERE job_id = ? AND step > ? ORDER BY step LIMIT ?""")) {
            ps.setObject(1, jobId);
            ps.setInt(2, afterStep == null ? -1 : afterStep);
            ps.setInt(3, max);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    points.add(new LossPoint(
                            rs.getInt(1),
                            rs.getString(2),
                            num(rs, 3),
                            num(rs, 4),
                            num(rs, 5),
                            num(rs, 6),
                            num(rs, 7),
                            num(rs, 8),
                            num(rs, 9),
                            num(rs, 10),
                            num(rs, 11)));
                }
            }
        }
        return points;
    }

    public List<ValidationPoint> validation(String id) throws SQLException {
        UUID jobId = JobStore.id(id);
        jobs.require(jobId);
        List<ValidationPoint> points = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                SELECT v.step, v.psnr, v.ssim, v.bicubic_psnr, v.bicubic_ssim,
                       coalesce((SELECT array_agg(s.idx ORDER BY s.idx) FROM sample_images s WHERE s.job_id = v.job_id AND s.step = v.step), '{}'),
                       v.niqe, v.bicubic_niqe
                FROM validation_metrics v WHERE v.job_id = ? ORDER BY v.step""")) {
            ps.setObject(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int step = rs.getInt(1);
                    List<String> samples = new ArrayList<>();
                    for (Integer idx : (Integer[]) rs.getArray(6).getArray()) {
                        samples.add("/api/jobs/" + jobId + "/samples/" + step + "/" + idx);
                    }
                    points.add(new ValidationPoint(
                            step,
                            rs.getDouble(2),
                            rs.getDouble(3),
                            rs.getDouble(4),
                            rs.getDouble(5),
                            num(rs, 7),
                            num(rs, 8),
                            samples));
                }
            }
        }
        return points;
    }

    /** The blob of a validation sample image; 404 when there is none. */
    public UUID sampleBlob(String id, int step, int idx) throws SQLException {
        UUID jobId = JobStore.id(id);
        UUID blobId;
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT blob_id FROM sample_images WHERE job_id = ? AND step = ? AND idx = ?")) {
            ps.setObject(1, jobId);
            ps.setInt(2, step);
            ps.setInt(3, idx);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw ApiException.notFound("no sample " + idx + " at step " + step + " of job " + jobId);
                }
                blobId = rs.getObject(1, UUID.class);
            }
        }
        return blobId;
    }

    public List<CheckpointView> checkpoints(String id) throws SQLException {
        UUID jobId = JobStore.id(id);
        jobs.require(jobId);
        List<CheckpointView> list = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT id, step, size_bytes, created_at FROM checkpoints WHERE job_id = ? ORDER BY step")) {
            ps.setObject(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    UUID cid = rs.getObject(1, UUID.class);
                    list.add(new CheckpointView(
                            cid,
                            rs.getInt(2),
                            rs.getLong(3),
                            rs.getObject(4, OffsetDateTime.class),
                            "/api/checkpoints/" + cid + "/download"));
                }
            }
        }
        return list;
    }

    private static Double num(ResultSet rs, int col) throws SQLException {
        double v = rs.getDouble(col);
        return rs.wasNull() || Double.isNaN(v) ? null : v;
    }

    /** A training run's state and its total steps, or empty when there is no such run. */
    public record RunState(String status, int totalSteps) {}

    /** {@link RunState} of the run {@code id}. */
    public java.util.Optional<RunState> state(UUID id) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT j.status, t.total_steps FROM jobs j JOIN training_runs t ON t.job_id = j.id WHERE j.id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? java.util.Optional.of(new RunState(rs.getString(1), rs.getInt(2)))
                        : java.util.Optional.empty();
            }
        }
    }

    /** A stored checkpoint's file: its blob, size, and the file name it downloads as. */
    public record CheckpointFile(UUID blobId, long sizeBytes, String fileName) {}

    /** The checkpoint {@code id}'s file; 404 when there is none. */
    public CheckpointFile checkpointFile(UUID id) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                SELECT k.blob_id, k.size_bytes, k.step, coalesce(j.name, j.id::text) FROM checkpoints k JOIN jobs j ON j.id = k.job_id WHERE k.id = ?""")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw ApiException.notFound("no checkpoint " + id);
                }
                return new CheckpointFile(
                        rs.getObject(1, UUID.class),
                        rs.getLong(2),
                        rs.getString(4).replaceAll("[^A-Za-z0-9._-]", "_") + "-step" + rs.getInt(3) + ".srgan.zip");
            }
        }
    }

    /** What a model registered from a checkpoint takes from it: its run, blob, step, config and the run's name. */
    public record CheckpointSource(
            UUID jobId, UUID blobId, int step, String configJson, String runName, String baseModelName) {}

    /** The checkpoint {@code id}'s source, on the caller's transaction; empty when there is none. */
    public java.util.Optional<CheckpointSource> checkpointSource(Connection c, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT k.job_id, k.blob_id, k.step, t.config::text, coalesce(j.name, 'run ' || j.id::text), t.base_model_name
                FROM checkpoints k JOIN jobs j ON j.id = k.job_id JOIN training_runs t ON t.job_id = k.job_id WHERE k.id = ?""")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? java.util.Optional.of(new CheckpointSource(
                                rs.getObject(1, UUID.class),
                                rs.getObject(2, UUID.class),
                                rs.getInt(3),
                                rs.getString(4),
                                rs.getString(5),
                                rs.getString(6)))
                        : java.util.Optional.empty();
            }
        }
    }
}
