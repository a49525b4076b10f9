package dev.srgan.api.datasets;

import dev.srgan.api.ApiDocument;
import dev.srgan.api.idempotency.IdempotencyKeys;
import dev.srgan.api.upscale.ImageInspector;
import dev.srgan.core.auth.Caller;
import dev.srgan.core.auth.Requires;
import dev.srgan.core.auth.Role;
import dev.srgan.core.config.ApiConfig;
import dev.srgan.core.datasets.DatasetStore;
import dev.srgan.core.datasets.DatasetStore.DatasetView;
import dev.srgan.core.errors.ApiException;
import dev.srgan.core.storage.Deletions;
import dev.srgan.domain.images.ImageFormat;
import dev.srgan.platform.blobs.BlobStore;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.sql.DataSource;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/** Training datasets: a zip of images, or several images uploaded at once (zipped here). */
@Path("/api/datasets")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Datasets", description = "Image sets to train and evaluate on")
public class DatasetResource {
    @Inject
    ApiConfig config;

    @Inject
    DatasetStore store;

    @Inject
    IdempotencyKeys keys;

    @Inject
    DataSource dataSource;

    @Inject
    BlobStore blobs;

    @Inject
    Deletions deletion;

    /** What one training run decodes into a worker's memory (4 bytes a pixel): the sum over a dataset's images. */
    @GET
    @Operation(operationId = "listDatasets", summary = "The uploaded datasets")
    @APIResponse(responseCode = "200", description = "datasets")
    public List<DatasetView> list() throws SQLException {
        return store.list();
    }

    @GET
    @Path("/{id}/images")
    @Operation(
            operationId = "getDatasetImages",
            summary = "A dataset's images by name, each with its part in a run that holds out the dataset's own"
                    + " validation images (the last tenth by name)")
    @APIResponse(responseCode = "200", description = "its images, ordered as a training run orders them")
    @APIResponse(responseCode = "404", description = "no such dataset")
    public DatasetStore.Images images(@PathParam("id") String id) throws SQLException, IOException {
        UUID datasetId = datasetId(id);
        Optional<DatasetStore.Images> recorded = store.images(datasetId);
        if (recorded.isPresent()) {
            return recorded.get();
        }
        // uploaded before a dataset's images were recorded: read them from its stored zip, once
        java.nio.file.Path zip = Files.createTempFile("srgan-dataset", ".zip");
        try {
            try (java.io.OutputStream out = Files.newOutputStream(zip)) {
                blobs.copyTo(dataSource, store.blobId(datasetId), out);
            }
            DatasetInspector.Contents contents = DatasetInspector.inspectZip(
                    zip,
                    "dataset " + datasetId,
                    config.dataset().maxEntries(),
                    config.dataset().maxUncompressedBytes(),
                    config.upscale().maxInputPixels(),
                    config.dataset().maxTotalPixels());
            try (Connection c = dataSource.getConnection()) {
                store.insertImages(c, datasetId, contents.entries());
            }
        } finally {
            Files.deleteIfExists(zip);
        }
        return store.images(datasetId).orElseThrow(() -> ApiException.notFound("no dataset " + datasetId));
    }

