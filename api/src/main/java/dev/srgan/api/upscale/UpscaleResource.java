package dev.srgan.api.upscale;

import dev.srgan.api.ApiDocument;
import dev.srgan.api.idempotency.IdempotencyKeys;
import dev.srgan.core.auth.Caller;
import dev.srgan.core.auth.Requires;
import dev.srgan.core.auth.Role;
import dev.srgan.core.config.ApiConfig;
import dev.srgan.core.errors.ApiException;
import dev.srgan.core.jobs.JobStore;
import dev.srgan.core.models.ModelStore;
import dev.srgan.core.webhooks.Webhooks;
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

/** {@code POST /api/upscale}: one image in, a queued UPSCALE job out. */
@Path("/api/upscale")
@Tag(name = "Upscale", description = "Upscale images: one, or a batch")
public class UpscaleResource {
    static final Set<Integer> SCALES = Set.of(2, 4, 8);

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

    /** What a submission answers: the job's id, state and where to follow it. */
    @Schema(name = "UpscaleSubmitted")
    public record Submitted(UUID id, String status, String url) {}

    @Requires(Role.OPERATOR)
    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "upscale", summary = "Queue an UPSCALE job for one PNG or JPEG image")
    @APIResponse(
            responseCode = "202",
            description = "queued (or, with a known Idempotency-Key, the job it created)",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = Submitted.class)))
    @APIResponse(
            responseCode = "400",
            description = "no image, scale not 2/4/8, modelId not a UUID, an unreadable, truncated or damaged image, "
                    + "a webhookUrl that is not an http(s) URL, an Idempotency-Key over 255 characters")
    @APIResponse(responseCode = "403", description = "the token's role is below OPERATOR")
    @APIResponse(
            responseCode = "413",
            description = "the file over srgan.upload.max-bytes, the image over srgan.upscale.max-input-pixels, "
                    + "or its output over srgan.upscale.max-output-pixels")
    @APIResponse(responseCode = "415", description = "the image is not PNG or JPEG")
    @APIResponse(
            responseCode = "422",
            description = "no such model, a model of another scale, no model for the scale, "
                    + "a webhookUrl host the cluster does not call, or an Idempotency-Key used for another request")
    public Response submit(
            @RestForm("image") FileUpload image,
            @RestForm("scale") @Schema(description = "2, 4 or 8; default 4") String scale,
            @RestForm("modelId") @Schema(format = "uuid", description = "default: the default model of the scale")
                    String modelId,
            @RestForm(Webhooks.FIELD) @Schema(description = "POSTed the job when it ends (see docs/webhooks.md)")
                    String webhookUrl,
            @HeaderParam(IdempotencyKeys.HEADER) @Parameter(description = ApiDocument.IDEMPOTENCY_KEY)
                    String idempotencyKey,
            @Context ContainerRequestContext request)
            throws SQLException, IOException {
        UUID id = submit(
                image, scale, modelId, null, webhookUrl, idempotencyKey, (Caller) request.getProperty(Caller.PROPERTY));
        return Response.accepted(new Submitted(id, jobs.require(id).status(), "/api/jobs/" + id))
                .build();
    }

    /** Validates and stores an upscale submission in one transaction; used by the dashboard. */
    public UUID submit(FileUpload image, String scaleText, String modelIdText, String name)
            throws SQLException, IOException {
        return submit(image, scaleText, modelIdText, name, null, null, null);
    }

    /**
     * Validates and stores an upscale submission in one transaction. With an idempotency key, the
     * same key and request return the first job's id and store nothing (see {@link IdempotencyKeys}).
     */
    public UUID submit(
            FileUpload image,
            String scaleText,
            String modelIdText,
            String name,
            String webhookUrl,
            String idempotencyKey,
            Caller caller)
            throws SQLException, IOException {
        if (image == null || image.uploadedFile() == null) {
            throw ApiException.badRequest("image", "choose an image to upscale (multipart field 'image')");
        }
        int scale = parseScale(scaleText);
        UUID modelId = parseModelId(modelIdText);
        URI webhook = webhooks.parse(webhookUrl);
        String fileName = image.fileName() == null || image.fileName().isBlank() ? "image" : image.fileName();
        if (image.size() > config.upload().maxBytes()) {
            throw ApiException.tooLarge(
                    "image",
                    "'" + fileName + "' is " + image.size() + " bytes; the limit is "
                            + config.upload().maxBytes() + " bytes");
        }
        ImageInspector.ImageInfo info = ImageInspector.inspect(
                image.uploadedFile(), "image", fileName, config.upscale().maxInputPixels());
        long outputPixels = info.pixels() * scale * scale;
        if (outputPixels > config.upscale().maxOutputPixels()) {
            throw ApiException.tooLarge(
                    "scale",
                    info.width() + "x" + info.height() + " at " + scale + "x would be "
                            + info.width() * scale + "x" + info.height() * scale + " = "
                            + ImageInspector.megapixels(outputPixels)
                            + " megapixels; the output limit is "
                            + ImageInspector.megapixels(config.upscale().maxOutputPixels()) + " megapixels");
        }
        Optional<IdempotencyKeys.Key> key = idempotencyKey == null
                ? Optional.empty()
                : IdempotencyKeys.of(
                        idempotencyKey,
                        caller,
                        "POST /api/upscale",
                        new IdempotencyKeys.Fingerprint()
                                .text(String.valueOf(scale))
                                .text(modelId == null ? null : modelId.toString())
                                .text(name)
                                .text(webhook == null ? null : webhook.toString())
                                .file(image.uploadedFile())
                                .hex());
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Optional<UUID> earlier = key.isPresent() ? keys.take(c, key.get()) : Optional.empty();
                if (earlier.isPresent()) {
                    c.rollback();
                    return earlier.get();
                }
                UUID model = models.resolveForUpscale(c, modelId, scale);
                BlobStore.Blob blob;
                try (InputStream in = Files.newInputStream(image.uploadedFile())) {
                    blob = blobs.write(
                            c, in, info.contentType(), config.upload().maxBytes());
                }
                String params = "{\"scale\":" + scale + ",\"inputWidth\":" + info.width() + ",\"inputHeight\":"
                        + info.height() + "}";
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

    static int parseScale(String text) {
        if (text == null || text.isBlank()) {
            return 4;
        }
        try {
            int s = Integer.parseInt(text.trim());
            if (SCALES.contains(s)) {
                return s;
            }
        } catch (NumberFormatException ignored) {
            // falls through to the message
        }
        throw ApiException.badRequest("scale", "scale must be 2, 4 or 8, got '" + text + "'");
    }
}
