package dev.srgan.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srgan.core.config.ApiConfig;
import dev.srgan.core.errors.ApiException;
import dev.srgan.core.jobs.JobOutlook;
import dev.srgan.core.jobs.JobStore;
import dev.srgan.core.jobs.JobView;
import dev.srgan.core.models.ModelCatalog;
import dev.srgan.core.upscale.BatchStore;
import dev.srgan.domain.images.ImageFormat;
import dev.srgan.domain.images.ModelBlend;
import dev.srgan.domain.images.OutputOptions;
import dev.srgan.domain.images.ShownImage;
import dev.srgan.platform.blobs.BlobStore;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.imageio.ImageIO;
import javax.sql.DataSource;

/**
 * Upscale an image in the browser: the form (drag and drop, scale, model, output scale, format)
 * posts to {@code POST /api/upscale}; the job's panel follows it live from queued to finished, then
 * compares the input, enlarged by nearest neighbour or bicubic to the result's own size, with the
 * model's output. Several images (or a folder) go to {@code POST /api/upscale/batch}; the batch's
 * panel shows its images as a grid of thumbnails as they finish, and the zip of their PNGs or JPEGs.
 */
@Path("/upscale")
@Produces(MediaType.TEXT_HTML)
public class UpscalePage {
    @Inject
    JobOutlook outlook;

    @Inject
    ApiConfig config;

    /** Above this many output pixels the bicubic comparison is left to the browser's own scaling. */
    static final long MAX_BICUBIC_PIXELS = 16_000_000;

    @Inject
    JobStore jobs;

    @Inject
    ModelCatalog models;

    @Inject
    BlobStore blobs;

    @Inject
    DataSource dataSource;

    @Inject
    ObjectMapper json;

    @Inject
    BatchStore batches;

    @CheckedTemplate(basePath = "dashboard")
    static class Templates {
        static native TemplateInstance upscale(
                List<ModelCatalog.ModelView> models,
                long maxBytes,
                boolean imageUrls,
                Panel panel,
                BatchPanel batch,
                Settings shown);

        static native TemplateInstance upscale$panel(Panel panel);

        static native TemplateInstance upscale$batch(BatchPanel batch);
    }

    /**
     * The model an upscale blends its model with, as a panel names it: the blend and the model
     * (null when it was deleted since).
     */
    public record Blend(ModelBlend blend, ModelCatalog.ModelView model) {}

    /** Another upscale of the same photo that succeeded, to compare with: its job, what it ran, its result. */
    public record Other(UUID jobId, String label, String url) {}

    /**
     * The settings of the upscale or batch a page shows, which the form starts from (and runs its
     * image or images again with when no new one is chosen).
     */
    public record Settings(int scale, ModelCatalog.ModelView model, Blend blend, OutputOptions options) {
        /** The format it asked for, as the form's select names it: {@code png}, {@code jpeg} or {@code webp}. */
        public String format() {
            return options.format().id();
        }

        /** The output scale as the form shows it ({@code 2.5}), or empty. */
        public String outscaleText() {
            return options.outscale() == null ? "" : OutputOptions.text(options.outscale());
        }
    }

    /**
     * An upscale job as its panel shows it; {@code model} may be null when the model was deleted,
     * {@code blend} is null for an upscale without one; {@code others} are the other upscales of
     * its photo that succeeded ({@code sourceJobId}), newest first; {@code photo} is the first
     * upscale of the photo (the job itself or its {@code sourceJobId}), whose events the page follows.
     */
    public record Panel(
            JobView job,
            int scale,
            int inputWidth,
            int inputHeight,
            ModelCatalog.ModelView model,
            Blend blend,
            long inputBytes,
            OutputOptions options,
            List<Other> others,
            UUID photo) {
        public boolean done() {
            return job.status().equals("SUCCEEDED") && job.result() != null;
        }

        /** Its settings, for the form. */
        public Settings settings() {
            return new Settings(scale, model, blend, options);
        }

        /** Whether the job asked for a JPEG. */
        public boolean jpeg() {
            return options.format() == OutputOptions.Format.JPEG;
        }

        /** "PNG" or "JPEG": what the job asked for. */
        public String formatName() {
            return UpscalePage.formatName(options);
        }

        /** "PNG", "JPEG" or "WebP": what the stored result is (a job's options and its result agree, but the file decides). */
        public String resultFormatName() {
            return Optional.ofNullable(job.result())
                    .flatMap(r -> OutputOptions.Format.ofContentType(r.contentType()))
                    .orElse(OutputOptions.Format.PNG)
                    .title();
        }

        /** The output scale as the form shows it ({@code 2.5}), or empty. */
        public String outscaleText() {
            return settings().outscaleText();
        }

        /** The size the model's output is resized to ({@code 3×}, {@code 1920 px wide}), or null when it is not. */
        public String resizedTo() {
            return UpscalePage.resizedTo(options, scale);
        }
    }

