package dev.srgan.api.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srgan.api.ApiDocument;
import dev.srgan.api.Attachment;
import dev.srgan.api.idempotency.IdempotencyKeys;
import dev.srgan.core.auth.Caller;
import dev.srgan.core.auth.Quotas;
import dev.srgan.core.auth.Requires;
import dev.srgan.core.auth.Role;
import dev.srgan.core.config.ApiConfig;
import dev.srgan.core.datasets.DatasetStore;
import dev.srgan.core.errors.ApiException;
import dev.srgan.core.jobs.JobLabels;
import dev.srgan.core.jobs.JobStore;
import dev.srgan.core.models.ModelStore;
import dev.srgan.core.training.MetricsCsv;
import dev.srgan.core.training.TrainingStore;
import dev.srgan.core.webhooks.Webhooks;
import dev.srgan.networks.training.TrainingConfig;
import dev.srgan.platform.blobs.BlobStore;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Training runs: submit, follow losses, validation metrics, samples and checkpoints. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
@Tag(
        name = "Training",
        description = "Training runs and their checkpoints (a run's losses, validation and samples: Jobs)")
public class TrainingResource {
    @Inject
    ApiConfig settings;

    @Inject
    IdempotencyKeys keys;

    @Inject
    DataSource dataSource;

    @Inject
    BlobStore blobs;

    @Inject
    TrainingStore training;

    @Inject
    DatasetStore datasets;

    @Inject
    ObjectMapper json;

    @Inject
    Webhooks webhooks;

    @Inject
    ModelStore models;

    @Inject
    Quotas quotas;

    @Inject
    MetricsCsv metricsCsv;

    /** TorchScript file of a VGG19 feature extractor on the workers (see README); unset = pixel MSE only. */

    /**
     * A training submission: the dataset, an optional run name, and hyperparameters (any field of
     * the training config; absent ones take the seed's defaults). {@code contentLoss} is
     * {@code pixel-mse} (default) or {@code vgg19} when the workers have the extractor.
     */
    public record TrainingRequest(
            String datasetId,
            String name,

            @Schema(
                    type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.ARRAY,
                    implementation = String.class,
                    description = "labels to find the run by (GET /api/jobs?tag=...), e.g. [\"baseline\"]; each 1 to 32"
                            + " letters, digits, spaces or . _ : / + = @ # -, at most 16")
            JsonNode tags,

            @Schema(description = "free text about the run, at most 10000 characters")
            String notes,

            String contentLoss,
            JsonNode hyperparameters,

            @Schema(description = "POSTed the job when it ends (see docs/webhooks.md)")
            String webhookUrl,

            @Schema(
                    format = "uuid",
                    description = "start from this registered model's generator (fine-tuning) instead of "
                            + "random weights: the same scale, at most as many residual blocks")
            String baseModelId,

            @Schema(
                    format = "uuid",
                    description = "validate on all images of this dataset instead of the held-out last tenth (by"
                            + " name) of the training dataset, which then trains with all its images: the same"
                            + " validation photos for runs on different data")
            String validationDatasetId) {}

    /** What the submission answers. */
    @Schema(name = "TrainingSubmitted")
    public record Submitted(UUID id, String status, String url, int totalSteps) {}

