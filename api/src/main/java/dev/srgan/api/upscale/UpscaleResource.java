package dev.srgan.api.upscale;

import dev.srgan.api.ApiDocument;
import dev.srgan.api.idempotency.IdempotencyKeys;
import dev.srgan.core.auth.Caller;
import dev.srgan.core.auth.Quotas;
import dev.srgan.core.auth.Requires;
import dev.srgan.core.auth.Role;
import dev.srgan.core.config.ApiConfig;
import dev.srgan.core.errors.ApiException;
import dev.srgan.core.jobs.JobLabels;
import dev.srgan.core.jobs.JobStore;
import dev.srgan.core.models.ModelStore;
import dev.srgan.core.webhooks.Webhooks;
import dev.srgan.domain.images.ModelBlend;
import dev.srgan.domain.images.OutputOptions;
import dev.srgan.domain.jobs.JobType;
import dev.srgan.platform.blobs.BlobStore;
import dev.srgan.platform.jobs.JobTable;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * {@code POST /api/upscale}: one image in, a queued UPSCALE job out. Besides the model (scale,
 * modelId) a submission may ask for output options ({@link OutputOptions}: format, quality,
 * outscale or width), checked here against the image so that a job is only queued when a worker
 * can make what it asks for.
 */
@Path("/api/upscale")
@Tag(name = "Upscale", description = "Upscale images: one, or a batch")
public class UpscaleResource {
    static final Set<Integer> SCALES = Set.of(2, 4, 8);

    // the output options' form fields, described once for the single and the batch upscale
    static final String FORMAT = "png (the default), jpeg or webp (lossless, smaller than the PNG; at most 16384 "
            + "pixels a side); a JPEG has no alpha: transparency is composited on white";
    static final String QUALITY = "JPEG quality, 1 to 100; default 92; only with format=jpeg";
    static final String OUTSCALE = "the final size as a factor of the input's, from 1 to 8 (such as 3 or 2.5): the "
            + "model upscales by its scale, then the result is resized to round(width * outscale) x "
            + "round(height * outscale); default: the model's scale; not with width";
    static final String BLEND_MODEL = "a second model to blend with the model, such as one fine-tuned from it"
            + " (SRResNet 4x (real photos) for SRResNet 4x): each weight (blendMode weights) or each output pixel"
            + " (blendMode pixels) becomes (1 - blendWeight) x model + blendWeight x this one; with blendWeight";
    static final String BLEND_MODE = "weights (the default: one network of the mean weights, for a model and one"
            + " fine-tuned from it) or pixels (both models run and their outputs are mixed: twice the time, any two"
            + " models of one scale, a straight line from one output to the other); with blendModelId";
    static final String BLEND_WEIGHT =
            "the blend model's share, from 0 (the model alone) to 1 (the blend model" + " alone); with blendModelId";
    static final String WIDTH = "the final width in pixels (the height keeps the aspect ratio), at least the "
            + "image's width and at most 8 times it; not with outscale";

    @Inject
    Quotas quotas;

    @Inject
    ApiConfig config;

    @Inject
    DataSource dataSource;

    @Inject
    BlobStore blobs;

    @Inject
    JobStore jobs;

    @Inject
    JobTable jobTable;

    @Inject
    ModelStore models;

    @Inject
    IdempotencyKeys keys;

    @Inject
    Webhooks webhooks;

    @Inject
    ImageUrls imageUrls;

    /** What a submission answers: the job's id, state and where to follow it. */
    @Schema(name = "UpscaleSubmitted")
    public record Submitted(UUID id, String status, String url) {}

    /** The output options as sent, checked by {@link OutputChecks#parse}. */
    static final String TAGS = "labels to find the job by (GET /api/jobs?tag=...), comma-separated, e.g."
            + " client-a,urgent; each 1 to 32 letters, digits, spaces or . _ : / + = @ # -, at most 16";

    record OutputTexts(String format, String quality, String outscale, String width) {
        static final OutputTexts NONE = new OutputTexts(null, null, null, null);

        OutputOptions parse() {
            return OutputChecks.parse(format, quality, outscale, width);
        }
    }

