package dev.srgan.api.training;

import dev.srgan.api.auth.Caller;
import dev.srgan.api.idempotency.IdempotencyKeys;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import java.util.Optional;

import dev.srgan.api.auth.Requires;
import dev.srgan.api.auth.Role;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srgan.api.errors.ApiException;
import dev.srgan.api.jobs.JobResource;
import dev.srgan.api.jobs.JobStore;
import dev.srgan.domain.jobs.JobType;
import dev.srgan.networks.training.TrainingConfig;
import dev.srgan.platform.blobs.BlobStore;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Training runs: submit, follow losses, validation metrics, samples and checkpoints. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
public class TrainingResource {
    @Inject
    IdempotencyKeys keys;

    @Inject
    DataSource dataSource;

    @Inject
    JobStore jobs;

    @Inject
    BlobStore blobs;

    @Inject
    ObjectMapper json;

    /** TorchScript file of a VGG19 feature extractor on the workers (see README); unset = pixel MSE only. */
    @ConfigProperty(name = "srgan.training.vgg19-path")
    Optional<String> vgg19Path;

    /**
     * A training submission: the dataset, an optional run name, and hyperparameters (any field of
     * the training config; absent ones take the seed's defaults). {@code contentLoss} is
     * {@code pixel-mse} (default) or {@code vgg19} when the workers have the extractor.
     */
    public record TrainingRequest(String datasetId, String name, String contentLoss, JsonNode hyperparameters) {
    }

    /** What the submission answers. */
    public record Submitted(UUID id, String status, String url, int totalSteps) {
    }

    /** One step's losses. */
    public record LossPoint(int step, String phase, Double dLoss, Double gLoss, Double contentLoss, Double adversarialLoss,
                            Double dReal, Double dFake, Double lrG, Double lrD, Double secondsPerStep) {
    }

    /**
     * Validation of G and of bicubic at one step; NIQE (lower is more natural) null when no
     * validation image was large enough to score, or the step was recorded before NIQE.
     */
    public record ValidationPoint(int step, double psnr, double ssim, double bicubicPsnr, double bicubicSsim, Double niqe, Double bicubicNiqe,
                                  List<String> samples) {
    }

    /** A stored checkpoint. */
    public record CheckpointView(UUID id, int step, long sizeBytes, OffsetDateTime createdAt, String downloadUrl) {
    }

    @Requires(Role.OPERATOR)
    @POST
    @Path("/training")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response submit(TrainingRequest request, @HeaderParam(IdempotencyKeys.HEADER) String idempotencyKey,
                           @Context ContainerRequestContext http) throws SQLException {
        Submitted s = submitRun(request, idempotencyKey, (Caller) http.getProperty(Caller.PROPERTY));
        return Response.accepted(s).build();
    }

    /** Validates and queues a training run; used by the dashboard. */
    public Submitted submitRun(TrainingRequest request) throws SQLException {
        return submitRun(request, null, null);
    }

