package dev.srgan.core.upscale;

import dev.srgan.core.errors.ApiException;
import dev.srgan.core.jobs.JobView;
import dev.srgan.domain.images.OutputOptions;
import dev.srgan.domain.images.ResultNames;
import dev.srgan.domain.jobs.JobStatus;
import dev.srgan.platform.blobs.BlobStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.sql.DataSource;

/**
 * A batch's result: one zip of the PNGs, JPEGs or WebPs of its images that succeeded, named after their
 * inputs and the batch's output options ({@link ResultNames}: {@code photo.jpg} -> {@code
 * photo-x4.png}, or {@code photo-x3.jpg} at outscale 3 as JPEG), streamed blob by blob from
 * PostgreSQL. Only a batch that has ended with at least one image upscaled has one; otherwise 409
 * says why.
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
        // the workers' PNGs are only Huffman-coded, and deflate's string matching takes 6% more off
        // them; a JPEG or WebP is as small as deflate makes it (0.1%), and is only stored, at 40
        // to 60 times the speed (measured on the 7 evaluation photos enlarged 2x)
        int level = batches.options(job).format() == OutputOptions.Format.PNG
                ? Deflater.BEST_SPEED
                : Deflater.NO_COMPRESSION;
        StreamingOutput body = out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            zip.setLevel(level);
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
                ? ResultNames.stem(job.inputName())
                : "batch-" + job.id().toString().substring(0, 8);
        String filename = base.replaceAll("[^A-Za-z0-9._-]", "_") + "-"
                + batches.options(job).label(batch.scale()) + ".zip";
        return Response.ok(body, "application/zip")
                .header("Content-Disposition", (download ? "attachment" : "inline") + "; filename=\"" + filename + "\"")
                .build();
    }
}