    @Requires(Role.OPERATOR)
    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "upscale", summary = "Queue an UPSCALE job for one PNG, JPEG, WebP or TIFF image")
    @APIResponse(
            responseCode = "202",
            description = "queued (or, with a known Idempotency-Key, the job it created)",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = Submitted.class)))
    @APIResponse(
            responseCode = "400",
            description =
                    "no image (nor imageUrl or sourceJobId), more than one of them, imageUrl not an http(s) URL, sourceJobId not a UUID, scale not 2/4/8, modelId not a UUID, blendModelId not a UUID or without "
                            + "blendWeight (or the other way round), blendWeight not a number from 0 to 1, blendMode not weights or pixels or without blendModelId, format not png/jpeg/webp, quality not 1 to 100 "
                            + "or given without jpeg, outscale not a number from 1 to 8, width not a whole number, both "
                            + "outscale and width, an unreadable, truncated or damaged image, "
                            + "a webhookUrl that is not an http(s) URL, an Idempotency-Key over 255 characters")
    @APIResponse(responseCode = "403", description = "the token's role is below OPERATOR")
    @APIResponse(
            responseCode = "429",
            description = "the submitter has as many jobs queued or running as its limit allows (maxActiveJobs)")
    @APIResponse(
            responseCode = "413",
            description =
                    "the file (or what imageUrl answers) over srgan.upload.max-bytes, the image over srgan.upscale.max-input-pixels, "
                            + "or its output (the final size, and the model's output before resizing) over "
                            + "srgan.upscale.max-output-pixels")
    @APIResponse(responseCode = "415", description = "the image is not PNG, JPEG, WebP or TIFF (an animated WebP: 400)")
    @APIResponse(
            responseCode = "422",
            description = "no such model, a model of another scale, no model for the scale, a blend model that is "
                    + "missing or of another scale (for blendMode weights also a TorchScript file, another network or "
                    + "trained apart from the model), an outscale or width "
                    + "beyond the model's scale (or a width below the image's or over 8 times it), "
                    + "a result with a side longer than its format holds (16384 pixels for WebP), "
                    + "a webhookUrl host the cluster does not call, an imageUrl host it does not fetch from "
                    + "(srgan.upscale.url-hosts) or that does not answer 200 with a body in time, "
                    + "an Idempotency-Key used for another request, "
                    + "or a sourceJobId that is no single upscale or whose image is no longer stored")
    public Response submit(
            @RestForm("image") FileUpload image,
            @RestForm(ImageUrls.FIELD)
                    @Schema(
                            description = "instead of image: an http(s) URL the api fetches the image from at "
                                    + "submission, on a host srgan.upscale.url-hosts allows")
                    String imageUrl,
            @RestForm("scale")
                    @Schema(
                            description = "2, 4 or 8: the model's scale; default 4, or with outscale or width the "
                                    + "smallest that reaches that size")
                    String scale,
            @RestForm("modelId") @Schema(format = "uuid", description = "default: the default model of the scale")
                    String modelId,
            @RestForm("format") @Schema(description = FORMAT) String format,
            @RestForm("quality") @Schema(description = QUALITY) String quality,
            @RestForm("outscale") @Schema(description = OUTSCALE) String outscale,
            @RestForm("width") @Schema(description = WIDTH) String width,
            @RestForm("tags") @Schema(description = TAGS) String tags,
            @RestForm(Webhooks.FIELD) @Schema(description = "POSTed the job when it ends (see docs/webhooks.md)")
                    String webhookUrl,
            @RestForm(ModelBlend.MODEL_FIELD) @Schema(format = "uuid", description = BLEND_MODEL) String blendModelId,
            @RestForm(ModelBlend.WEIGHT_FIELD) @Schema(description = BLEND_WEIGHT) String blendWeight,
            @RestForm(ModelBlend.MODE_FIELD)
                    @Schema(
                            enumeration = {"weights", "pixels"},
                            description = BLEND_MODE)
                    String blendMode,
            @RestForm(SourceImage.FIELD)
                    @Schema(
                            format = "uuid",
                            description = "instead of an image: the id of an earlier UPSCALE job whose image to "
                                    + "upscale again (with another model, blend or output); the job records the "
                                    + "first upscale of the photo as its params.sourceJobId")
                    String sourceJobId,
            @HeaderParam(IdempotencyKeys.HEADER) @Parameter(description = ApiDocument.IDEMPOTENCY_KEY)
                    String idempotencyKey,
            @Context ContainerRequestContext request)
            throws SQLException, IOException {
        boolean byUrl = imageUrl != null && !imageUrl.isBlank();
        if (byUrl && ((image != null && image.uploadedFile() != null) || sourceJobId != null)) {
            throw ApiException.badRequest(
                    ImageUrls.FIELD, "send one of image, imageUrl and sourceJobId (an earlier upscale's image)");
        }
        List<FileUpload> fetched = byUrl
                ? imageUrls.fetch(
                        List.of(imageUrl), ImageUrls.FIELD, config.upload().maxBytes())
                : List.of();
        UUID id;
        try {
            id = submit(
                    byUrl ? fetched.get(0) : image,
                    SourceImage.parse(sourceJobId),
                    scale,
                    modelId,
                    OutputChecks.blend(blendModelId, blendWeight, blendMode),
                    new OutputTexts(format, quality, outscale, width),
                    null,
                    JobLabels.ofText(tags),
                    webhookUrl,
                    idempotencyKey,
                    (Caller) request.getProperty(Caller.PROPERTY));
        } finally {
            ImageUrls.delete(fetched);
        }
        return Response.accepted(new Submitted(id, jobs.require(id).status(), "/api/jobs/" + id))
                .build();
    }

    /** Validates and stores an upscale submission (a PNG at the scale) in one transaction. */
    public UUID submit(FileUpload image, String scaleText, String modelIdText, String name)
            throws SQLException, IOException {
        return submit(
                image, null, scaleText, modelIdText, null, OutputTexts.NONE, name, JobLabels.NONE, null, null, null);
    }

    /**
     * Validates and stores an upscale submission in one transaction. With an idempotency key, the
     * same key and request return the first job's id and store nothing (see {@link IdempotencyKeys});
     * the output options are part of the request.
     */
    UUID submit(
            FileUpload image,
            UUID sourceJobId,
            String scaleText,
            String modelIdText,
            ModelBlend blend,
            OutputTexts outputTexts,
            String name,
            JobLabels labels,
            String webhookUrl,
            String idempotencyKey,
            Caller caller)
            throws SQLException, IOException {
        boolean uploaded = image != null && image.uploadedFile() != null;
        if (uploaded && sourceJobId != null) {
            throw ApiException.badRequest(
                    SourceImage.FIELD, "send an image or sourceJobId (an earlier upscale's image), not both");
        }
        if (!uploaded && sourceJobId == null) {
            throw ApiException.badRequest(
                    "image",
                    "choose an image to upscale (multipart field 'image'), or send sourceJobId to upscale an earlier"
                            + " upscale's image again");
        }
        Integer requestedScale = parseScale(scaleText);
        OutputOptions options = outputTexts.parse();
        UUID modelId = parseModelId(modelIdText);
        URI webhook = webhooks.parse(webhookUrl);
        SourceImage source = null;
        String fileName;
        ImageInspector.ImageInfo info;
        if (uploaded) {
            fileName = image.fileName() == null || image.fileName().isBlank() ? "image" : image.fileName();
            String field = image.name() == null ? "image" : image.name(); // imageUrl when fetched
            if (image.size() > config.upload().maxBytes()) {
                throw ApiException.tooLarge(
                        field,
                        "'" + fileName + "' is " + image.size() + " bytes; the limit is "
                                + config.upload().maxBytes() + " bytes");
            }
            info = ImageInspector.inspect(
                    image.uploadedFile(), field, fileName, config.upscale().maxInputPixels());
        } else {
            try (Connection c = dataSource.getConnection()) {
                source = SourceImage.find(c, sourceJobId);
            }
            fileName = source.inputName();
            info = source.info();
            if (info.pixels() > config.upscale().maxInputPixels()) { // the limit lowered since it was uploaded
                throw ApiException.tooLarge(
                        SourceImage.FIELD,
                        "the image of job " + source.jobId() + " is " + info.width() + "x" + info.height() + " = "
                                + ImageInspector.megapixels(info.pixels()) + " megapixels; the limit is "
                                + ImageInspector.megapixels(config.upscale().maxInputPixels()) + " megapixels");
            }
        }
        int scale = OutputChecks.modelScale(requestedScale, options, info, null);
        OutputChecks.check(info, null, scale, options, config.upscale().maxOutputPixels(), null);
        Optional<IdempotencyKeys.Key> key = Optional.empty();
        if (idempotencyKey != null) {
            IdempotencyKeys.Fingerprint fingerprint = new IdempotencyKeys.Fingerprint()
                    .text(String.valueOf(scale))
                    .text(modelId == null ? null : modelId.toString())
                    .text(name)
                    .text(webhook == null ? null : webhook.toString());
            if (source == null) {
                fingerprint.file(image.uploadedFile());
            } else {
                fingerprint.text(SourceImage.FIELD + " " + source.jobId());
            }
            if (!labels.equals(JobLabels.NONE)) {
                fingerprint.text(labels.fingerprint());
            }
            if (!options.isDefault()) {
                // only then: a key sent before output options existed keeps its fingerprint
                fingerprint.text(options.fingerprint());
            }
            if (blend != null) {
                fingerprint.text(blend.params());
            }
            key = IdempotencyKeys.of(idempotencyKey, caller, "POST /api/upscale", fingerprint.hex());
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Optional<UUID> earlier = key.isPresent() ? keys.take(c, key.get()) : Optional.empty();
                if (earlier.isPresent()) {
                    c.rollback();
                    return earlier.get();
                }
                UUID model = models.resolveForUpscale(c, modelId, scale);
                models.requireBlendable(c, model, blend);
                quotas.reserve(c, caller, 1, "this upscale");
                BlobStore.Blob blob;
                if (source != null) {
                    try {
                        blob = blobs.copy(c, source.blobId());
                    } catch (IOException gone) { // the source job deleted since it was read
                        throw ApiException.unprocessable(
                                SourceImage.FIELD, "the image of job " + source.jobId() + " is no longer stored");
                    }
                } else {
                    try (InputStream in = Files.newInputStream(image.uploadedFile())) {
                        blob = blobs.write(
                                c, in, info.contentType(), config.upload().maxBytes());
                    }
                }
                String params = "{\"scale\":" + scale + ",\"inputWidth\":" + info.width() + ",\"inputHeight\":"
                        + info.height() + "," + options.params() + (blend == null ? "" : "," + blend.params())
                        + (source == null ? "" : ",\"" + SourceImage.FIELD + "\":\"" + source.rootJobId() + "\"")
                        + "}";
                UUID id = jobTable.insert(
                        c,
                        new JobTable.NewJob(
                                JobType.UPSCALE,
                                name == null ? fileName : name,
                                params,
                                blob.id(),
                                fileName,
                                model,
                                null,
                                Caller.name(caller)));
                labels.write(c, id);
                webhooks.attach(c, id, webhook);
                if (key.isPresent()) {
                    keys.complete(c, key.get(), id);
                }
                c.commit();
                return id;
            } catch (SQLException | IOException | RuntimeException e) {
                c.rollback();
                if (e instanceof BlobStore.TooLargeException) {
                    throw ApiException.tooLarge(
                            "image",
                            "'" + fileName + "' is larger than the limit of "
                                    + config.upload().maxBytes() + " bytes");
                }
                throw e;
            }
        }
    }

    /** The requested model, or null for the default of the scale; 400 for text that is not a UUID. */
    static UUID parseModelId(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return UUID.fromString(text.trim());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("modelId", "modelId must be a model id (UUID), got '" + text + "'");
        }
    }

    /**
     * The scale asked for, or null when none is (then it follows from the output options: 4, or the
     * smallest that reaches outscale or width); 400 for anything but 2, 4 or 8, pointing a factor
     * between 1 and 8 to outscale.
     */
    static Integer parseScale(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            int s = Integer.parseInt(text.trim());
            if (SCALES.contains(s)) {
                return s;
            }
        } catch (NumberFormatException ignored) {
            // falls through to the message
        }
        String hint = "";
        try {
            OutputOptions.parse(null, null, text, null);
            hint = "; for a result " + text.trim() + " times the size, send outscale=" + text.trim()
                    + " (the model of the next scale up, then resized)";
        } catch (OutputOptions.InvalidOption notAFactor) {
            // no hint: it is no factor outscale takes either
        }
        throw ApiException.badRequest("scale", "scale must be 2, 4 or 8, got '" + text + "'" + hint);
    }
}
