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
import dev.srgan.core.upscale.BatchStore;
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
 * {@code POST /api/upscale/batch}: several images (parts, or one zip) in, one BATCH job out, with
 * one UPSCALE job per image so the images spread over the workers. Every image is checked first
 * ({@link BatchUpload}); then the batch, its images' blobs and jobs and their outbox messages are
 * written in one transaction, so a refused batch stores nothing. The output options are the single
 * upscale's ({@link UpscaleResource}) and hold for every image; the zip names its entries by them.
 */
@Path("/api/upscale/batch")
@Tag(name = "Upscale")
public class BatchResource {
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
    BatchStore batches;

    @Inject
    JobTable jobTable;

    @Inject
    ModelStore models;

    @Inject
    IdempotencyKeys keys;

    @Inject
    Webhooks webhooks;

    @Inject
    ImageUrls fetcher;

    /** What a batch submission answers: the batch's id, state, where to follow it and how many images it holds. */
    @Schema(name = "BatchSubmitted")
    public record Submitted(UUID id, String status, String url, int count) {}

    @Requires(Role.OPERATOR)
    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "upscaleBatch",
            summary = "Queue a BATCH job: several images (parts, or one zip), one UPSCALE job each")
    @APIResponse(
            responseCode = "202",
            description = "queued (or, with a known Idempotency-Key, the batch it created)",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = Submitted.class)))
    @APIResponse(
            responseCode = "400",
            description = "no images, both images and file, images and sourceJobId, a sourceJobId that is not a UUID, "
                    + "a zip that is not one or has an unsafe path, "
                    + "a damaged or truncated image (named), scale not 2/4/8, modelId not a UUID, "
                    + "blendModelId, blendWeight or blendMode as for a single upscale, "
                    + "format, quality, outscale or width as for a single upscale, "
                    + "a webhookUrl that is not an http(s) URL, an Idempotency-Key over 255 characters")
    @APIResponse(responseCode = "403", description = "the token's role is below OPERATOR")
    @APIResponse(
            responseCode = "429",
            description = "the batch's images would take the submitter past its limit of jobs queued or running")
    @APIResponse(
            responseCode = "413",
            description = "more than srgan.upload.batch.max-images images, more than "
                    + "srgan.upload.batch.max-total-pixels input pixels or srgan.upload.max-bytes in all, or one image over the single upscale's limits (a sourceJobId's images too: "
                    + "the limits may have been lowered since)")
    @APIResponse(responseCode = "415", description = "an image that is not PNG, JPEG, WebP or TIFF (named)")
    @APIResponse(
            responseCode = "422",
            description = "a zip without images, a sourceJobId that is no batch or whose images are no longer stored, "
                    + "no such model, a model of another scale, no model for the scale, "
                    + "a blend model as for a single upscale, "
                    + "an outscale or width an image's model cannot reach (named), "
                    + "a result with a side longer than its format holds (named), "
                    + "a webhookUrl host the cluster does not call, an imageUrls host it does not fetch from "
                    + "(srgan.upscale.url-hosts) or a URL that does not answer 200 with a body in time (named), "
                    + "or an Idempotency-Key used for another request")
    public Response submit(
            @RestForm("images") @Schema(description = "the images, one part each (or file)") List<FileUpload> images,
            @RestForm("file") @Schema(description = "a zip of PNG, JPEG, WebP and TIFF images (or images)")
                    FileUpload zip,
            @RestForm(ImageUrls.BATCH_FIELD)
                    @Schema(
                            description = "instead of images or file: http(s) URLs the api fetches the images from at"
                                    + " submission, one field each, on hosts srgan.upscale.url-hosts allows")
                    List<String> imageUrls,
            @RestForm("scale")
                    @Schema(
                            description = "2, 4 or 8: the model's scale; default 4, or with outscale or width the "
                                    + "smallest that reaches that size for every image")
                    String scale,
            @RestForm("modelId") @Schema(format = "uuid", description = "default: the default model of the scale")
                    String modelId,
            @RestForm("format") @Schema(description = UpscaleResource.FORMAT) String format,
            @RestForm("quality") @Schema(description = UpscaleResource.QUALITY) String quality,
            @RestForm("outscale") @Schema(description = UpscaleResource.OUTSCALE) String outscale,
            @RestForm("width")
                    @Schema(description = UpscaleResource.WIDTH + "; each image's height keeps its own aspect ratio")
                    String width,
            @RestForm("tags") @Schema(description = UpscaleResource.TAGS + " (on the batch)") String tags,
            @RestForm(Webhooks.FIELD)
                    @Schema(description = "POSTed the batch when it ends, not each image (see docs/webhooks.md)")
                    String webhookUrl,
            @RestForm(ModelBlend.MODEL_FIELD) @Schema(format = "uuid", description = UpscaleResource.BLEND_MODEL)
                    String blendModelId,
            @RestForm(ModelBlend.WEIGHT_FIELD) @Schema(description = UpscaleResource.BLEND_WEIGHT) String blendWeight,
            @RestForm(ModelBlend.MODE_FIELD)
                    @Schema(
                            enumeration = {"weights", "pixels"},
                            description = UpscaleResource.BLEND_MODE)
                    String blendMode,
            @RestForm(SourceImage.FIELD)
                    @Schema(
                            format = "uuid",
                            description = "instead of images or file: an earlier batch, whose images this batch"
                                    + " upscales again (each its own copy) with its own model, blend and output")
                    String sourceJobId,
            @HeaderParam(IdempotencyKeys.HEADER) @Parameter(description = ApiDocument.IDEMPOTENCY_KEY)
                    String idempotencyKey,
            @Context ContainerRequestContext request)
            throws SQLException, IOException {
        List<String> urls = imageUrls == null
                ? List.of()
                : imageUrls.stream().filter(u -> u != null && !u.isBlank()).toList();
        if (!urls.isEmpty()) {
            boolean uploaded = (zip != null && zip.uploadedFile() != null)
                    || (images != null && images.stream().anyMatch(f -> f != null && f.uploadedFile() != null));
            if (uploaded || sourceJobId != null) {
                throw ApiException.badRequest(
                        ImageUrls.BATCH_FIELD,
                        "send images (or a zip), imageUrls or sourceJobId (an earlier batch's images): one of them");
            }
            // before fetching any
            BatchUpload.requireCount(urls.size(), config.upload().batch().maxImages(), ImageUrls.BATCH_FIELD);
        }
        List<FileUpload> fetched = urls.isEmpty()
                ? List.of()
                : fetcher.fetch(urls, ImageUrls.BATCH_FIELD, config.upload().maxBytes());
        UUID id;
        try {
            id = submit(
                    urls.isEmpty() ? images : fetched,
                    zip,
                    SourceImage.parse(sourceJobId),
                    scale,
                    modelId,
                    OutputChecks.blend(blendModelId, blendWeight, blendMode),
                    new UpscaleResource.OutputTexts(format, quality, outscale, width),
                    JobLabels.ofText(tags),
                    webhookUrl,
                    idempotencyKey,
                    (Caller) request.getProperty(Caller.PROPERTY));
        } finally {
            ImageUrls.delete(fetched);
        }
        return Response.accepted(new Submitted(id, jobs.require(id).status(), "/api/jobs/" + id, batches.count(id)))
                .build();
    }

    /**
     * Checks and stores a batch in one transaction. With an idempotency key, the same key and
     * request return the first batch's id and store nothing (see {@link IdempotencyKeys}).
     */
    UUID submit(
            List<FileUpload> parts,
            FileUpload zip,
            UUID sourceJobId,
            String scaleText,
            String modelIdText,
            ModelBlend blend,
            UpscaleResource.OutputTexts outputTexts,
            JobLabels labels,
            String webhookUrl,
            String idempotencyKey,
            Caller caller)
            throws SQLException, IOException {
        Integer requestedScale = UpscaleResource.parseScale(scaleText);
        OutputOptions options = outputTexts.parse();
        UUID modelId = UpscaleResource.parseModelId(modelIdText);
        URI webhook = webhooks.parse(webhookUrl);
        BatchUpload.Limits limits = new BatchUpload.Limits(
                config.upload().batch().maxImages(),
                config.upload().batch().maxTotalPixels(),
                config.upload().maxBytes(),
                config.upscale().maxInputPixels(),
                config.upscale().maxOutputPixels());
        SourceBatch source = null;
        if (sourceJobId != null) {
            boolean uploaded = (zip != null && zip.uploadedFile() != null)
                    || (parts != null && parts.stream().anyMatch(f -> f != null && f.uploadedFile() != null));
            if (uploaded) {
                throw ApiException.badRequest(
                        SourceImage.FIELD,
                        "send images (or a zip) or sourceJobId (an earlier batch's images), not both");
            }
            try (Connection c = dataSource.getConnection()) {
                source = SourceBatch.find(c, sourceJobId);
            }
        }
        try (BatchUpload batch = source != null
                ? BatchUpload.stored(source, requestedScale, options, limits)
                : BatchUpload.read(parts, zip, requestedScale, options, limits)) {
            List<BatchUpload.Image> images = batch.images();
            int scale = batch.scale();
            Optional<IdempotencyKeys.Key> key = Optional.empty();
            if (idempotencyKey != null) {
                IdempotencyKeys.Fingerprint fingerprint = new IdempotencyKeys.Fingerprint()
                        .text(String.valueOf(scale))
                        .text(modelId == null ? null : modelId.toString())
                        .text(batch.zipName())
                        .text(webhook == null ? null : webhook.toString());
                if (source != null) {
                    fingerprint.text(SourceImage.FIELD + " " + source.jobId());
                } else {
                    for (BatchUpload.Image image : images) {
                        fingerprint.text(image.name()).file(image.file());
                    }
                }
                if (!options.isDefault()) {
                    // only then: a key sent before output options existed keeps its fingerprint
                    fingerprint.text(options.fingerprint());
                }
                if (!labels.equals(JobLabels.NONE)) {
                    fingerprint.text(labels.fingerprint());
                }
                if (blend != null) {
                    fingerprint.text(blend.params());
                }
                key = IdempotencyKeys.of(idempotencyKey, caller, "POST /api/upscale/batch", fingerprint.hex());
            }
            String name = source != null
                    ? source.name()
                    : batch.zipName() != null
                            ? batch.zipName() + " (" + images.size() + " images)"
                            : images.size() == 1 ? images.get(0).name() : images.size() + " images";
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
                    String blendParams = blend == null ? "" : "," + blend.params();
                    quotas.reserve(c, caller, images.size(), "this batch of " + images.size() + " images");
                    UUID id = jobTable.insertBatch(
                            c,
                            name,
                            batch.zipName(),
                            "{\"scale\":" + scale + ",\"count\":" + images.size() + "," + options.params() + blendParams
                                    + sourceParam(source == null ? null : source.rootJobId()) + "}",
                            model,
                            images.size(),
                            Caller.name(caller));
                    for (int i = 0; i < images.size(); i++) {
                        BatchUpload.Image image = images.get(i);
                        BlobStore.Blob blob;
                        if (image.source() != null) {
                            try {
                                blob = blobs.copy(c, image.source().blobId());
                            } catch (IOException gone) { // the source batch deleted since it was read
                                throw ApiException.unprocessable(
                                        SourceImage.FIELD,
                                        "the images of batch " + source.jobId() + " are no longer stored");
                            }
                        } else {
                            try (InputStream in = Files.newInputStream(image.file())) {
                                blob = blobs.write(
                                        c,
                                        in,
                                        image.info().contentType(),
                                        config.upload().maxBytes());
                            }
                        }
                        String params = "{\"scale\":" + scale + ",\"inputWidth\":"
                                + image.info().width() + ",\"inputHeight\":"
                                + image.info().height() + "," + options.params() + blendParams
                                + sourceParam(
                                        image.source() == null
                                                ? null
                                                : image.source().rootJobId()) + "}";
                        jobTable.insertImage(
                                c,
                                new JobTable.NewJob(
                                        JobType.UPSCALE,
                                        image.name(),
                                        params,
                                        blob.id(),
                                        image.name(),
                                        model,
                                        null,
                                        Caller.name(caller)),
                                id,
                                i);
                    }
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
                                "images",
                                "an image is larger than the limit of "
                                        + config.upload().maxBytes() + " bytes");
                    }
                    throw e;
                }
            }
        }
    }

    /** The params member naming the first upscale (or batch) of the same photos, or nothing. */
    private static String sourceParam(UUID root) {
        return root == null ? "" : ",\"" + SourceImage.FIELD + "\":\"" + root + "\"";
    }
}
