package dev.srgan.api.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srgan.api.Attachment;
import dev.srgan.core.audit.AuditLog;
import dev.srgan.core.auth.Caller;
import dev.srgan.core.config.ApiConfig;
import dev.srgan.core.datasets.DatasetStore;
import dev.srgan.core.errors.ApiException;
import dev.srgan.core.models.ModelCatalog;
import dev.srgan.core.models.ModelCatalog.ModelView;
import dev.srgan.core.models.ModelComparisons;
import dev.srgan.core.models.ModelStore;
import dev.srgan.core.storage.Deletions;
import dev.srgan.core.training.TrainingStore;
import dev.srgan.domain.images.ModelBlend;
import dev.srgan.domain.images.OutputOptions;
import dev.srgan.domain.jobs.JobType;
import dev.srgan.networks.checkpoint.Checkpoint;
import dev.srgan.networks.image.Degradation;
import dev.srgan.platform.blobs.BlobStore;
import dev.srgan.platform.jobs.JobTable;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
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
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import java.util.zip.ZipFile;
import javax.sql.DataSource;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * Registered upscale models: from a training checkpoint ("use as upscale model"), an uploaded
 * SRGAN model zip (e.g. from {@code ./srgan train}), or a generator exported from PyTorch with
 * {@code torch.jit.trace} (TorchScript upload).
 */
@Path("/api/models")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Models", description = "Upscale models: register, choose the default, evaluate, compare, export")
public class ModelResource {
    @Inject
    ApiConfig config;

    @Inject
    DataSource dataSource;

    @Inject
    BlobStore blobs;

    @Inject
    ObjectMapper json;

    @Inject
    JobTable jobs;

    @Inject
    TrainingStore training;

    @Inject
    DatasetStore datasets;

    @Inject
    ModelComparisons comparisons;

    @Inject
    ModelCatalog catalog;

    @Inject
    ModelStore models;

    @Inject
    ModelExports exports;

    @Inject
    Deletions deletion;

    /** Registration from a checkpoint. */
    public record FromCheckpoint(String checkpointId, String name, String description, Boolean makeDefault) {}

    /** A model made by blending two: {@code modelId} with {@code blendModelId} at {@code blendWeight}. */
    public record BlendRequest(
            @Schema(format = "uuid", description = "the model blended into")
            String modelId,

            @Schema(format = "uuid", description = "a model fine-tuned from it (or from a common model)")
            String blendModelId,

            @Schema(
                    description = "its share, from 0 to 1: each weight (1 - w) x model + w x blend model",
                    example = "0.5")
            String blendWeight,

            @Schema(description = "default: \"<model> + <share> <blend model>\"")
            String name,

            String description,
            Boolean makeDefault) {}

    @GET
    @Operation(operationId = "listModels", summary = "The registered upscale models with their latest evaluation")
    @APIResponse(responseCode = "200", description = "models")
    public List<ModelView> list() throws SQLException {
        return catalog.list();
    }

    @GET
    @Path("/{id}")
    @Operation(
            operationId = "getModel",
            summary = "One model: format, scale, source, default, evaluation, comparison crop")
    @APIResponse(responseCode = "200", description = "the model")
    @APIResponse(responseCode = "404", description = "no such model")
    public ModelView get(@PathParam("id") String id) throws SQLException {
        UUID modelId = uuid(id);
        return catalog.find(modelId).orElseThrow(() -> ApiException.notFound("no model " + id));
    }

    /**
     * The model's generator as ONNX ({@code format=onnx}): opset 17, input and output float32 NCHW
     * RGB in [0, 1], dynamic height and width (docs/onnx.md).
     */
    @GET
    @Path("/{id}/export")
    @Produces({"application/octet-stream", MediaType.APPLICATION_JSON})
    @Operation(
            operationId = "exportModel",
            summary = "The model's generator as ONNX (opset 17, float32 NCHW RGB in [0, 1]; docs/onnx.md)")
    @APIResponse(
            responseCode = "200",
            description = "the .onnx file, as an attachment",
            content =
                    @Content(
                            mediaType = "application/octet-stream",
                            schema = @Schema(type = SchemaType.STRING, format = "binary")))
    @APIResponse(responseCode = "400", description = "format is not onnx")
    @APIResponse(responseCode = "404", description = "no such model")
    @APIResponse(responseCode = "422", description = "a TorchScript upload, or a model that cannot be exported")
    public Response export(@PathParam("id") String id, @QueryParam("format") String format)
            throws SQLException, IOException {
        ModelExports.Export export = exports.export(uuid(id), format);
        return Attachment.of(export.bytes(), "application/octet-stream", export.filename())
                .build();
    }