    /**
     * A batch upscale as its panel shows it: the batch, its images, its model (null for the default)
     * and the model blended with it (or null), its options, and the other batches of its photos (made
     * from it, or from the batch it was made from), newest first.
     */
    public record BatchPanel(
            JobView job,
            BatchStore.BatchView batch,
            ModelCatalog.ModelView model,
            Blend blend,
            OutputOptions options,
            List<Other> others) {
        /** Its settings, for the form. */
        public Settings settings() {
            return new Settings(batch.scale(), model, blend, options);
        }

        /** "PNG" or "JPEG". */
        public String formatName() {
            return UpscalePage.formatName(options);
        }

        /** The size every image's model output is resized to, or null when it is not. */
        public String resizedTo() {
            return UpscalePage.resizedTo(options, batch.scale());
        }
    }

    static String formatName(OutputOptions options) {
        return options.format().title();
    }

    static String resizedTo(OutputOptions options, int scale) {
        if (options.width() != null) {
            return options.width() + " px wide";
        }
        if (options.outscale() != null && options.outscale() != scale) {
            return OutputOptions.text(options.outscale()) + "×";
        }
        return null;
    }

    /** Whether the api fetches images by URL (srgan.upscale.url-hosts), so the page takes a pasted or dropped link. */
    private boolean imageUrls() {
        return !config.upscale().urlHosts().orElse(List.of()).isEmpty();
    }

    @GET
    public TemplateInstance form() throws SQLException {
        return Templates.upscale(models.list(), config.upload().maxBytes(), imageUrls(), null, null, null);
    }

    /** The result page of one upscale job: the form to submit another, and this job's panel. */
    @GET
    @Path("{id}")
    public Response job(@PathParam("id") String id) throws SQLException {
        JobView job = jobs.require(JobStore.id(id));
        if (job.type().equals("BATCH")) {
            BatchPanel batch = batchPanel(job);
            return Response.ok(Templates.upscale(
                            models.list(), config.upload().maxBytes(), imageUrls(), null, batch, batch.settings()))
                    .build();
        }
        if (!job.type().equals("UPSCALE")) {
            return Response.seeOther(java.net.URI.create(Formats.href(job))).build();
        }
        Panel panel = panel(job);
        return Response.ok(Templates.upscale(
                        models.list(), config.upload().maxBytes(), imageUrls(), panel, null, panel.settings()))
                .build();
    }

    /** A batch's panel alone: its progress and its grid of images, re-rendered as its events arrive. */
    @GET
    @Path("{id}/batch")
    public TemplateInstance batch(@PathParam("id") String id) throws SQLException {
        JobView job = jobs.require(JobStore.id(id));
        if (!job.type().equals("BATCH")) {
            throw ApiException.notFound("job " + job.id() + " is not a batch");
        }
        return Templates.upscale$batch(batchPanel(job));
    }

    BatchPanel batchPanel(JobView job) throws SQLException {
        List<ModelCatalog.ModelView> all = models.list();
        return new BatchPanel(
                outlook.attach(job),
                batches.batch(job),
                model(all, job.modelId()),
                blend(all, batches.blend(job)),
                batches.options(job),
                otherBatches(job, all));
    }

    private static ModelCatalog.ModelView model(List<ModelCatalog.ModelView> all, UUID id) {
        return id == null
                ? null
                : all.stream().filter(m -> m.id().equals(id)).findFirst().orElse(null);
    }

    private static Blend blend(List<ModelCatalog.ModelView> all, ModelBlend blend) {
        return blend == null ? null : new Blend(blend, model(all, blend.modelId()));
    }

