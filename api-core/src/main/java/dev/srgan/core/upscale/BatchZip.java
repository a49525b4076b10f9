package dev.srgan.core.upscale;

import dev.srgan.core.errors.ApiException;
import dev.srgan.core.jobs.JobView;
import dev.srgan.domain.jobs.JobStatus;
import dev.srgan.platform.blobs.BlobStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.sql.DataSource;

/**
 * A batch's result: one zip of the PNGs of its images that succeeded, named after their inputs
 * ({@code photo.jpg} -> {@code photo-x4.png}), streamed blob by blob from PostgreSQL. Only a
 * batch that has ended with at least one image upscaled has one; otherwise 409 says why.
 */
@ApplicationScoped
public class BatchZip {

    @Inject
    BatchStore batches;

    @Inject
    BlobStore blobs;

    @Inject
    DataSource dataSource;

    /** The zip of a BATCH job as a response; 409 while it runs or when no image succeeded. */
    public Response response(JobView job, boolean download) throws SQLException {
        BatchStore.BatchView batch = batches.batch(job);
        if (!JobStatus.valueOf(job.status()).isFinal()) {
            throw ApiException.conflict("the batch is " + job.status() + " (" + batch.done() + " of " + batch.count()
                    + " images done); its zip can be downloaded when every image has finished");
        }
        List<BatchStore.Result> results = batches.results(job);
        if (results.isEmpty()) {
            throw ApiException.conflict("the batch is " + job.status() + " and none of its " + batch.count()
                    + " images was upscaled: there is nothing to download");
        }
        StreamingOutput body = out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            zip.setLevel(Deflater.BEST_SPEED);
            try (Connection c = dataSource.getConnection()) {
                for (BatchStore.Result r : results) {
                    zip.putNextEntry(new ZipEntry(r.output()));
                    blobs.copyTo(c, r.blobId(), zip);
                    zip.closeEntry();
                }
            } catch (SQLException e) {
                throw new java.io.IOException(
                        "reading the results of batch " + job.id() + " failed: " + e.getMessage(), e);
            }
            zip.finish();
            zip.flush();
        };
        String base = job.inputName() != null
                ? stem(job.inputName())
                : "batch-" + job.id().toString().substring(0, 8);
        String filename = base.replaceAll("[^A-Za-z0-9._-]", "_") + "-x" + batch.scale() + ".zip";
        return Response.ok(body, "application/zip")
                .header("Content-Disposition", (download ? "attachment" : "inline") + "; filename=\"" + filename + "\"")
                .build();
    }

    /**
     * The names of a batch's images in its zip, in the same order: each input's file name without
     * its folder and extension, {@code -x<scale>.png}; a name that clashes with an earlier one
     * (also by case, for case-insensitive file systems) gets {@code -2}, {@code -3}, ...
     */
    public static List<String> outputNames(List<String> inputs, int scale) {
        List<String> names = new ArrayList<>();
        Set<String> taken = new HashSet<>();
        for (int i = 0; i < inputs.size(); i++) {
            String stem = stem(inputs.get(i) == null ? "" : inputs.get(i));
            if (stem.isEmpty()) {
                stem = "image-" + (i + 1);
            }
            String base = stem + "-x" + scale;
            String name = base + ".png";
            for (int n = 2; !taken.add(name.toLowerCase(Locale.ROOT)); n++) {
                name = base + "-" + n + ".png";
            }
            names.add(name);
        }
        return names;
    }

    /** A file name without its folders and extension, without characters no file system takes. */
    static String stem(String path) {
        String name = path.replace('\\', '/');
        name = name.substring(name.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        if (dot > 0) {
            name = name.substring(0, dot);
        }
        name = name.replaceAll("[\\x00-\\x1f:*?\"<>|]", "_");
        return name.replaceAll("^[.\\s]+", "").strip();
    }
}