    /**
     * Validates and queues a training run. With an idempotency key, the same key and request return
     * the first run and store nothing (see {@link IdempotencyKeys}).
     */
    public Submitted submitRun(TrainingRequest request, String idempotencyKey, Caller caller) throws SQLException {
        if (request == null) {
            throw ApiException.badRequest(null, "send a JSON body: {\"datasetId\": \"...\", \"hyperparameters\": {...}}");
        }
        UUID datasetId;
        try {
            datasetId = UUID.fromString(String.valueOf(request.datasetId()).trim());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("datasetId", "datasetId must be the id of an uploaded dataset (POST /api/datasets)");
        }
        TrainingConfig config = TrainingLimits.parse(request.hyperparameters(), request.contentLoss(), vgg19Path.orElse(null), json);
        String name = request.name() == null || request.name().isBlank() ? null : request.name().trim();
        if (name != null && name.length() > 200) {
            throw ApiException.badRequest("name", "name must be at most 200 characters");
        }
        int totalSteps = config.pretrainSteps() + config.ganSteps();
        Optional<IdempotencyKeys.Key> key;
        try {
            key = idempotencyKey == null ? Optional.empty() : IdempotencyKeys.of(idempotencyKey, caller, "POST /api/training",
                    new IdempotencyKeys.Fingerprint().text(datasetId.toString()).text(name).text(config.toJson())
                            .text(request.contentLoss()).hex());
        } catch (RuntimeException e) {
            throw e;
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Optional<UUID> earlier = key.isPresent() ? keys.take(c, key.get()) : Optional.empty();
                if (earlier.isPresent()) {
                    c.rollback();
                    return submitted(earlier.get());
                }
                String datasetName;
                try (PreparedStatement ps = c.prepareStatement("SELECT name FROM datasets WHERE id = ?")) {
                    ps.setObject(1, datasetId);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw ApiException.unprocessable("datasetId", "no dataset " + datasetId);
                        }
                        datasetName = rs.getString(1);
                    }
                }
                String runName = name != null ? name : "x" + config.scale() + " on " + datasetName;
                UUID id = jobs.insert(c, new JobStore.NewJob(JobType.TRAINING, runName, config.toJson(), null, null, null, datasetId));
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO training_runs (job_id, config, total_steps, content_loss) VALUES (?, ?::jsonb, ?, ?)")) {
                    ps.setObject(1, id);
                    ps.setString(2, config.toJson());
                    ps.setInt(3, totalSteps);
                    ps.setString(4, config.featureExtractorPath() == null ? "pixel-mse" : config.featureExtractorName());
                    ps.executeUpdate();
                }
                if (key.isPresent()) {
                    keys.complete(c, key.get(), id);
                }
                c.commit();
                return new Submitted(id, "QUEUED", "/api/jobs/" + id, totalSteps);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** What a submission of the run {@code id} answers, as it stands now (an idempotent replay). */
    private Submitted submitted(UUID id) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT j.status, t.total_steps FROM jobs j JOIN training_runs t ON t.job_id = j.id WHERE j.id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw ApiException.notFound("no training run " + id);
                }
                return new Submitted(id, rs.getString(1), "/api/jobs/" + id, rs.getInt(2));
            }
        }
    }

    /** Loss points after {@code afterStep} (all when absent), in step order, at most {@code limit}. */
    public List<LossPoint> losses(String id, Integer afterStep, Integer limit) throws SQLException {
        UUID jobId = JobResource.uuid(id);
        jobs.require(jobId);
        int max = limit == null ? 10_000 : Math.max(1, Math.min(limit, 100_000));
        List<LossPoint> points = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT step, phase, d_loss, g_loss, content_loss, adversarial_loss, d_real, d_fake, lr_g, lr_d, seconds_per_step
                FROM loss_points WHERE job_id = ? AND step > ? ORDER BY step LIMIT ?""")) {
            ps.setObject(1, jobId);
            ps.setInt(2, afterStep == null ? -1 : afterStep);
            ps.setInt(3, max);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    points.add(new LossPoint(rs.getInt(1), rs.getString(2), num(rs, 3), num(rs, 4), num(rs, 5), num(rs, 6),
                            num(rs, 7), num(rs, 8), num(rs, 9), num(rs, 10), num(rs, 11)));
                }
            }
        }
        return points;
    }

    public List<ValidationPoint> validation(String id) throws SQLException {
        UUID jobId = JobResource.uuid(id);
        jobs.require(jobId);
        List<ValidationPoint> points = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
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
                    points.add(new ValidationPoint(step, rs.getDouble(2), rs.getDouble(3), rs.getDouble(4), rs.getDouble(5),
                            num(rs, 7), num(rs, 8), samples));
                }
            }
        }
        return points;
    }

    public Response sample(String id, int step, int idx) throws SQLException {
        UUID jobId = JobResource.uuid(id);
        UUID blobId;
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT blob_id FROM sample_images WHERE job_id = ? AND step = ? AND idx = ?")) {
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
        return Response.ok(stream(blobId), "image/png").build();
    }

    public List<CheckpointView> checkpoints(String id) throws SQLException {
        UUID jobId = JobResource.uuid(id);
        jobs.require(jobId);
        List<CheckpointView> list = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT id, step, size_bytes, created_at FROM checkpoints WHERE job_id = ? ORDER BY step")) {
            ps.setObject(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    UUID cid = rs.getObject(1, UUID.class);
                    list.add(new CheckpointView(cid, rs.getInt(2), rs.getLong(3), rs.getObject(4, OffsetDateTime.class),
                            "/api/checkpoints/" + cid + "/download"));
                }
            }
        }
        return list;
    }

    /** The checkpoint file (a zip, see networks/CHECKPOINT-FORMAT.md), streamed. */
    @Requires(Role.OPERATOR)
    @GET
    @Path("/checkpoints/{id}/download")
    @Produces({"application/zip", MediaType.APPLICATION_JSON})
    public Response download(@PathParam("id") String id) throws SQLException {
        UUID checkpointId;
        try {
            checkpointId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("no checkpoint " + id);
        }
        UUID blobId;
        long size;
        String fileName;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT k.blob_id, k.size_bytes, k.step, coalesce(j.name, j.id::text) FROM checkpoints k JOIN jobs j ON j.id = k.job_id WHERE k.id = ?""")) {
            ps.setObject(1, checkpointId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw ApiException.notFound("no checkpoint " + id);
                }
                blobId = rs.getObject(1, UUID.class);
                size = rs.getLong(2);
                fileName = rs.getString(4).replaceAll("[^A-Za-z0-9._-]", "_") + "-step" + rs.getInt(3) + ".srgan.zip";
            }
        }
        return Response.ok(stream(blobId), "application/zip").header("Content-Length", size)
                .header("Content-Disposition", "attachment; filename=\"" + fileName + "\"").build();
    }

    private StreamingOutput stream(UUID blobId) {
        return out -> blobs.copyTo(dataSource, blobId, out);
    }

    private static Double num(ResultSet rs, int col) throws SQLException {
        double v = rs.getDouble(col);
        return rs.wasNull() || Double.isNaN(v) ? null : v;
    }

}
