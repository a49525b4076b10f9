package dev.srgan.api.datasets;

import dev.srgan.api.auth.Caller;
import dev.srgan.api.auth.Requires;
import dev.srgan.api.auth.Role;
import dev.srgan.api.config.ApiConfig;
import dev.srgan.api.datasets.DatasetStore.DatasetView;
import dev.srgan.api.errors.ApiException;
import dev.srgan.api.idempotency.IdempotencyKeys;
import dev.srgan.api.upscale.ImageInspector;
import dev.srgan.platform.blobs.BlobStore;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
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
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/** Training datasets: a zip of images, or several images uploaded at once (zipped here). */
@Path("/api/datasets")
@Produces(MediaType.APPLICATION_JSON)
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

    /** What one training run decodes into a worker's memory (4 bytes a pixel): the sum over a dataset's images. */
    @GET
    public List<DatasetView> list() throws SQLException {
        return store.list();
    }

    @Requires(Role.OPERATOR)
    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    public Response upload(
            @RestForm("name") String name,
            @RestForm("file") FileUpload zip,
            @RestForm("images") List<FileUpload> images,
            @HeaderParam(IdempotencyKeys.HEADER) String idempotencyKey,
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
            for (FileUpload f : imgs) {
                total += f.size();
                ImageInspector.inspect(
                        f.uploadedFile(),
                        "images",
                        f.fileName(),
                        config.upscale().maxInputPixels());
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
                for (FileUpload f : imgs) {
                    String entry = (f.fileName() == null ? "image" : f.fileName()).replaceAll("[^A-Za-z0-9._-]", "_");
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
                    DatasetView view = store.insert(c, datasetName, contents.images(), blob.sizeBytes(), blob.id());
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