    /** The job's panel alone, re-rendered as its events arrive. */
    @GET
    @Path("{id}/panel")
    public TemplateInstance panel(@PathParam("id") String id) throws SQLException {
        return Templates.upscale$panel(panel(jobs.require(JobStore.id(id))));
    }

    /**
     * The uploaded image; with {@code bicubic=true}, enlarged by bicubic interpolation to the
     * result's size (which with an output scale or width is not the input's times the model's
     * scale), the classical baseline the model's output is compared with. A WebP or a TIFF comes as
     * the PNG of the picture the upscale worked on (upright by its EXIF orientation, which not every
     * browser applies to a WebP; browsers do not show TIFF).
     */
    @GET
    @Path("{id}/input")
    @Produces({"image/png", "image/jpeg", "image/webp", MediaType.APPLICATION_JSON})
    public Response input(@PathParam("id") String id, @QueryParam("bicubic") boolean bicubic)
            throws SQLException, IOException {
        UUID jobId = JobStore.id(id);
        JobView job = jobs.require(jobId);
        UUID blobId = jobs.inputBlobId(jobId)
                .orElseThrow(() -> ApiException.notFound("job " + jobId + " has no input image"));
        String contentType;
        try (Connection c = dataSource.getConnection()) {
            contentType = blobs.find(c, blobId)
                    .orElseThrow(() -> ApiException.notFound("the input of job " + jobId + " is gone"))
                    .contentType();
        }
        int w;
        int h;
        if (job.result() != null) {
            w = job.result().width();
            h = job.result().height();
        } else {
            JsonNode p = params(job);
            int inputWidth = p.path("inputWidth").asInt(0);
            int inputHeight = p.path("inputHeight").asInt(0);
            OutputOptions.Size size = inputWidth == 0
                    ? new OutputOptions.Size(0, 0)
                    : outputSize(
                            BatchStore.options(p),
                            inputWidth,
                            inputHeight,
                            p.path("scale").asInt(4));
            w = size.width();
            h = size.height();
        }
        // a browser may not show a WebP upright, nor a TIFF at all: those come as the PNG of the picture
        boolean asPng = ImageFormat.WEBP.contentType().equals(contentType)
                || ImageFormat.TIFF.contentType().equals(contentType);
        if (!(asPng && !bicubic) && (!bicubic || (long) w * h > MAX_BICUBIC_PIXELS || w == 0)) {
            StreamingOutput body = out -> blobs.copyTo(dataSource, blobId, out);
            return Response.ok(body, contentType)
                    .header("Cache-Control", "private, max-age=3600")
                    .build();
        }
        ByteArrayOutputStream original = new ByteArrayOutputStream();
        try (Connection c = dataSource.getConnection()) {
            blobs.copyTo(c, blobId, original);
        }
        byte[] bytes = original.toByteArray();
        BufferedImage in = ShownImage.decode(bytes);
        if (!bicubic) { // a WebP or a TIFF, as shown
            StreamingOutput body = o -> ImageIO.write(in, "png", o);
            return Response.ok(body, "image/png")
                    .header("Cache-Control", "private, max-age=3600")
                    .build();
        }
        BufferedImage out = new BufferedImage(
                w, h, in.getColorModel().hasAlpha() ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.drawImage(in, 0, 0, w, h, null);
        g.dispose();
        StreamingOutput body = o -> ImageIO.write(out, "png", o);
        return Response.ok(body, "image/png")
                .header("Cache-Control", "private, max-age=3600")
                .build();
    }

    Panel panel(JobView job) throws SQLException {
        JsonNode p = params(job);
        List<ModelCatalog.ModelView> all = models.list();
        long inputBytes = 0;
        var blobId = jobs.inputBlobId(job.id());
        if (blobId.isPresent()) {
            try (Connection c = dataSource.getConnection()) {
                inputBytes = blobs.find(c, blobId.get())
                        .map(BlobStore.Blob::sizeBytes)
                        .orElse(0L);
            }
        }
        return new Panel(
                outlook.attach(job),
                p.path("scale").asInt(4),
                p.path("inputWidth").asInt(0),
                p.path("inputHeight").asInt(0),
                model(all, job.modelId()),
                blend(all, BatchStore.blend(p)),
                inputBytes,
                BatchStore.options(p),
                others(job, p, all),
                UUID.fromString(p.path("sourceJobId").asText(job.id().toString())));
    }

    /** At most this many other upscales (or batches) of a photo are offered. */
    private static final int MAX_OTHERS = 8;

    /**
     * The other batches of a batch's photos, newest first: the first batch of them ({@code
     * sourceJobId}, or the batch itself) and every one made from its images; each links to its page.
     */
    private List<Other> otherBatches(JobView job, List<ModelCatalog.ModelView> all) throws SQLException {
        return related(job, params(job), all, "type = 'BATCH'", id -> "/upscale/" + id);
    }

    /**
     * The other upscales of the job's photo that succeeded, newest first: the first upscale of it
     * ({@code sourceJobId}, or the job itself) and every one made from its image; each links to its
     * result.
     */
    private List<Other> others(JobView job, JsonNode p, List<ModelCatalog.ModelView> all) throws SQLException {
        return related(job, p, all, "type = 'UPSCALE' AND status = 'SUCCEEDED'", id -> "/api/jobs/" + id + "/result");
    }

    /**
     * The jobs matching {@code filter} that share the job's first upscale (or batch): that one
     * ({@code sourceJobId}, or the job itself) and every one whose {@code sourceJobId} names it,
     * newest first, up to {@link #MAX_OTHERS}, each described by what it ran.
     */
    private List<Other> related(
            JobView job,
            JsonNode p,
            List<ModelCatalog.ModelView> all,
            String filter,
            java.util.function.Function<UUID, String> url)
            throws SQLException {
        String root = p.path("sourceJobId").asText(job.id().toString());
        List<Other> others = new java.util.ArrayList<>();
        try (Connection c = dataSource.getConnection();
                java.sql.PreparedStatement ps = c.prepareStatement("SELECT id, model_id, params::text FROM jobs WHERE "
                        + filter + " AND id <> ? AND (id = ?::uuid OR params ->> 'sourceJobId' = ?)"
                        + " ORDER BY created_at DESC LIMIT ?")) {
            ps.setObject(1, job.id());
            ps.setString(2, root);
            ps.setString(3, root);
            ps.setInt(4, MAX_OTHERS);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    UUID id = rs.getObject(1, UUID.class);
                    JsonNode params = params(rs.getString(3));
                    others.add(new Other(id, describe(all, rs.getObject(2, UUID.class), params), url.apply(id)));
                }
            }
        }
        return others;
    }

    /** What an upscale ran, in a few words: "SRResNet 4x + 30% SRResNet 4x (real photos), 3×, JPEG". */
    static String describe(List<ModelCatalog.ModelView> all, UUID modelId, JsonNode params) {
        ModelCatalog.ModelView model = model(all, modelId);
        StringBuilder text = new StringBuilder(
                model != null ? model.name() : modelId == null ? "the default model" : "a deleted model");
        ModelBlend blend = BatchStore.blend(params);
        if (blend != null) {
            ModelCatalog.ModelView with = model(all, blend.modelId());
            text.append(" + ")
                    .append(blend.percent())
                    .append(' ')
                    .append(with == null ? "a deleted model" : with.name())
                    .append(blend.how());
        }
        OutputOptions options = BatchStore.options(params);
        String resized = resizedTo(options, params.path("scale").asInt(4));
        if (resized != null) {
            text.append(", ").append(resized);
        }
        if (options.format() != OutputOptions.Format.PNG) {
            text.append(", ").append(options.format().title());
        }
        return text.toString();
    }

    /** The size a job's result will have; the model's output size when its options do not hold for the image. */
    private static OutputOptions.Size outputSize(OutputOptions options, int width, int height, int scale) {
        try {
            return options.size(width, height, scale);
        } catch (OutputOptions.InvalidOption e) {
            return new OutputOptions.Size(width * scale, height * scale);
        }
    }

    private JsonNode params(JobView job) {
        return params(job.params());
    }

    private JsonNode params(String text) {
        try {
            return json.readTree(text == null ? "{}" : text);
        } catch (IOException e) {
            return json.createObjectNode();
        }
    }
}