    @GET
    @Path("/training/runs.csv")
    @Produces({"text/csv", MediaType.APPLICATION_JSON})
    @Operation(
            operationId = "getTrainingRunsCsv",
            summary = "Training runs as one CSV table: a row per run with its best validation and every hyperparameter")
    @APIResponse(
            responseCode = "200",
            description = MetricsCsv.RUNS_HEADER + ", then one column per hyperparameter; newest run first",
            content = @Content(mediaType = "text/csv", schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "400", description = "sweepId not a UUID")
    public Response runsCsv(
            @QueryParam("tag") @Parameter(description = "only the runs with this tag; repeated, with all of them")
                    List<String> tag,
            @QueryParam("q") @Parameter(description = "only the runs whose name or notes contain this text") String q,
            @QueryParam("sweepId") @Parameter(description = "only the runs of this sweep") String sweepId) {
        UUID sweep;
        try {
            sweep = sweepId == null || sweepId.isBlank() ? null : UUID.fromString(sweepId.trim());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("sweepId", "sweepId must be a sweep's id (UUID), got '" + sweepId + "'");
        }
        JobStore.Filter filter = new JobStore.Filter(null, null, null, tag, q);
        StreamingOutput body = out -> metricsCsv.writeRuns(filter, sweep, out);
        return Attachment.of(body, MetricsCsv.CONTENT_TYPE, (sweep == null ? "runs" : "sweep-runs") + ".csv")
                .build();
    }

    @Requires(Role.OPERATOR)
    @POST
    @Path("/training")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "submitTraining",
            summary = "Queue a TRAINING job: a dataset and hyperparameters (absent ones take their defaults)")
    @APIResponse(
            responseCode = "202",
            description = "queued (or, with a known Idempotency-Key, the run it created)",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = Submitted.class)))
    @APIResponse(
            responseCode = "400",
            description =
                    "a body that is not JSON, datasetId or baseModelId not a UUID, a hyperparameter out of range (named in field), "
                            + "name over 200 characters, a webhookUrl that is not an http(s) URL, an Idempotency-Key over 255 characters")
    @APIResponse(responseCode = "403", description = "the token's role is below OPERATOR")
    @APIResponse(
            responseCode = "429",
            description = "the submitter has as many jobs queued or running as its limit allows (maxActiveJobs)")
    @APIResponse(
            responseCode = "422",
            description = "no such dataset, an hrCropSize larger than the dataset's smallest image (named), "
                    + "contentLoss vgg19 on a cluster without the extractor, a webhookUrl host the cluster does not call, "
                    + "a baseModelId that names no model, a TorchScript one, one of another scale or with more residual blocks, "
                    + "or an Idempotency-Key used for another request")
    public Response submit(
            TrainingRequest request,
            @HeaderParam(IdempotencyKeys.HEADER) @Parameter(description = ApiDocument.IDEMPOTENCY_KEY)
                    String idempotencyKey,
            @Context ContainerRequestContext http)
            throws SQLException {
        Submitted s = submitRun(request, idempotencyKey, (Caller) http.getProperty(Caller.PROPERTY));
        return Response.accepted(s).build();
    }

    /**
     * Validates and queues a training run. With an idempotency key, the same key and request return
     * the first run and store nothing (see {@link IdempotencyKeys}).
     */
    public Submitted submitRun(TrainingRequest request, String idempotencyKey, Caller caller) throws SQLException {
        if (request == null) {
            throw ApiException.badRequest(
                    null, "send a JSON body: {\"datasetId\": \"...\", \"hyperparameters\": {...}}");
        }
        UUID datasetId = TrainingLimits.datasetId(request.datasetId());
        UUID baseModelId = TrainingLimits.baseModelId(request.baseModelId());
        UUID validationId = TrainingLimits.validationDatasetId(request.validationDatasetId());
        JobLabels labels = JobLabels.of(request.tags(), request.notes());
        TrainingConfig config = TrainingLimits.parse(
                request.hyperparameters(),
                request.contentLoss(),
                settings.training().vgg19Path().orElse(null),
                baseModelId != null,
                json);
        String name = TrainingLimits.name(request.name());
        URI webhook = webhooks.parse(request.webhookUrl());
        int totalSteps = config.pretrainSteps() + config.ganSteps();
        Optional<IdempotencyKeys.Key> key = idempotencyKey == null
                ? Optional.empty()
                : IdempotencyKeys.of(
                        idempotencyKey,
                        caller,
                        "POST /api/training",
                        new IdempotencyKeys.Fingerprint()
                                .text(datasetId.toString())
                                .text(name)
                                .text(config.toJson())
                                .text(request.contentLoss())
                                .text(webhook == null ? null : webhook.toString())
                                .text(baseModelId == null ? null : baseModelId.toString())
                                .text(labels.equals(JobLabels.NONE) ? null : labels.fingerprint())
                                .text(validationId == null ? null : "validation " + validationId)
                                .hex());
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Optional<UUID> earlier = key.isPresent() ? keys.take(c, key.get()) : Optional.empty();
                if (earlier.isPresent()) {
                    c.rollback();
                    return submitted(earlier.get());
                }
                String datasetName = datasets.requireUsable(c, datasetId, "datasetId", List.of(config.hrCropSize()));
                TrainingStore.ValidationDataset validation = validationId == null
                        ? null
                        : datasets.requireValidation(c, validationId, "validationDatasetId", config.scale());
                ModelStore.BaseModel base =
                        baseModelId == null ? null : models.requireBase(c, baseModelId, List.of(config));
                String runName = name != null
                        ? name
                        : (base == null ? "x" + config.scale() : base.name() + " fine-tuned") + " on " + datasetName;
                quotas.reserve(c, caller, 1, "this training run");
                UUID id = training.insertRun(c, datasetId, runName, config, base, validation, Caller.name(caller));
                labels.write(c, id);
                webhooks.attach(c, id, webhook);
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
        TrainingStore.RunState run =
                training.state(id).orElseThrow(() -> ApiException.notFound("no training run " + id));
        return new Submitted(id, run.status(), "/api/jobs/" + id, run.totalSteps());
    }

    /** The checkpoint file (a zip, see networks/CHECKPOINT-FORMAT.md), streamed. */
    @Requires(Role.OPERATOR)
    @GET
    @Path("/checkpoints/{id}/download")
    @Produces({"application/zip", MediaType.APPLICATION_JSON})
    @Operation(operationId = "downloadCheckpoint", summary = "A checkpoint file (a zip, networks/CHECKPOINT-FORMAT.md)")
    @APIResponse(
            responseCode = "200",
            description = "the checkpoint zip, as an attachment",
            content =
                    @Content(
                            mediaType = "application/zip",
                            schema = @Schema(type = SchemaType.STRING, format = "binary")))
    @APIResponse(responseCode = "403", description = "the token's role is below OPERATOR")
    @APIResponse(responseCode = "404", description = "no such checkpoint")
    public Response download(@PathParam("id") String id) throws SQLException {
        UUID checkpointId;
        try {
            checkpointId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("no checkpoint " + id);
        }
        TrainingStore.CheckpointFile file = training.checkpointFile(checkpointId);
        return Attachment.of(stream(file.blobId()), "application/zip", file.fileName())
                .header("Content-Length", file.sizeBytes())
                .build();
    }

    private StreamingOutput stream(UUID blobId) {
        return out -> blobs.copyTo(dataSource, blobId, out);
    }
}
