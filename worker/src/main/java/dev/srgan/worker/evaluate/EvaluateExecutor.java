package dev.srgan.worker.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srgan.domain.images.ImageFormat;
import dev.srgan.domain.images.ModelBlend;
import dev.srgan.domain.jobs.JobType;
import dev.srgan.networks.evaluation.Comparison;
import dev.srgan.networks.evaluation.Evaluator;
import dev.srgan.networks.image.Degradation;
import dev.srgan.networks.image.Images;
import dev.srgan.platform.jobs.ClaimedJob;
import dev.srgan.platform.jobs.LeaseLost;
import dev.srgan.platform.models.ModelComparisonStore;
import dev.srgan.worker.jobs.JobCancelled;
import dev.srgan.worker.jobs.JobContext;
import dev.srgan.worker.jobs.JobExecutor;
import dev.srgan.worker.jobs.JobFailure;
import dev.srgan.worker.jobs.JobInputs;
import dev.srgan.worker.jobs.JobParams;
import dev.srgan.worker.jobs.ScratchSpace;
import dev.srgan.worker.jobs.ThrottledContext;
import dev.srgan.worker.jobs.WorkerStopping;
import dev.srgan.worker.training.DatasetArchive;
import dev.srgan.worker.upscale.ModelCache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import javax.sql.DataSource;

/**
 * Runs EVALUATE jobs: the job's model on every image of the job's dataset, by the protocol of the
 * SR literature ({@link Evaluator}: bicubic-degraded input, PSNR/SSIM on Y with a scale-pixel
 * border, against bicubic; NIQE of the model's output, of bicubic and of the original, null where
 * no image is large enough to score), stored as one {@code model_evaluations} row with per-image
 * details. An evaluation of the model blended with a second one ({@link ModelBlend} in the params)
 * measures the blend and records it in the row's {@code blend}; the model's comparison crop stays
 * its own.
 */
@ApplicationScoped
public class EvaluateExecutor implements JobExecutor {
    @Inject
    DataSource dataSource;

    @Inject
    JobInputs inputs;

    @Inject
    ModelCache models;

    @Inject
    ScratchSpace scratch;

    @Inject
    ObjectMapper json;

    @Inject
    ModelComparisonStore comparisons;

    /** The comparison photo's window (networks {@link Comparison}). */
    private static final ModelComparisonStore.Window WINDOW =
            new ModelComparisonStore.Window(Comparison.PHOTO, Comparison.X, Comparison.Y, Comparison.SIZE);

    @Override
    public JobType type() {
        return JobType.EVALUATE;
    }

    @Override
    public void execute(ClaimedJob job, JobContext context) throws Exception {
        JobContext ctx = new ThrottledContext(context, Duration.ofMillis(250), Duration.ofMillis(500));
        ModelCache.Model model = inputs.model(job.modelId());
        Degradation degradation = degradation(job.paramsJson());
        ModelBlend blend = JobParams.blend(JobParams.members(json, job.paramsJson()));
        ModelCache.Model measured = blend == null
                ? model
                : model.blendedWith(inputs.model(blend.modelId(), "blend model"), blend.weight(), blend.mode());
        Path dir = scratch.newDirectory("srgan-evaluate-");
        try {
            ctx.progress(0, "unpacking the evaluation images");
            List<Evaluator.NamedImage> images = new ArrayList<>();
            for (DatasetArchive.Image image : inputs.unpackDataset(job.datasetId(), dir)) {
                try {
                    images.add(new Evaluator.NamedImage(image.name(), Images.read(image.file())));
                } catch (IOException e) {
                    throw JobFailure.permanent(
                            "the image '" + image.name() + "' is not a readable " + ImageFormat.NAMES + " image");
                }
            }
            Evaluator.Report report;
            BufferedImage crop;
            try (ModelCache.Lease lease = models.acquire(measured)) {
                int[] done = {0};
                report = Evaluator.evaluate(
                        lease.upscaler(),
                        images,
                        degradation,
                        r -> ctx.progress(
                                (double) ++done[0] / images.size(),
                                "image " + done[0] + " of " + images.size() + ": " + r.name()),
                        () -> ctx.leaseLost() || ctx.cancelRequested() || ctx.stopping());
                // the crop on the Models page is the model's own, not a blend's
                crop = blend == null ? comparisonCrop(ctx, lease) : null;
            } catch (CancellationException e) {
                if (ctx.leaseLost()) {
                    throw new LeaseLost(ctx.lease(), "the next evaluation image");
                }
                if (ctx.stopping()) {
                    throw new WorkerStopping();
                }
                throw new JobCancelled();
            } catch (IllegalArgumentException e) {
                throw JobFailure.permanent(e.getMessage());
            }
            // written with the SUCCEEDED state, in its fenced transaction
            byte[] cropPng = crop == null ? null : Images.png(crop);
            double cropPsnr = crop == null ? 0 : Comparison.psnr(crop);
            context.onSuccess(c -> {
                store(c, job.id(), model.id(), report, degradation, blend);
                if (cropPng != null) {
                    comparisons.store(c, model.id(), WINDOW, cropPng, cropPsnr);
                }
            });
        } finally {
            ScratchSpace.delete(dir);
        }
    }