    /** A dataset id from a path; 404 unless a UUID. */
    private static UUID datasetId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("no dataset " + id);
        }
    }

    @Requires(Role.OPERATOR)
    @DELETE
    @Path("/{id}")
    @Operation(
            operationId = "deleteDataset",
            summary = "Delete a dataset; the runs and evaluations that used it keep their history")
    @APIResponse(responseCode = "200", description = "what was deleted")
    @APIResponse(responseCode = "403", description = "the token's role is below OPERATOR")
    @APIResponse(responseCode = "404", description = "no such dataset")
    @APIResponse(responseCode = "409", description = "a QUEUED or RUNNING job uses it")
    public Deletions.Deleted delete(@PathParam("id") String id, @Context ContainerRequestContext http)
            throws SQLException {
        UUID datasetId = datasetId(id);
        return deletion.deleteDataset(datasetId, Caller.name(http));
    }

    @Requires(Role.OPERATOR)
    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(
            operationId = "uploadDataset",
            summary = "Store a dataset: one zip of PNG, JPEG, WebP and TIFF images, or several image parts")
    @APIResponse(
            responseCode = "201",
            description = "stored (or, with a known Idempotency-Key, the dataset it stored)",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = DatasetView.class)))
    @APIResponse(
            responseCode = "400",
            description =
                    "neither or both of file and images, a zip that is not one or has an unsafe path, an entry "
                            + "named like an image that is not PNG, JPEG, WebP or TIFF, is damaged or animated (named), name over 200 characters, an Idempotency-Key over 255 characters")
    @APIResponse(responseCode = "403", description = "the token's role is below OPERATOR")
    @APIResponse(
            responseCode = "413",
            description =
                    "over srgan.upload.max-bytes, srgan.dataset.max-entries or srgan.dataset.max-uncompressed-bytes, "
                            + "an image over srgan.upscale.max-input-pixels, or images adding up to more than srgan.dataset.max-total-pixels")
    @APIResponse(responseCode = "415", description = "an images part that is not PNG, JPEG, WebP or TIFF")
    @APIResponse(
            responseCode = "422",
            description = "a zip without images, or an Idempotency-Key used for another request")
    public Response upload(
            @RestForm("name") String name,
            @RestForm("file")
                    @Schema(description = "a zip of PNG, JPEG, WebP and TIFF images, folders allowed (or images)")
                    FileUpload zip,
            @RestForm("images") @Schema(description = "the images, one part each (or file)") List<FileUpload> images,
            @HeaderParam(IdempotencyKeys.HEADER) @Parameter(description = ApiDocument.IDEMPOTENCY_KEY)
                    String idempotencyKey,
            @Context ContainerRequestContext http)
            throws SQLException, IOException {
        DatasetView created = create(name, zip, images, idempotencyKey, (Caller) http.getProperty(Caller.PROPERTY));
        return Response.status(201).entity(created).build();
    }

    /** Validates and stores a dataset; used by the dashboard. */
    public DatasetView create(String name, FileUpload zip, List<FileUpload> images) throws SQLException, IOException {
        return create(name, zip, images, null, null);
    }

    /**
     * Validates and stores a dataset. With an idempotency key, the same key and upload return the
     * first dataset and store nothing (see {@link IdempotencyKeys}).
     */
    public DatasetView create(
            String name, FileUpload zip, List<FileUpload> images, String idempotencyKey, Caller caller)
            throws SQLException, IOException {
        boolean hasZip = zip != null && zip.uploadedFile() != null;
        List<FileUpload> imgs = images == null
                ? List.of()
                : images.stream().filter(f -> f.uploadedFile() != null).toList();
        if (hasZip == !imgs.isEmpty()) {
            throw ApiException.badRequest(
                    "file", "upload either one zip of images (field 'file') or several images (field 'images')");
        }
        java.nio.file.Path zipFile;
        String label;
        boolean temporary = false;
        if (hasZip) {
            zipFile = zip.uploadedFile();
            label = zip.fileName() == null ? "dataset.zip" : zip.fileName();
            if (zip.size() > config.upload().maxBytes()) {
                throw ApiException.tooLarge(
                        "file",
                        "'" + label + "' is " + zip.size() + " bytes; the limit is "
                                + config.upload().maxBytes() + " bytes");
            }
        } else {
            label = imgs.size() + " images";
            long total = 0;
            List<ImageInspector.ImageInfo> found = new java.util.ArrayList<>();
            for (FileUpload f : imgs) {
                total += f.size();
                found.add(ImageInspector.inspect(
                        f.uploadedFile(),
                        "images",
                        f.fileName(),
                        config.upscale().maxInputPixels()));
            }
            if (total > config.upload().maxBytes()) {
                throw ApiException.tooLarge(
                        "images",
                        "the images add up to " + total + " bytes; the limit is "
                                + config.upload().maxBytes() + " bytes");
            }
            zipFile = Files.createTempFile("srgan-dataset", ".zip");
            temporary = true;
            Set<String> names = new HashSet<>();
            try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zipFile))) {
                int i = 0;
                for (int k = 0; k < imgs.size(); k++) {
                    FileUpload f = imgs.get(k);
                    String entry = (f.fileName() == null ? "image" : f.fileName()).replaceAll("[^A-Za-z0-9._-]", "_");
                    if (!ImageFormat.isImageName(entry)) { // a pasted "blob": the dataset reads images by name
                        entry += "." + found.get(k).format().extension();
                    }
                    if (!names.add(entry)) {
                        entry = (i++) + "-" + entry;
                        names.add(entry);
                    }
                    out.putNextEntry(new ZipEntry(entry));
                    Files.copy(f.uploadedFile(), out);
                    out.closeEntry();
                }
            }
        }
        try {
            DatasetInspector.Contents contents = DatasetInspector.inspectZip(
                    zipFile,
                    label,
                    config.dataset().maxEntries(),
                    config.dataset().maxUncompressedBytes(),
                    config.upscale().maxInputPixels(),
                    config.dataset().maxTotalPixels());
            String datasetName = name == null || name.isBlank() ? label.replaceAll("\\.zip$", "") : name.trim();
            if (datasetName.length() > 200) {
                throw ApiException.badRequest("name", "name must be at most 200 characters");
            }
            Optional<IdempotencyKeys.Key> key = Optional.empty();
            if (idempotencyKey != null) {
                IdempotencyKeys.Fingerprint fingerprint = new IdempotencyKeys.Fingerprint().text(name);
                if (hasZip) {
                    fingerprint.file(zipFile);
                } else {
                    for (FileUpload f : imgs) {
                        fingerprint.text(f.fileName()).file(f.uploadedFile());
                    }
                }
                key = IdempotencyKeys.of(idempotencyKey, caller, "POST /api/datasets", fingerprint.hex());
            }
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                Optional<UUID> earlier = key.isPresent() ? keys.take(c, key.get()) : Optional.empty();
                if (earlier.isPresent()) {
                    c.rollback();
                    return store.find(c, earlier.get());
                }
                try (InputStream in = Files.newInputStream(zipFile)) {
                    BlobStore.Blob blob = blobs.write(
                            c, in, "application/zip", config.upload().maxBytes());
                    DatasetView view = store.insert(
                            c,
                            datasetName,
                            contents.images(),
                            blob.sizeBytes(),
                            blob.id(),
                            contents.smallestSide(),
                            contents.smallestImage(),
                            contents.entries());
                    if (key.isPresent()) {
                        keys.complete(c, key.get(), view.id());
                    }
                    c.commit();
                    return view;
                } catch (SQLException | IOException | RuntimeException e) {
                    c.rollback();
                    if (e instanceof BlobStore.TooLargeException) {
                        throw ApiException.tooLarge(
                                "file",
                                "the dataset is larger than the limit of "
                                        + config.upload().maxBytes() + " bytes");
                    }
                    throw e;
                }
            }
        } finally {
            if (temporary) {
                Files.deleteIfExists(zipFile);
            }
        }
    }
}
