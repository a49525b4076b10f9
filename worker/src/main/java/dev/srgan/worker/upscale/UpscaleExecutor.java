package dev.srgan.worker.upscale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srgan.domain.images.ImageFormat;
import dev.srgan.domain.images.ModelBlend;
import dev.srgan.domain.images.OutputOptions;
import dev.srgan.domain.images.ShownImage;
import dev.srgan.domain.jobs.JobType;
import dev.srgan.networks.image.Bicubic;
import dev.srgan.networks.image.ResultWriter;
import dev.srgan.networks.inference.UpscaleListener;
import dev.srgan.platform.blobs.BlobStore;
import dev.srgan.platform.jobs.ClaimedJob;
import dev.srgan.platform.jobs.LeaseLost;
import dev.srgan.worker.blobs.InMemoryBytes;
import dev.srgan.worker.config.WorkerConfig;
import dev.srgan.worker.jobs.JobCancelled;
import dev.srgan.worker.jobs.JobContext;
import dev.srgan.worker.jobs.JobExecutor;
import dev.srgan.worker.jobs.JobFailure;
import dev.srgan.worker.jobs.JobInputs;
import dev.srgan.worker.jobs.JobParams;
import dev.srgan.worker.jobs.ThrottledContext;
import dev.srgan.worker.jobs.WorkerStopping;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.function.Function;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Runs UPSCALE jobs: the uploaded PNG, JPEG, WebP or TIFF, upscaled by the job's model (blended with a second
 * one when the job asks, {@link ModelBlend}), resized to the size its
 * output options ask for (outscale or width, {@link OutputOptions}) and stored as one PNG, JPEG or WebP
 * result, written in the same fenced transaction that marks the job SUCCEEDED: a job has its
 * result exactly when it succeeded, and an attempt that lost its job (it stops between tile
 * batches) writes none.
 */
@ApplicationScoped
public class UpscaleExecutor implements JobExecutor {
    private static final Logger LOG = Logger.getLogger(UpscaleExecutor.class);
    static final String UNREADABLE = "the input is not a readable " + ImageFormat.NAMES + " image";

    @Inject
    WorkerConfig config;

    @Inject
    DataSource dataSource;

    @Inject
    BlobStore blobs;

    @Inject
    ModelCache models;

    @Inject
    JobInputs inputs;

    @Inject
    ObjectMapper json;

    /** Bounds the result's memory (about 16 bytes per output pixel while it is assembled and encoded). */
    @Override
    public JobType type() {
        return JobType.UPSCALE;
    }

    @Override
    public void execute(ClaimedJob job, JobContext context) throws Exception {
        long start = System.nanoTime();
        ThrottledContext ctx = new ThrottledContext(context, Duration.ofMillis(250), Duration.ofMillis(500));
        ModelCache.Model model = inputs.model(job.modelId());
        Function<String, String> params = JobParams.members(json, job.paramsJson());
        ModelBlend blend = JobParams.blend(params);
        if (blend != null) {
            model = model.blendedWith(inputs.model(blend.modelId(), "blend model"), blend.weight(), blend.mode());
        }
        int requested = requestedScale(job);
        if (requested != 0 && requested != model.scale()) {
            throw JobFailure.permanent("the model upscales by " + model.scale() + ", the job asks for " + requested);
        }
        OutputOptions options = outputOptions(params);
        ctx.progress(0, "reading the input");
        BufferedImage input = readInput(job, model.scale());
        OutputOptions.Size size;
        try {
            size = options.size(input.getWidth(), input.getHeight(), model.scale());
        } catch (OutputOptions.InvalidOption e) {
            // the api checked it against the same size; only a job written some other way gets here
            throw JobFailure.permanent(e.getMessage());
        }

        ctx.progress(0, "loading the model");
        BufferedImage output;
        long modelMs;
        try (ModelCache.Lease lease = models.acquire(model)) {
            long modelStart = System.nanoTime();
            int tilesPerBatch = lease.upscaler().tilesPerBatch();
            output = lease.upscaler().upscale(input, new UpscaleListener() {
                @Override
                public void onProgress(int tilesDone, int tilesTotal) {
                    int batches = (tilesTotal + tilesPerBatch - 1) / tilesPerBatch;
                    int batch = (tilesDone + tilesPerBatch - 1) / tilesPerBatch;
                    ctx.progress((double) tilesDone / tilesTotal, "tile batch " + batch + " of " + batches);
                }

                @Override
                public boolean isCancelled() {
                    return ctx.leaseLost() || ctx.stopping() || ctx.cancelRequested();
                }
            });
            modelMs = (System.nanoTime() - modelStart) / 1_000_000;
        } catch (CancellationException e) {
            if (ctx.leaseLost()) {
                throw new LeaseLost(ctx.lease(), "the next tile batch");
            }
            if (ctx.cancelRequested()) {
                throw new JobCancelled();
            }
            // an upscale holds no state worth keeping: another worker simply runs it again
            throw new WorkerStopping();
        } catch (IOException e) {
            if (causedBy(e, SQLException.class)) {
                throw e;
            }
            throw JobFailure.permanent("the model cannot be loaded: " + e.getMessage());
        }

        if (output.getWidth() != size.width() || output.getHeight() != size.height()) {
            ctx.progress(1, "resizing to " + size);
            // antialiased bicubic, one plane at a time: about 2 s for 4096x4096 to 3072x3072 on 2 cores,
            // little beside the model's minutes for such an image
            output = Bicubic.resize(output, size.width(), size.height());
        }
        ctx.progress(1, "storing the result");
        InMemoryBytes encoded = new InMemoryBytes(output.getWidth() * output.getHeight());
        // TYPE_INT_ARGB when the input had alpha: a PNG or WebP keeps it, a JPEG composites it on white
        ResultWriter.write(output, options, encoded);
        String contentType = options.format().contentType();
        int width = output.getWidth();
        int height = output.getHeight();
        long totalMs = (System.nanoTime() - start) / 1_000_000;
        output = null;
        // stored in the transaction that records SUCCEEDED, fenced by this attempt's lease
        context.onSuccess(c -> store(c, job.id(), encoded, contentType, width, height, modelMs, totalMs));
    }