    /** The model's comparison crop (PNG), 404 until it has one. */
    @GET
    @Path("/{id}/comparison")
    @Produces({"image/png", MediaType.APPLICATION_JSON})
    @Operation(
            operationId = "getModelComparison",
            summary = "The model's crop of the comparison photo, the same window for every model")
    @APIResponse(
            responseCode = "200",
            description = "the PNG",
            content = @Content(mediaType = "image/png", schema = @Schema(type = SchemaType.STRING, format = "binary")))
    @APIResponse(responseCode = "404", description = "no such model, or it has no crop yet (evaluate it)")
    public Response comparison(@PathParam("id") String id) throws SQLException {
        UUID modelId = uuid(id);
        UUID blobId;
        try (Connection c = dataSource.getConnection()) {
            blobId = comparisons
                    .find(c, modelId)
                    .map(ModelComparisons.Crop::blobId)
                    .orElseThrow(
                            () -> ApiException.notFound("model " + id + " has no comparison crop (evaluate it first)"));
        }
        StreamingOutput body = out -> blobs.copyTo(dataSource, blobId, out);
        return Response.ok(body, "image/png")
                .header("Cache-Control", "private, max-age=60")
                .build();
    }

    /** The original's crop ({@code kind} original) or bicubic's at {@code scale} (kind bicubic), PNG. */
    @GET
    @Path("/comparison/{kind}")
    @Produces({"image/png", MediaType.APPLICATION_JSON})
    @Operation(
            operationId = "getComparisonReference",
            summary =
                    "The original's (kind original) or bicubic's (kind bicubic, at scale) crop of the comparison window")
    @APIResponse(
            responseCode = "200",
            description = "the PNG",
            content = @Content(mediaType = "image/png", schema = @Schema(type = SchemaType.STRING, format = "binary")),
            headers =
                    @Header(
                            name = "X-Psnr-Y",
                            description = "bicubic's PSNR on Y against the original",
                            schema = @Schema(type = SchemaType.NUMBER)))
    @APIResponse(responseCode = "400", description = "scale not 2, 4 or 8")
    @APIResponse(responseCode = "404", description = "kind is neither original nor bicubic")
    public Response comparisonReference(
            @PathParam("kind") String kind, @QueryParam("scale") @DefaultValue("4") String scale) {
        int s;
        try {
            s = Integer.parseInt(scale);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("scale", "scale must be 2, 4 or 8, got '" + scale + "'");
        }
        ModelComparisons.Reference r = comparisons.reference(kind, s);
        Response.ResponseBuilder ok =
                Response.ok(r.png(), "image/png").header("Cache-Control", "private, max-age=3600");
        return r.psnr() == null
                ? ok.build()
                : ok.header("X-Psnr-Y", String.format(java.util.Locale.ROOT, "%.4f", r.psnr()))
                        .build();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "registerModel",
            summary =
                    "Register a model: a training checkpoint's generator (JSON), or an uploaded SRGAN zip or TorchScript file (multipart)")
    @APIResponse(
            responseCode = "201",
            description = "the model",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = ModelView.class)))
    @APIResponse(
            responseCode = "400",
            description = "a body that is not JSON, checkpointId missing or not a UUID, no file, scale not 2/4/8 "
                    + "(required for TorchScript), name over 200 characters")
    @APIResponse(responseCode = "403", description = "the token's role is below ADMIN")
    @APIResponse(responseCode = "413", description = "the file over srgan.upload.max-bytes")
    @APIResponse(responseCode = "415", description = "the file is neither an SRGAN model zip nor TorchScript")
    @APIResponse(
            responseCode = "422",
            description = "no such checkpoint, a broken SRGAN zip, or a scale that does not match the zip's")
    public Response fromCheckpoint(FromCheckpoint request, @Context ContainerRequestContext http)
            throws SQLException, IOException {
        return Response.status(201)
                .entity(registerCheckpoint(request, Caller.name(http)))
                .build();
    }

    /** Registers a training checkpoint's generator as a model, by {@code actor} (the audit log's). */
    ModelView registerCheckpoint(FromCheckpoint request, String actor) throws SQLException, IOException {
        if (request == null || request.checkpointId() == null) {
            throw ApiException.badRequest(
                    "checkpointId", "checkpointId is required (or upload a TorchScript file as multipart)");
        }
        UUID checkpointId;
        try {
            checkpointId = UUID.fromString(request.checkpointId().trim());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("checkpointId", "checkpointId must be a checkpoint id (UUID)");
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            UUID id = UUID.randomUUID();
            TrainingStore.CheckpointSource source = training.checkpointSource(c, checkpointId)
                    .orElseThrow(() -> ApiException.unprocessable("checkpointId", "no checkpoint " + checkpointId));
            JsonNode config = json.readTree(source.configJson());
            int scale = config.path("scale").asInt(4);
            int blocks = config.path("residualBlocks").asInt(16);
            String name = request.name() == null || request.name().isBlank()
                    ? source.runName() + " @ step " + source.step()
                    : request.name().trim();
            ModelStore.insert(
                    c,
                    id,
                    name,
                    "CHECKPOINT",
                    scale,
                    blocks,
                    "checkpoint of training job " + source.jobId() + " at step " + source.step()
                            + (source.baseModelName() == null
                                    ? ""
                                    : ", fine-tuned from model '" + source.baseModelName() + "'"),
                    source.jobId(),
                    checkpointId,
                    source.blobId(),
                    request.description());
            if (Boolean.TRUE.equals(request.makeDefault())) {
                ModelStore.makeDefault(c, id, scale);
            }
            AuditLog.record(
                    c,
                    actor,
                    "model.registered",
                    id,
                    "model '" + name + "' (" + scale + "x) from the checkpoint of run '" + source.runName()
                            + "' at step " + source.step()
                            + (Boolean.TRUE.equals(request.makeDefault()) ? ", made the default" : ""));
            c.commit();
            return get(id.toString());
        }
    }

    @POST
    @Path("/blend")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "blendModels",
            summary = "Register a model between two of one lineage (ESRGAN's network interpolation), to upscale, "
                    + "evaluate or make the default")
    @APIResponse(
            responseCode = "201",
            description = "the model",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = ModelView.class)))
    @APIResponse(
            responseCode = "400",
            description = "a body that is not JSON, modelId or blendModelId missing or not a UUID, blendWeight "
                    + "missing or not a number from 0 to 1, name over 200 characters")
    @APIResponse(responseCode = "403", description = "the token's role is below ADMIN")
    @APIResponse(
            responseCode = "422",
            description = "no such model, a TorchScript file, two different networks, or two models trained apart")
    public Response blend(BlendRequest request, @Context ContainerRequestContext http)
            throws SQLException, IOException {
        if (request == null || request.modelId() == null || request.modelId().isBlank()) {
            throw ApiException.badRequest("modelId", "modelId is required: the model to blend into");
        }
        UUID modelId;
        try {
            modelId = UUID.fromString(request.modelId().trim());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(
                    "modelId", "modelId must be a model id (UUID), got '" + request.modelId() + "'");
        }
        ModelBlend blend;
        try {
            blend = ModelBlend.parse(request.blendModelId(), request.blendWeight());
        } catch (OutputOptions.InvalidOption e) {
            throw ApiException.badRequest(e.field(), e.getMessage());
        }
        if (blend == null) {
            throw ApiException.badRequest(ModelBlend.MODEL_FIELD, "blendModelId is required: the model to blend in");
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                ModelStore.Blended blended = models.blend(c, modelId, blend);
                String share = blend.percent();
                String name = request.name() == null || request.name().isBlank()
                        ? blended.modelName() + " + " + share + " " + blended.blendModelName()
                        : request.name().trim();
                byte[] file = blended.checkpoint().toBytes();
                BlobStore.Blob blob = blobs.write(
                        c, new java.io.ByteArrayInputStream(file), "application/vnd.srgan.model+zip", Long.MAX_VALUE);
                UUID id = UUID.randomUUID();
                int scale = blended.checkpoint().config().scale();
                ModelStore.insert(
                        c,
                        id,
                        name,
                        "CHECKPOINT",
                        scale,
                        blended.checkpoint().config().residualBlocks(),
                        "blend of '" + blended.modelName() + "' with " + share + " of '" + blended.blendModelName()
                                + "'",
                        null,
                        null,
                        blob.id(),
                        request.description());
                if (Boolean.TRUE.equals(request.makeDefault())) {
                    ModelStore.makeDefault(c, id, scale);
                }
                AuditLog.record(
                        c,
                        Caller.name(http),
                        "model.registered",
                        id,
                        "model '" + name + "' (" + scale + "x), a blend of '" + blended.modelName() + "' with " + share
                                + " of '" + blended.blendModelName() + "'"
                                + (Boolean.TRUE.equals(request.makeDefault()) ? ", made the default" : ""));
                c.commit();
                return Response.status(201).entity(get(id.toString())).build();
            } catch (SQLException | IOException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /**
     * Uploads a model file: an SRGAN model or checkpoint zip ({@code model.srgan.zip} from
     * {@code ./srgan train}, a downloaded checkpoint; scale and blocks come from its manifest) or a
     * TorchScript generator ({@code torch.jit.trace} of the seed's Generator; {@code scale} required).
     */
    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    // the same operation as fromCheckpoint (registerModel), which lists its other answers
    @APIResponse(
            responseCode = "201",
            description = "the model",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = ModelView.class)))
    public Response upload(
            @RestForm("file") FileUpload file,
            @RestForm("name") String name,
            @RestForm("scale") String scale,
            @RestForm("makeDefault") boolean makeDefault,
            @Context ContainerRequestContext http)
            throws SQLException, IOException {
        if (file == null || file.uploadedFile() == null) {
            throw ApiException.badRequest(
                    "file",
                    "choose a model file to upload (multipart field 'file'): an SRGAN .srgan.zip or a TorchScript .pt");
        }
        if (file.size() > config.upload().maxBytes()) {
            throw ApiException.tooLarge(
                    "file",
                    "the file is " + file.size() + " bytes; the limit is "
                            + config.upload().maxBytes() + " bytes");
        }
        String label = file.fileName() == null ? "model" : file.fileName();
        Integer givenScale = null;
        if (scale != null && !scale.isBlank()) {
            try {
                givenScale = Integer.parseInt(scale.trim());
            } catch (NumberFormatException e) {
                givenScale = -1;
            }
            if (givenScale != 2 && givenScale != 4 && givenScale != 8) {
                throw ApiException.badRequest("scale", "scale must be 2, 4 or 8: the factor the generator upscales by");
            }
        }
        Checkpoint srgan = readSrganZip(file.uploadedFile(), label);
        String format;
        int s;
        Integer blocks;
        String source;
        String contentType;
        if (srgan != null) {
            s = srgan.config().scale();
            if (givenScale != null && givenScale != s) {
                throw ApiException.unprocessable(
                        "scale", "'" + label + "' is a " + s + "x model; scale says " + givenScale);
            }
            format = "CHECKPOINT";
            blocks = srgan.config().residualBlocks();
            source = "upload '" + label + "' (step " + srgan.step() + ", " + srgan.contentLoss() + ")";
            contentType = "application/vnd.srgan.model+zip";
        } else if (isTorchScript(file.uploadedFile())) {
            if (givenScale == null) {
                throw ApiException.badRequest(
                        "scale", "scale must be 2, 4 or 8: the factor the traced generator upscales by");
            }
            s = givenScale;
            format = "TORCHSCRIPT";
            blocks = null;
            source = "TorchScript upload '" + label + "'";
            contentType = "application/octet-stream";
        } else {
            throw ApiException.unsupportedType(
                    "file",
                    "'" + label + "' is neither an SRGAN model (.srgan.zip with manifest.json) "
                            + "nor a TorchScript file (torch.jit.save writes a zip with data.pkl)");
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            UUID id = UUID.randomUUID();
            try (InputStream in = Files.newInputStream(file.uploadedFile())) {
                BlobStore.Blob blob =
                        blobs.write(c, in, contentType, config.upload().maxBytes());
                String modelName =
                        name == null || name.isBlank() ? label.replaceAll("(\\.srgan)?\\.(pt|zip)$", "") : name.trim();
                ModelStore.insert(c, id, modelName, format, s, blocks, source, null, null, blob.id(), null);
                if (makeDefault) {
                    ModelStore.makeDefault(c, id, s);
                }
                AuditLog.record(
                        c,
                        Caller.name(http),
                        "model.registered",
                        id,
                        "model '" + modelName + "' (" + s + "x, " + format + ") uploaded as '" + label + "'"
                                + (makeDefault ? ", made the default" : ""));
            } catch (SQLException | IOException | RuntimeException e) {
                c.rollback();
                throw e;
            }
            c.commit();
            return Response.status(201).entity(get(id.toString())).build();
        }
    }

    /**
     * Reads an SRGAN model or checkpoint zip; null when the file is no such zip (it may be
     * TorchScript). A zip that says it is one but is broken is a 422 naming the problem.
     */
    static Checkpoint readSrganZip(java.nio.file.Path file, String label) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            if (zip.getEntry("manifest.json") == null) {
                return null;
            }
        } catch (IOException e) {
            return null;
        }
        try (InputStream in = Files.newInputStream(file)) {
            return Checkpoint.read(in);
        } catch (IOException | RuntimeException e) {
            throw ApiException.unprocessable("file", "'" + label + "' is not a usable SRGAN model: " + e.getMessage());
        }
    }

    /** Makes the model the default for its scale (what an upscale without modelId uses). */
    @POST
    @Path("/{id}/default")
    @Operation(
            operationId = "setDefaultModel",
            summary = "Make the model the one an upscale without modelId uses for its scale")
    @APIResponse(responseCode = "200", description = "the model")
    @APIResponse(responseCode = "403", description = "the token's role is below ADMIN")
    @APIResponse(responseCode = "404", description = "no such model")
    public ModelView setDefault(@PathParam("id") String id, @Context ContainerRequestContext http) throws SQLException {
        UUID modelId = uuid(id);
        ModelView m = get(id);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            ModelStore.makeDefault(c, modelId, m.scale());
            AuditLog.record(
                    c,
                    Caller.name(http),
                    "model.default",
                    modelId,
                    "model '" + m.name() + "' is the default for " + m.scale() + "x upscales");
            c.commit();
        }
        return get(id);
    }

    @DELETE
    @Path("/{id}")
    @Operation(
            operationId = "deleteModel",
            summary = "Delete a model with its evaluations; the jobs that used it keep their history")
    @APIResponse(
            responseCode = "200",
            description = "what was deleted (its file stays while a training checkpoint holds it)")
    @APIResponse(responseCode = "403", description = "the token's role is below ADMIN")
    @APIResponse(responseCode = "404", description = "no such model")
    @APIResponse(
            responseCode = "409",
            description = "the default of its scale, a shipped model, or a QUEUED or RUNNING job uses it")
    public Deletions.Deleted delete(@PathParam("id") String id, @Context ContainerRequestContext http)
            throws SQLException {
        return deletion.deleteModel(uuid(id), Caller.name(http));
    }

    /**
     * An evaluation request: the dataset of photos to measure the model on, and optionally how to
     * degrade their LR inputs as real photos are (none: the bicubic shrink alone).
     */
    public record EvaluateRequest(
            String datasetId,

            @Schema(description = "Gaussian blur before the shrink, sigma in HR pixels (0 to 10)")
            Double blurSigma,

            @Schema(description = "Gaussian noise after the shrink, sigma in 8-bit levels (0 to 50)")
            Double noiseSigma,

            @Schema(description = "JPEG compression of the LR input at this quality (1 to 100)")
            Integer jpegQuality,

            @Schema(
                    format = "uuid",
                    description = "a second model to blend with the model, as an upscale's blendModelId: the"
                            + " evaluation measures the blend")
            String blendModelId,

            @Schema(description = "the blend model's share, from 0 to 1; with blendModelId", example = "0.5")
            String blendWeight,

            @Schema(
                    enumeration = {"weights", "pixels"},
                    description = "weights (the default) or pixels, as an upscale's blendMode; with blendModelId")
            String blendMode) {

        /** The blend asked for, or null for the model alone; 400 naming the field for a malformed one. */
        ModelBlend blend() {
            try {
                return ModelBlend.parse(blendModelId, blendWeight, blendMode);
            } catch (OutputOptions.InvalidOption e) {
                throw ApiException.badRequest(e.field(), e.getMessage());
            }
        }

        /** The degradation asked for. */
        Degradation degradation() {
            double blur = blurSigma == null ? 0 : blurSigma;
            double noise = noiseSigma == null ? 0 : noiseSigma;
            if (!(blur >= 0 && blur <= Degradation.MAX_BLUR_SIGMA)) {
                throw ApiException.badRequest("blurSigma", "blurSigma must be from 0 to 10 (HR pixels)");
            }
            if (!(noise >= 0 && noise <= Degradation.MAX_NOISE_SIGMA)) {
                throw ApiException.badRequest("noiseSigma", "noiseSigma must be from 0 to 50 (8-bit levels)");
            }
            if (jpegQuality != null && (jpegQuality < 1 || jpegQuality > 100)) {
                throw ApiException.badRequest(
                        "jpegQuality", "jpegQuality must be from 1 to 100, or absent for no JPEG compression");
            }
            return new Degradation(blur, noise, jpegQuality == null ? 0 : jpegQuality);
        }
    }

    /**
     * Queues an EVALUATE job: the model on every photo of a dataset, each shrunk by bicubic (and
     * degraded, if asked) and upscaled by the model and by bicubic, PSNR/SSIM on Y and NIQE; the
     * result appears on the model.
     */
    @POST
    @Path("/{id}/evaluate")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "evaluateModel",
            summary =
                    "Queue an EVALUATE job: the model on every photo of a dataset (PSNR, SSIM, NIQE, and the comparison crop)")
    @APIResponse(
            responseCode = "202",
            description = "queued",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = Submitted.class)))
    @APIResponse(
            responseCode = "400",
            description = "a body that is not JSON, datasetId not a UUID, a degradation out of its range, a blend"
                    + " as an upscale's (blendModelId, blendWeight, blendMode)")
    @APIResponse(responseCode = "403", description = "the token's role is below ADMIN")
    @APIResponse(responseCode = "404", description = "no such model")
    @APIResponse(responseCode = "422", description = "no such dataset, a blend model as an upscale's is refused")
    public Response evaluate(@PathParam("id") String id, EvaluateRequest request, @Context ContainerRequestContext http)
            throws SQLException, IOException {
        ModelView model = get(id);
        UUID datasetId;
        try {
            datasetId = UUID.fromString(
                    request == null ? "" : String.valueOf(request.datasetId()).trim());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("datasetId", "datasetId must be the id of an uploaded dataset of photos");
        }
        Degradation degradation = request.degradation();
        ModelBlend blend = request.blend();
        ObjectNode params = json.createObjectNode().put("scale", model.scale());
        if (!degradation.isNone()) {
            params.set("degradation", json.valueToTree(degradation));
        }
        if (blend != null) {
            params.put(ModelBlend.MODEL_FIELD, blend.modelId().toString()).put(ModelBlend.WEIGHT_FIELD, blend.weight());
            if (blend.mode() != ModelBlend.Mode.WEIGHTS) {
                params.put(ModelBlend.MODE_FIELD, blend.mode().id());
            }
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            String datasetName = datasets.requireName(c, datasetId, "datasetId");
            String blended = "";
            if (blend != null) {
                blended = " + " + blend.percent() + " " + models.requireBlendable(c, model.id(), blend) + blend.how();
            }
            UUID jobId = jobs.insert(
                    c,
                    new JobTable.NewJob(
                            JobType.EVALUATE,
                            "evaluate " + model.name() + blended + " on " + datasetName
                                    + (degradation.isNone() ? "" : " (degraded: " + degradation.describe() + ")"),
                            params.toString(),
                            null,
                            null,
                            model.id(),
                            datasetId,
                            Caller.name(http)));
            c.commit();
            return Response.accepted(new Submitted(jobId, "QUEUED", "/api/jobs/" + jobId))
                    .build();
        }
    }

    /** What a submission answers. */
    @Schema(name = "EvaluationSubmitted")
    public record Submitted(UUID id, String status, String url) {}

    static boolean isTorchScript(java.nio.file.Path file) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return zip.stream().anyMatch(e -> e.getName().endsWith("data.pkl"));
        } catch (IOException e) {
            return false;
        }
    }

    private static UUID uuid(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("no model " + id);
        }
    }
}
