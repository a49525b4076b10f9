package dev.srgan.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srgan.core.config.ApiConfig;
import dev.srgan.core.datasets.DatasetStore;
import dev.srgan.core.jobs.JobOutlook;
import dev.srgan.core.jobs.JobStore;
import dev.srgan.core.jobs.JobView;
import dev.srgan.core.models.ModelCatalog;
import dev.srgan.core.training.SweepStore;
import dev.srgan.core.training.TrainingStore;
import dev.srgan.domain.jobs.JobType;
import dev.srgan.networks.training.TrainingConfig;
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
import java.io.IOException;
import java.net.URI;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Training in the browser: the runs and a form for a new one (its hyperparameters start at the
 * seed's defaults, read from {@link TrainingConfig#defaults()}), a run's live page (loss and
 * validation charts, samples, checkpoints), and several runs' curves overlaid.
 */
@Path("/training")
@Produces(MediaType.TEXT_HTML)
public class TrainingPage {
    static final int RUNS_PER_PAGE = 20;
    static final int MAX_COMPARED = 8;
    static final int SWEEPS_SHOWN = 5;

    @Inject
    ApiConfig config;

    @Inject
    JobStore jobs;

    @Inject
    JobOutlook outlook;

    @Inject
    TrainingStore training;

    @Inject
    DatasetStore datasets;

    @Inject
    ObjectMapper json;

    @Inject
    SweepStore sweeps;

    @Inject
    ModelCatalog models;

    @CheckedTemplate(basePath = "dashboard")
    static class Templates {
        static native TemplateInstance training(
                JobStore.Page runs,
                long pages,
                List<DatasetStore.DatasetView> datasets,
                List<Hyperparameter> hyperparameters,
                List<ModelCatalog.ModelView> baseModels,
                boolean vgg19,
                long maxBytes,
                SweepStore.Page sweeps,
                String tag,
                java.util.Map<String, Long> tags,
                String q);

        static native TemplateInstance run(Run run);

        static native TemplateInstance run$status(Run run);

        static native TemplateInstance run$artifacts(Run run);

        static native TemplateInstance compare(List<Compared> runs);

        static native TemplateInstance dataset(
                DatasetStore.DatasetView dataset, DatasetStore.Images images, List<DatasetStore.User> users);
    }

    /**
     * A dataset's images by name, with the part each plays when a run holds out the dataset's own
     * validation images; a dataset uploaded before its images were recorded offers to list them.
     */
    @GET
    @Path("datasets/{id}")
    public TemplateInstance dataset(@PathParam("id") String id) throws SQLException {
        UUID datasetId;
        try {
            datasetId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw dev.srgan.core.errors.ApiException.notFound("no dataset " + id);
        }
        return Templates.dataset(
                datasets.find(datasetId), datasets.images(datasetId).orElse(null), datasets.users(datasetId, 50));
    }

    /**
     * One input of the form. {@code kind} is "scale", "int", "decimal", "optional" (blank = none)
     * or "list" (comma-separated steps); {@code value} is the default as the form shows it.
     */
    public record Hyperparameter(
            String name, String label, String hint, String kind, String value, String min, String max) {}

    /** A run as its page shows it. */
    public record Run(
            JobView job,
            Map<String, String> hyperparameters,
            int totalSteps,
            int currentStep,
            String datasetName,
            List<TrainingStore.CheckpointView> checkpoints,
            List<TrainingStore.ValidationPoint> validation) {
        /** Validations newest first, for the samples gallery. */
        public List<TrainingStore.ValidationPoint> samplesNewestFirst() {
            List<TrainingStore.ValidationPoint> l = new ArrayList<>(validation);
            java.util.Collections.reverse(l);
            return l;
        }

        /**
         * How the run degrades its LR inputs beyond SRGAN's bicubic shrink, in words; null when it
         * does not.
         */
        public String degradation() {
            String jpeg = hyperparameters.getOrDefault("jpegQuality", "");
            String text = TrainingConfig.builder()
                    .blurSigma(Double.parseDouble(hyperparameters.getOrDefault("blurSigma", "0")))
                    .noiseSigma(Double.parseDouble(hyperparameters.getOrDefault("noiseSigma", "0")))
                    .jpegQuality(jpeg.isEmpty() ? null : Integer.valueOf(jpeg))
                    .build()
                    .degradationText();
            return text == null ? null : "inputs degraded: " + text;
        }

        /** The step an extension resumes from: the newest checkpoint's, 0 without one. */
        public int resumeStep() {
            return checkpoints.stream()
                    .mapToInt(TrainingStore.CheckpointView::step)
                    .max()
                    .orElse(0);
        }

        /** A step total of the run's config ("pretrainSteps", "ganSteps"). */
        public int steps(String phase) {
            return Integer.parseInt(hyperparameters.getOrDefault(phase, "0"));
        }

        /** Whether an extension can still lengthen pre-training: the run resumes before its GAN phase. */
        public boolean pretrainingExtendable() {
            return resumeStep() <= steps("pretrainSteps");
        }

        public boolean hasCheckpointAt(int step) {
            return checkpoints.stream().anyMatch(c -> c.step() == step);
        }

        /** The validation at a step (a checkpoint's), or null when none was made there. */
        public TrainingStore.ValidationPoint validationAt(int step) {
            return validation.stream().filter(v -> v.step() == step).findFirst().orElse(null);
        }

        /**
         * The step of the checkpoint whose validation PSNR is highest (the one to register as a model,
         * when PSNR is the goal), or -1 when no checkpoint was validated; a diverged NaN never wins.
         */
        public int bestCheckpointStep() {
            int best = -1;
            double bestPsnr = Double.NEGATIVE_INFINITY;
            for (TrainingStore.CheckpointView c : checkpoints) {
                TrainingStore.ValidationPoint v = validationAt(c.step());
                if (v != null && !Double.isNaN(v.psnr()) && v.psnr() > bestPsnr) {
                    bestPsnr = v.psnr();
                    best = c.step();
                }
            }
            return best;
        }
    }

    /** A run in the comparison, with the hyperparameters that set it apart from the others. */
    public record Compared(JobView job, Map<String, String> settings) {}

    /** Shown for a single run, where nothing differs. */
    static final List<String> KEY_SETTINGS = List.of(
            "scale",
            "residualBlocks",
            "batchSize",
            "hrCropSize",
            "pretrainSteps",
            "ganSteps",
            "learningRateG",
            "adversarialWeight");

    /** The form's fields, in the order a user thinks about them. */
    static final List<String[]> FIELDS = List.of(
            new String[] {"scale", "Scale", "upscale factor of the generator", "scale", "", ""},
            new String[] {
                "residualBlocks", "Residual blocks", "depth of the generator (the paper: 16)", "int", "1", "64"
            },
            new String[] {"batchSize", "Batch size", "HR crops per step", "int", "1", "64"},
            new String[] {
                "hrCropSize",
                "HR crop size",
                "side of the random crops in pixels, a multiple of the scale",
                "int",
                "16",
                "512"
            },
            new String[] {
                "blurSigma",
                "Blur σ (strongest)",
                "real photos: each crop blurred up to this many HR pixels before it is shrunk; 0 for none",
                "decimal",
                "0",
                "10"
            },
            new String[] {
                "noiseSigma",
                "Noise σ (strongest)",
                "real photos: Gaussian noise up to this many 8-bit levels on each LR crop; 0 for none",
                "decimal",
                "0",
                "50"
            },
            new String[] {
                "jpegQuality",
                "JPEG quality (lowest)",
                "real photos: each LR crop compressed at a quality from this to 95; blank for none",
                "optional",
                "1",
                "95"
            },
            new String[] {
                "pretrainSteps", "Pre-training steps", "generator only, pixel MSE (SRResNet)", "int", "0", "1000000"
            },
            new String[] {"ganSteps", "GAN steps", "adversarial steps after pre-training", "int", "0", "1000000"},
            new String[] {"learningRateG", "Learning rate G", "Adam, generator", "decimal", "1e-8", "1"},
            new String[] {"learningRateD", "Learning rate D", "Adam, discriminator", "decimal", "1e-8", "1"},
            new String[] {
                "freezeBatchNorm",
                "Keep BatchNorm statistics",
                "fine-tuning: normalise with the model's statistics, not each batch's (needs a model to start from)",
                "bool",
                "",
                ""
            },
            new String[] {"beta1", "Adam β1", "", "decimal", "0", "0.999"},
            new String[] {"beta2", "Adam β2", "", "decimal", "0", "0.9999"},
            new String[] {
                "adversarialWeight", "Adversarial weight", "w in content + w · adversarial", "decimal", "0", "10"
            },
            new String[] {"featureLossWeight", "Feature loss weight", "scales the VGG feature MSE", "decimal", "", ""},
            new String[] {
                "validateEvery", "Validate every", "steps between PSNR/SSIM validations", "int", "1", "1000000"
            },
            new String[] {"checkpointEvery", "Checkpoint every", "steps between checkpoints", "int", "1", "1000000"},
            new String[] {
                "validationSamples", "Sample images", "validation images kept per validation", "int", "0", "16"
            },
            new String[] {"emaDecay", "EMA decay", "e.g. 0.999; blank for no averaged generator", "optional", "0", "1"},
            new String[] {
                "lrMilestones",
                "LR milestones",
                "steps after which the learning rates are multiplied by γ, e.g. 5000, 8000",
                "list",
                "",
                ""
            },
            new String[] {"lrGamma", "LR factor γ", "", "decimal", "", ""},
            new String[] {"seed", "Seed", "initial weights and crop sampling", "int", "", ""});

    @GET
    public TemplateInstance runs(
            @QueryParam("page") Integer page, @QueryParam("tag") String tag, @QueryParam("q") String q)
            throws SQLException {
        int p = page == null || page < 1 ? 0 : page - 1;
        String t = tag == null || tag.isBlank() ? null : tag.trim();
        JobStore.Filter filter =
                new JobStore.Filter(JobType.TRAINING, null, null, t == null ? List.of() : List.of(t), q);
        JobStore.Page runs = jobs.list(filter, p, RUNS_PER_PAGE);
        long pages = Math.max(1, (runs.total() + RUNS_PER_PAGE - 1) / RUNS_PER_PAGE);
        return Templates.training(
                runs,
                pages,
                datasets.list(),
                hyperparameters(json, config.training().vgg19Path().isPresent()),
                baseModels(models),
                config.training().vgg19Path().isPresent(),
                config.upload().maxBytes(),
                sweeps.list(0, SWEEPS_SHOWN),
                t,
                jobs.tags(JobType.TRAINING, JobsPage.TAGS_SHOWN),
                filter.text());
    }

    @GET
    @Path("{id}")
    public Response run(@PathParam("id") String id) throws SQLException {
        Run run = withOutlook(load(id));
        if (!run.job().type().equals("TRAINING")) {
            return Response.seeOther(URI.create(Formats.href(run.job()))).build();
        }
        return Response.ok(Templates.run(run)).build();
    }

    @GET
    @Path("{id}/status")
    public TemplateInstance status(@PathParam("id") String id) throws SQLException {
        return Templates.run$status(withOutlook(load(id)));
    }

    @GET
    @Path("{id}/artifacts")
    public TemplateInstance artifacts(@PathParam("id") String id) throws SQLException {
        return Templates.run$artifacts(load(id));
    }

    /** Several runs' curves in one chart: {@code /training/compare?id=A&id=B}. */
    @GET
    @Path("compare")
    public TemplateInstance compare(@QueryParam("id") List<String> ids) throws SQLException {
        Set<String> unique = new LinkedHashSet<>(ids == null ? List.of() : ids);
        List<Run> runs = new ArrayList<>();
        for (String id : unique) {
            if (runs.size() == MAX_COMPARED) {
                break;
            }
            Optional<JobView> job = jobs.find(JobStore.id(id));
            if (job.isPresent() && job.get().type().equals("TRAINING")) {
                runs.add(load(id));
            }
        }
        List<Compared> compared = new ArrayList<>();
        for (Run run : runs) {
            Map<String, String> settings = new java.util.LinkedHashMap<>();
            run.hyperparameters().forEach((key, value) -> {
                boolean differs = runs.stream()
                        .anyMatch(other -> !value.equals(other.hyperparameters().get(key)));
                if (runs.size() == 1 ? KEY_SETTINGS.contains(key) : differs) {
                    settings.put(key, value);
                }
            });
            compared.add(new Compared(run.job(), settings));
        }
        return Templates.compare(compared);
    }

    /** The run with its outlook: the run page and its live status, not its artifacts or a comparison. */
    private Run withOutlook(Run run) throws SQLException {
        return new Run(
                outlook.attach(run.job()),
                run.hyperparameters(),
                run.totalSteps(),
                run.currentStep(),
                run.datasetName(),
                run.checkpoints(),
                run.validation());
    }

    Run load(String id) throws SQLException {
        UUID jobId = JobStore.id(id);
        JobView job = jobs.require(jobId);
        Map<String, String> hp = new java.util.LinkedHashMap<>();
        int totalSteps = 0;
        try {
            // runs compared across versions then differ only where they did
            JsonNode config = json.readTree(job.params() == null ? "{}" : TrainingConfig.withDefaults(job.params()));
            for (String[] f : FIELDS) {
                if (config.has(f[0])) {
                    hp.put(f[0], text(config.get(f[0])));
                }
            }
            hp.put(
                    "contentLoss",
                    config.path("featureExtractorPath").isTextual()
                            ? config.path("featureExtractorName").asText()
                            : "pixel-mse");
            // runs compare only on the same validation photos: the comparison shows where they differ
            hp.put(
                    "validation",
                    job.validationDataset() == null
                            ? "the last tenth of its dataset"
                            : "dataset " + job.validationDataset().name());
            totalSteps = config.path("pretrainSteps").asInt(0)
                    + config.path("ganSteps").asInt(0);
        } catch (IOException e) {
            hp.put("params", job.params());
        }
        if (!job.type().equals("TRAINING")) {
            return new Run(job, hp, 0, 0, null, List.of(), List.of());
        }
        int current = (int) Math.round(job.progress() * totalSteps);
        String datasetName = datasets.list().stream()
                .filter(d -> d.id().equals(job.datasetId()))
                .map(DatasetStore.DatasetView::name)
                .findFirst()
                .orElse(null);
        return new Run(job, hp, totalSteps, current, datasetName, training.checkpoints(id), training.validation(id));
    }

    /**
     * The form's fields with their defaults, for the training and the sweep forms. Without a VGG19
     * feature extractor only pixel content losses exist, so the feature loss weight, which scales
     * the VGG feature MSE alone, is left out (the server's default stands).
     */
    static List<Hyperparameter> hyperparameters(ObjectMapper json, boolean vgg19) {
        JsonNode defaults;
        try {
            defaults = json.readTree(TrainingConfig.defaults().toJson());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        List<Hyperparameter> list = new ArrayList<>();
        for (String[] f : FIELDS) {
            if (f[0].equals("featureLossWeight") && !vgg19) {
                continue;
            }
            JsonNode d = defaults.path(f[0]);
            String value = d.isNull() || d.isMissingNode() ? "" : text(d);
            list.add(new Hyperparameter(f[0], f[1], f[2], f[3], value, f[4], f[5]));
        }
        return list;
    }

    /**
     * The models a run can start from, for the training and the sweep forms: those in the SRGAN
     * checkpoint format (a TorchScript file's layers cannot be mapped onto the generator), by scale.
     */
    static List<ModelCatalog.ModelView> baseModels(ModelCatalog models) throws SQLException {
        return models.list().stream()
                .filter(m -> m.format().equals("CHECKPOINT") && m.residualBlocks() != null)
                .sorted(java.util.Comparator.comparingInt(ModelCatalog.ModelView::scale)
                        .thenComparing(m -> !m.isDefault())
                        .thenComparing(ModelCatalog.ModelView::name))
                .toList();
    }

    /** A config value as a person writes it: 0.0001 rather than 1.0E-4, "5000, 8000" for a list, blank for none. */
    static String text(JsonNode value) {
        if (value == null || value.isNull()) {
            return "";
        }
        if (value.isArray()) {
            List<String> parts = new ArrayList<>();
            value.forEach(n -> parts.add(text(n)));
            return String.join(", ", parts);
        }
        if (value.isFloatingPointNumber()) {
            return value.decimalValue().stripTrailingZeros().toPlainString();
        }
        return value.asText();
    }
}