    /** The degradation of the job's LR inputs ({@code params.degradation}); none when absent. */
    private Degradation degradation(String params) throws JobFailure {
        try {
            JsonNode node = json.readTree(params == null ? "{}" : params).path("degradation");
            return node.isObject() ? json.treeToValue(node, Degradation.class) : Degradation.NONE;
        } catch (IOException | IllegalArgumentException e) {
            throw JobFailure.permanent("the evaluation's degradation is not valid: " + e.getMessage());
        }
    }

    /** The model's crop of the comparison photo, the same window as every model's. */
    private static BufferedImage comparisonCrop(JobContext ctx, ModelCache.Lease lease) {
        ctx.progress(1, "the comparison crop (" + Comparison.PHOTO + ")");
        return Evaluator.comparisonCrop(lease.upscaler());
    }

    /** One evaluation per job, on the connection of the transaction that marks the job SUCCEEDED. */
    private void store(
            Connection c, UUID jobId, UUID modelId, Evaluator.Report report, Degradation degradation, ModelBlend blend)
            throws SQLException, IOException {
        {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM model_evaluations WHERE job_id = ?");
                    PreparedStatement ins = c.prepareStatement("""
                         INSERT INTO model_evaluations (id, model_id, job_id, scale, image_count, psnr, ssim, bicubic_psnr, bicubic_ssim,
                                                        ms_per_image, details, niqe, bicubic_niqe, hr_niqe, degradation, blend)
                         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?::jsonb, ?::jsonb)""")) {
                del.setObject(1, jobId);
                del.executeUpdate();
                ins.setObject(1, UUID.randomUUID());
                ins.setObject(2, modelId);
                ins.setObject(3, jobId);
                ins.setInt(4, report.scale());
                ins.setInt(5, report.images().size());
                ins.setDouble(6, report.psnr());
                ins.setDouble(7, report.ssim());
                ins.setDouble(8, report.bicubicPsnr());
                ins.setDouble(9, report.bicubicSsim());
                ins.setDouble(10, report.msPerImage());
                ins.setString(11, json.writeValueAsString(report.images()));
                ins.setObject(12, report.niqe(), Types.DOUBLE);
                ins.setObject(13, report.bicubicNiqe(), Types.DOUBLE);
                ins.setObject(14, report.hrNiqe(), Types.DOUBLE);
                ins.setString(15, degradation.isNone() ? null : json.writeValueAsString(degradation));
                ins.setString(
                        16,
                        blend == null
                                ? null
                                : json.createObjectNode()
                                        .put("modelId", blend.modelId().toString())
                                        .put("weight", blend.weight())
                                        .put("mode", blend.mode().id())
                                        .toString());
                ins.executeUpdate();
            }
        }
    }
}
