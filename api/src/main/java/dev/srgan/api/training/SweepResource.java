package dev.srgan.api.training;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srgan.api.ApiDocument;
import dev.srgan.api.PageRequest;
import dev.srgan.api.idempotency.IdempotencyKeys;
import dev.srgan.api.jobs.JobResource;
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
import dev.srgan.core.storage.Deletions;
import dev.srgan.core.training.SweepGrid;
import dev.srgan.core.training.SweepStore;
import dev.srgan.core.training.TrainingStore;
import dev.srgan.core.webhooks.Webhooks;
import dev.srgan.networks.training.TrainingConfig;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
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
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Hyperparameter sweeps: base hyperparameters and a grid of values, one training job per grid
 * point, submitted, followed, cancelled and retried as one. Every run is an ordinary training job,
 * checked and queued exactly as {@code POST /api/training} queues one ({@link TrainingLimits},
 * {@link TrainingStore#insertRun}); the whole sweep is written in one transaction, so a sweep is
 * queued entirely or not at all.
 */
@Path("/api/training/sweeps")
@Produces(MediaType.APPLICATION_JSON)
@Tag(
        name = "Sweeps",
        description = "Hyperparameter sweeps: one training run per point of a grid, followed and handled together")
public class SweepResource {
    static final String ENDPOINT = "POST /api/training/sweeps";

    @Inject
    DataSource dataSource;

    @Inject
    SweepStore sweeps;

    @Inject
    TrainingStore training;

    @Inject
    JobStore jobs;

    @Inject
    DatasetStore datasets;

    @Inject
    IdempotencyKeys keys;

    @Inject
    ApiConfig config;

    @Inject
    ObjectMapper json;

    @Inject
    Deletions deletion;

    @Inject
    Webhooks webhooks;

    @Inject
    ModelStore models;

    @Inject
    Quotas quotas;

    /**
     * A sweep: the dataset, an optional name, the base hyperparameters (as {@code POST
     * /api/training} takes them; absent ones take their defaults) and the grid, each swept
     * hyperparameter with its list of values. A grid value overrides the base.
     */
    public record SweepRequest(
            String datasetId,
            String name,

            @Schema(
                    type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.ARRAY,
                    implementation = String.class,
                    description = "tags every run of the sweep gets, as on POST /api/training")
            JsonNode tags,

            @Schema(description = "notes every run of the sweep gets, as on POST /api/training")
            String notes,

            String contentLoss,
            JsonNode hyperparameters,
            JsonNode grid,

            @Schema(description = "POSTed each run when it ends (see docs/webhooks.md)")
            String webhookUrl,

            @Schema(
                    format = "uuid",
                    description = "every run starts from this registered model's generator (fine-tuning),"
                            + " as in POST /api/training")
            String baseModelId,

            @Schema(
                    format = "uuid",
                    description = "every run validates on this dataset instead of the held-out tenth of its"
                            + " training dataset, as in POST /api/training")
            String validationDatasetId) {}

    /** What a sweep submission answers: the sweep and its jobs in grid order. */
    @Schema(name = "SweepSubmitted")
    public record Submitted(UUID id, String name, List<UUID> jobIds, String url) {}

    @Requires(Role.OPERATOR)
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "submitSweep",
            summary = "Queue a sweep: one TRAINING job per point of the grid, all or none")
    @APIResponse(
            responseCode = "202",
            description = "queued (or, with a known Idempotency-Key, the sweep it created)",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = Submitted.class)))
    @APIResponse(
            responseCode = "400",
            description =
                    "a body that is not JSON; no grid, an empty one, an unknown hyperparameter in it, a value list "
                            + "that is empty, not a list or repeats a value; more points than srgan.training.sweep.max-runs; a grid point that fails the "
                            + "hyperparameter checks (named); datasetId or baseModelId not a UUID; name over 200 characters; an Idempotency-Key over 255 characters")
    @APIResponse(responseCode = "403", description = "the token's role is below OPERATOR")
    @APIResponse(
            responseCode = "429",
            description = "the sweep's runs would take the submitter past its limit of jobs queued or running")
    @APIResponse(
            responseCode = "422",
            description = "no such dataset, an hrCropSize larger than the dataset's smallest image (named), "
                    + "contentLoss vgg19 on a cluster without the extractor, a baseModelId that names no model, "
                    + "a TorchScript one, or one a grid point's scale or residualBlocks does not fit, "
                    + "or an Idempotency-Key used for another request")
    public Response submit(
            SweepRequest request,
            @HeaderParam(IdempotencyKeys.HEADER) @Parameter(description = ApiDocument.IDEMPOTENCY_KEY)
                    String idempotencyKey,
            @Context ContainerRequestContext http)
            throws SQLException {
        return Response.accepted(submitSweep(request, idempotencyKey, (Caller) http.getProperty(Caller.PROPERTY)))
                .build();
    }

    /**
     * Checks every grid point as a training run, then queues them all in one transaction. With an
     * idempotency key, the same key and request return the first sweep and store nothing.
     */
    Submitted submitSweep(SweepRequest request, String idempotencyKey, Caller caller) throws SQLException {
        if (request == null) {
            throw ApiException.badRequest(
                    null,
                    "send a JSON body: {\"datasetId\": \"...\", \"hyperparameters\": {...}, "
                            + "\"grid\": {\"learningRateG\": [0.0001, 0.001]}}");
        }
        UUID datasetId = TrainingLimits.datasetId(request.datasetId());
        String name = TrainingLimits.name(request.name());
        URI webhook = webhooks.parse(request.webhookUrl());
        UUID baseModelId = TrainingLimits.baseModelId(request.baseModelId());
        UUID validationId = TrainingLimits.validationDatasetId(request.validationDatasetId());
        JobLabels labels = JobLabels.of(request.tags(), request.notes());
        JsonNode base =
                request.hyperparameters() == null || request.hyperparameters().isNull()
                        ? json.createObjectNode()
                        : request.hyperparameters();
        if (!base.isObject()) {
            throw ApiException.badRequest("hyperparameters", "hyperparameters must be a JSON object");
        }
        SweepGrid grid =
                SweepGrid.parse(request.grid(), config.training().sweep().maxRuns());
        List<SweepGrid.Point> points = grid.points(json);
        List<TrainingConfig> configs = new ArrayList<>();
        for (SweepGrid.Point point : points) {
            ObjectNode hyperparameters = ((ObjectNode) base).deepCopy();
            hyperparameters.setAll(point.values());
            try {
                configs.add(TrainingLimits.parse(
                        hyperparameters,
                        request.contentLoss(),
                        config.training().vgg19Path().orElse(null),
                        baseModelId != null,
                        json));
            } catch (ApiException e) {
                String where = points.size() == 1
                        ? "the grid point "
                        : "grid point " + (point.index() + 1) + " of " + points.size() + " ";
                throw new ApiException(e.status(), where + "(" + point.label() + "): " + e.getMessage(), e.field());
            }
        }
        String contentLoss = configs.get(0).featureExtractorPath() == null
                ? "pixel-mse"
                : configs.get(0).featureExtractorName();
        Optional<IdempotencyKeys.Key> key = idempotencyKey == null
                ? Optional.empty()
                : IdempotencyKeys.of(
                        idempotencyKey,
                        caller,
                        ENDPOINT,
                        new IdempotencyKeys.Fingerprint()
                                .text(datasetId.toString())
                                .text(name)
                                .text(request.contentLoss())
                                .text(write(base))
                                .text(write(request.grid()))
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
                    List<UUID> jobIds = sweeps.jobIds(c, earlier.get());
                    c.rollback();
                    return new Submitted(
                            earlier.get(),
                            sweeps.require(earlier.get()).name(),
                            jobIds,
                            "/api/training/sweeps/" + earlier.get());
                }
                String datasetName = datasets.requireUsable(
                        c,
                        datasetId,
                        "datasetId",
                        configs.stream().map(TrainingConfig::hrCropSize).toList());
                ModelStore.BaseModel baseModel =
                        baseModelId == null ? null : models.requireBase(c, baseModelId, configs);
                TrainingStore.ValidationDataset validation = validationId == null
                        ? null
                        : datasets.requireValidation(
                                c,
                                validationId,
                                "validationDatasetId",
                                configs.stream()
                                        .mapToInt(TrainingConfig::scale)
                                        .max()
                                        .getAsInt());
                quotas.reserve(c, caller, points.size(), "this sweep of " + points.size() + " runs");
                String sweepName = name != null ? name : "sweep on " + datasetName;
                UUID id = UUID.randomUUID();
                sweeps.insert(
                        c,
                        new SweepStore.NewSweep(
                                id, sweepName, datasetId, contentLoss, base, request.grid(), grid.parameters()));
                List<UUID> jobIds = new ArrayList<>();
                for (SweepGrid.Point point : points) {
                    UUID jobId = training.insertRun(
                            c,
                            datasetId,
                            sweepName + " [" + point.label() + "]",
                            configs.get(point.index()),
                            baseModel,
                            validation,
                            Caller.name(caller));
                    sweeps.insertRun(c, id, point.index(), jobId, point.values());
                    labels.write(c, jobId);
                    webhooks.attach(c, jobId, webhook);
                    jobIds.add(jobId);
                }
                if (key.isPresent()) {
                    keys.complete(c, key.get(), id);
                }
                c.commit();
                return new Submitted(id, sweepName, jobIds, "/api/training/sweeps/" + id);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Sweeps newest first, each with its runs counted by state and its best validation PSNR. */
    @GET
    @Operation(
            operationId = "listSweeps",
            summary = "Sweeps newest first, each with its runs counted by state and its best validation PSNR")
    @APIResponse(responseCode = "200", description = "a page of sweeps")
    @APIResponse(responseCode = "400", description = "page below 0, size outside 1-200")
    public SweepStore.Page list(@QueryParam("page") Integer page, @QueryParam("size") Integer size)
            throws SQLException {
        PageRequest paging = PageRequest.of(page, size, 25);
        return sweeps.list(paging.page(), paging.size());
    }

    /** The sweep: its base and grid, and each run's state, grid point and best PSNR/SSIM/NIQE with their steps. */
    @GET
    @Path("/{id}")
    @Operation(
            operationId = "getSweep",
            summary = "A sweep: its base and grid, and each run's state, grid point and best metrics")
    @APIResponse(responseCode = "200", description = "the sweep")
    @APIResponse(responseCode = "404", description = "no such sweep")
    public SweepStore.SweepView get(@PathParam("id") String id) throws SQLException {
        return sweeps.require(SweepStore.id(id));
    }

    /**
     * Cancels every run that is still QUEUED or RUNNING, each as {@code POST /api/jobs/{id}/cancel}
     * does (a running one stops at its next step and keeps its checkpoints), all in one
     * transaction; 409 when none is.
     */
    @Requires(Role.OPERATOR)
    @POST
    @Path("/{id}/cancel")
    @Operation(operationId = "cancelSweep", summary = "Cancel every QUEUED or RUNNING run of a sweep")
    @APIResponse(responseCode = "200", description = "the sweep")
    @APIResponse(responseCode = "403", description = "the token's role is below OPERATOR")
    @APIResponse(responseCode = "404", description = "no such sweep")
    @APIResponse(responseCode = "409", description = "no run of the sweep is QUEUED or RUNNING")
    public SweepStore.SweepView cancel(@PathParam("id") String id, @Context ContainerRequestContext http)
            throws SQLException {
        SweepStore.SweepView sweep = sweeps.require(SweepStore.id(id));
        if (jobs.cancelEach(
                        sweep.runs().stream().map(SweepStore.SweepRun::jobId).toList(), Caller.name(http))
                == 0) {
            throw ApiException.conflict("no run of the sweep is QUEUED or RUNNING; nothing to cancel");
        }
        return sweeps.require(sweep.id());
    }

    /**
     * Queues every FAILED or CANCELLED run again, each as {@code POST /api/jobs/{id}/retry} does
     * (it resumes from its last checkpoint), all in one transaction; 409 when there is none.
     */
    @Requires(Role.OPERATOR)
    @POST
    @Path("/{id}/retry")
    @Operation(
            operationId = "retrySweep",
            summary = "Queue every FAILED or CANCELLED run of a sweep again (each resumes from its last checkpoint)")
    @APIResponse(
            responseCode = "202",
            description = "the sweep",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = SweepStore.SweepView.class)))
    @APIResponse(responseCode = "403", description = "the token's role is below OPERATOR")
    @APIResponse(responseCode = "404", description = "no such sweep")
    @APIResponse(responseCode = "409", description = "no run of the sweep FAILED or was CANCELLED")
    public Response retry(@PathParam("id") String id, @Context ContainerRequestContext http) throws SQLException {
        SweepStore.SweepView sweep = sweeps.require(SweepStore.id(id));
        if (jobs.retryEach(sweep.runs().stream().map(SweepStore.SweepRun::jobId).toList(), Caller.name(http)) == 0) {
            throw ApiException.conflict("no run of the sweep FAILED or was CANCELLED; nothing to retry");
        }
        return Response.accepted(sweeps.require(sweep.id())).build();
    }

    /**
     * Trains every run of a sweep that has ended longer, to the same new totals, each as {@code
     * POST /api/jobs/{id}/extend} does, all in one transaction: every run or none.
     */
    @Requires(Role.OPERATOR)
    @POST
    @Path("/{id}/extend")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "extendSweep",
            summary =
                    "Train every run of a sweep longer: new step totals for all; each resumes from its last checkpoint")
    @RequestBody(
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = JobResource.Extension.class)))
    @APIResponse(
            responseCode = "202",
            description = "the sweep, its runs QUEUED again",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = SweepStore.SweepView.class)))
    @APIResponse(
            responseCode = "400",
            description = "totals a run cannot take (the message names the run, field the total), an unknown member")
    @APIResponse(responseCode = "403", description = "the token's role is below OPERATOR")
    @APIResponse(responseCode = "404", description = "no such sweep")
    @APIResponse(
            responseCode = "409",
            description = "a run still QUEUED or RUNNING, or a run's dataset deleted; nothing is extended then")
    public Response extend(
            @PathParam("id") String id,
            com.fasterxml.jackson.databind.JsonNode body,
            @Context ContainerRequestContext http)
            throws SQLException {
        SweepStore.SweepView sweep = sweeps.require(SweepStore.id(id));
        JobResource.Extension extension = JobResource.Extension.of(body);
        java.util.Map<UUID, String> names = new java.util.HashMap<>();
        int n = sweep.runs().size();
        for (int i = 0; i < n; i++) {
            SweepStore.SweepRun run = sweep.runs().get(i);
            names.put(run.jobId(), "run " + (i + 1) + " of " + n + " '" + run.name() + "'");
        }
        jobs.extendEach(
                names.keySet(),
                extension.pretrainSteps(),
                extension.ganSteps(),
                TrainingLimits.MAX_STEPS,
                Caller.name(http),
                names::get);
        return Response.accepted(sweeps.require(sweep.id())).build();
    }

    /** Deletes a sweep whose runs have all ended, with the runs and all they stored. */
    @Requires(Role.OPERATOR)
    @DELETE
    @Path("/{id}")
    @Operation(
            operationId = "deleteSweep",
            summary =
                    "Delete a sweep whose runs have all ended, with its runs and their checkpoints, losses and samples")
    @APIResponse(responseCode = "200", description = "what was deleted")
    @APIResponse(responseCode = "403", description = "the token's role is below OPERATOR")
    @APIResponse(responseCode = "404", description = "no such sweep")
    @APIResponse(responseCode = "409", description = "a run of the sweep is QUEUED or RUNNING (cancel the sweep first)")
    public Deletions.Deleted delete(@PathParam("id") String id, @Context ContainerRequestContext http)
            throws SQLException {
        return deletion.deleteSweep(SweepStore.id(id), Caller.name(http));
    }

    private String write(JsonNode node) {
        try {
            return node == null ? null : json.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