    /** The job's output options; a job recorded without them gets a PNG at the model's scale. */
    private static OutputOptions outputOptions(Function<String, String> params) throws JobFailure {
        try {
            return OutputOptions.fromParams(params);
        } catch (OutputOptions.InvalidOption e) {
            throw JobFailure.permanent("the job's params are not valid: " + e.getMessage());
        }
    }

    /** The scale the job asks for, 0 when it leaves it to the model. */
    private int requestedScale(ClaimedJob job) throws JobFailure {
        try {
            JsonNode scale = json.readTree(job.paramsJson() == null ? "{}" : job.paramsJson())
                    .path("scale");
            if (scale.isMissingNode() || scale.isNull()) {
                return 0;
            }
            if (!scale.canConvertToInt()) {
                throw JobFailure.permanent("params.scale must be a whole number, got " + scale);
            }
            return scale.asInt();
        } catch (IOException e) {
            throw JobFailure.permanent("the job's params are not valid JSON");
        }
    }

    /**
     * Holds the uploaded bytes once and decodes them. The size is checked from the header first, so
     * an image whose result could not fit in memory fails with a message instead of an OutOfMemoryError.
     * The image comes back as a viewer shows it: upright by its EXIF orientation, grey and CMYK files
     * in sRGB, and so are PNGs with a colour profile ({@link ShownImage}).
     */
    private BufferedImage readInput(ClaimedJob job, int scale) throws SQLException, IOException, JobFailure {
        if (job.inputBlobId() == null) {
            throw JobFailure.permanent("the job has no input image");
        }
        InMemoryBytes bytes;
        try (Connection c = dataSource.getConnection()) {
            Optional<BlobStore.Blob> blob = blobs.find(c, job.inputBlobId());
            if (blob.isEmpty()) {
                throw JobFailure.permanent("the job's input image was not stored completely; upload it again");
            }
            bytes = new InMemoryBytes(
                    (int) Math.min(Integer.MAX_VALUE - 8, blob.get().sizeBytes()));
            blobs.copyTo(c, job.inputBlobId(), bytes);
        }
        byte[] head;
        try (InputStream in = bytes.asInputStream()) {
            head = in.readNBytes(ImageFormat.HEAD_BYTES);
        }
        ImageFormat format = ImageFormat.sniff(head)
                .orElseThrow(() -> JobFailure.permanent(UNREADABLE + " (it is " + ImageFormat.describe(head) + ")"));
        try (ImageInputStream in = ImageIO.createImageInputStream(bytes.asInputStream())) {
            ImageReader reader = format.reader();
            try {
                reader.setInput(in, true, true);
                long outputPixels = (long) reader.getWidth(0) * reader.getHeight(0) * scale * scale;
                if (outputPixels > config.maxOutputPixels()) {
                    throw JobFailure.permanent("the image is " + reader.getWidth(0) + "x" + reader.getHeight(0)
                            + "; upscaled by " + scale + " it would exceed this worker's limit of "
                            + config.maxOutputPixels() + " output pixels");
                }
                return ShownImage.read(format, reader, bytes::asInputStream);
            } catch (IOException | RuntimeException e) {
                // truncated or corrupt data: ImageIO reports it in many ways, none of them retryable
                throw new JobFailure(UNREADABLE + " (" + e.getMessage() + ")", true, e);
            } finally {
                reader.dispose();
            }
        }
    }

    /**
     * Stores the image and its result row on {@code c}, inside the transaction that marks the job
     * SUCCEEDED: a job has a result exactly when it succeeded, and a result is never written by an
     * attempt that lost its job. The result's primary key is the job, so there is never a second.
     */
    private void store(
            Connection c,
            UUID jobId,
            InMemoryBytes image,
            String contentType,
            int width,
            int height,
            long modelMs,
            long totalMs)
            throws SQLException, IOException {
        BlobStore.Blob blob = blobs.write(c, image.asInputStream(), contentType, Long.MAX_VALUE);
        if (insertResult(c, jobId, blob, contentType, width, height, modelMs, totalMs)) {
            return;
        }
        // a result without SUCCEEDED can only be left by a version that wrote them apart: replace it
        // (the rare case; the usual one costs the insert alone)
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM results WHERE job_id = ? RETURNING blob_id")) {
            ps.setObject(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    blobs.delete(c, rs.getObject(1, UUID.class));
                }
            }
        }
        insertResult(c, jobId, blob, contentType, width, height, modelMs, totalMs);
    }

    private static boolean insertResult(
            Connection c,
            UUID jobId,
            BlobStore.Blob blob,
            String contentType,
            int width,
            int height,
            long modelMs,
            long totalMs)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO results (job_id, blob_id, width, height, content_type, model_ms, total_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (job_id) DO NOTHING""")) {
            ps.setObject(1, jobId);
            ps.setObject(2, blob.id());
            ps.setInt(3, width);
            ps.setInt(4, height);
            ps.setString(5, contentType);
            ps.setLong(6, modelMs);
            ps.setLong(7, totalMs);
            return ps.executeUpdate() == 1;
        }
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
