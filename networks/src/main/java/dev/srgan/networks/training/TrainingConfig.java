package dev.srgan.networks.training;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/**
 * Everything that defines a training run. Defaults follow the SRGAN paper (Ledig et al. 2017):
 * scale 4, 16 residual blocks, batch 16 of 96x96 HR crops, Adam with lr 1e-4 and beta1 0.9,
 * adversarial weight 1e-3; feature (VGG) loss rescaled by 1/12.75^2 ~= 0.006. The step counts are
 * this project's CPU-sized defaults, not the paper's 10^5 + 10^5 updates.
 *
 * <p>Serialized as JSON (the worker receives it so); absent fields take their defaults, unknown
 * fields are rejected.
 *
 * @param scale upscale factor: 2, 4 or 8
 * @param residualBlocks generator residual blocks, at least 1
 * @param batchSize HR crops per step
 * @param hrCropSize side of the random HR crops, a multiple of scale, at least 16
 * @param learningRateG Adam learning rate of the generator
 * @param learningRateD Adam learning rate of the discriminator
 * @param beta1 Adam beta1
 * @param beta2 Adam beta2
 * @param adversarialWeight w in content + w * adversarial
 * @param featureLossWeight factor on the feature (perceptual) MSE; unused with pixel MSE
 * @param pretrainSteps generator-only steps with pixel MSE (SRResNet) before the GAN phase
 * @param ganSteps adversarial steps after pre-training
 * @param validateEvery steps between validations (PSNR/SSIM on the validation set)
 * @param checkpointEvery steps between checkpoints
 * @param seed seed of the initial weights and of the crop/flip sampling
 * @param emaDecay decay of an exponential moving average of the generator's weights (e.g. 0.999),
 *     or null for none; when set, validation and inference use the averaged weights
 * @param lrMilestones global steps after which both learning rates are multiplied by lrGamma
 * @param lrGamma the learning-rate factor at each milestone
 * @param featureExtractorPath TorchScript file of the frozen feature extractor (VGG19 truncated),
 *     or null for pixel MSE throughout
 * @param featureExtractorName the content-loss name recorded when the extractor is used
 * @param validationSamples how many validation images are returned as samples
 * @param freezeBatchNorm whether the generator's BatchNorm layers keep the running statistics
 *     the run starts with (normalising with them, never updating them) while everything else
 *     learns; for fine-tuning a trained generator, whose statistics small batches would otherwise
 *     pull away within a few steps. Meaningless for a generator from random weights.
 * @param blurSigma the strongest Gaussian blur, in HR pixels, applied to a crop before it is shrunk:
 *     each crop draws its sigma uniformly from [0, blurSigma]; 0 for none. With {@code noiseSigma}
 *     and {@code jpegQuality} it trains a generator for real photos, which are rarely the clean
 *     bicubic shrinks SRGAN trains on ({@link dev.srgan.networks.image.Degradation})
 * @param noiseSigma the strongest Gaussian noise, in 8-bit levels, added to each LR crop after the
 *     shrink (each crop draws its sigma uniformly from [0, noiseSigma], the noise independent per
 *     channel); 0 for none
 * @param jpegQuality the lowest JPEG quality an LR crop is compressed at, last (each crop draws its
 *     quality uniformly from [jpegQuality, 95]), or null for none
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record TrainingConfig(
        int scale,
        int residualBlocks,
        int batchSize,
        int hrCropSize,
        double learningRateG,
        double learningRateD,
        double beta1,
        double beta2,
        double adversarialWeight,
        double featureLossWeight,
        int pretrainSteps,
        int ganSteps,
        int validateEvery,
        int checkpointEvery,
        long seed,
        Double emaDecay,
        List<Integer> lrMilestones,
        double lrGamma,
        String featureExtractorPath,
        String featureExtractorName,
        int validationSamples,
        boolean freezeBatchNorm,
        double blurSigma,
        double noiseSigma,
        Integer jpegQuality) {

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Validates every field; the message names the field. */
    public TrainingConfig {
        require(scale == 2 || scale == 4 || scale == 8, "scale", "must be 2, 4 or 8");
        require(residualBlocks >= 1, "residualBlocks", "must be >= 1");
        require(batchSize >= 1, "batchSize", "must be >= 1");
        require(hrCropSize >= 16 && hrCropSize % scale == 0, "hrCropSize", "must be >= 16 and a multiple of scale");
        require(learningRateG > 0, "learningRateG", "must be > 0");
        require(learningRateD > 0, "learningRateD", "must be > 0");
        require(beta1 >= 0 && beta1 < 1, "beta1", "must be in [0, 1)");
        require(beta2 >= 0 && beta2 < 1, "beta2", "must be in [0, 1)");
        require(adversarialWeight >= 0, "adversarialWeight", "must be >= 0");
        require(featureLossWeight > 0, "featureLossWeight", "must be > 0");
        require(pretrainSteps >= 0, "pretrainSteps", "must be >= 0");
        require(ganSteps >= 0, "ganSteps", "must be >= 0");
        require(pretrainSteps + ganSteps >= 1, "ganSteps", "pretrainSteps + ganSteps must be >= 1");
        require(validateEvery >= 1, "validateEvery", "must be >= 1");
        require(checkpointEvery >= 1, "checkpointEvery", "must be >= 1");
        require(emaDecay == null || (emaDecay > 0 && emaDecay < 1), "emaDecay", "must be in (0, 1) or null");
        lrMilestones = lrMilestones == null ? List.of() : List.copyOf(lrMilestones);
        require(lrGamma > 0, "lrGamma", "must be > 0");
        require(validationSamples >= 0, "validationSamples", "must be >= 0");
        require(
                blurSigma >= 0 && blurSigma <= dev.srgan.networks.image.Degradation.MAX_BLUR_SIGMA,
                "blurSigma",
                "must be in [0, 10] (HR pixels)");
        require(
                noiseSigma >= 0 && noiseSigma <= dev.srgan.networks.image.Degradation.MAX_NOISE_SIGMA,
                "noiseSigma",
                "must be in [0, 50] (8-bit levels)");
        require(
                jpegQuality == null
                        || (jpegQuality >= 1 && jpegQuality <= dev.srgan.networks.image.Degradation.BEST_JPEG_QUALITY),
                "jpegQuality",
                "must be 1 to 95, or null for no JPEG compression");
        if (featureExtractorName == null || featureExtractorName.isBlank()) {
            featureExtractorName = "vgg19:relu5_4";
        }
    }

    private static void require(boolean ok, String field, String message) {
        if (!ok) {
            throw new InvalidConfigException(field, field + " " + message);
        }
    }

    /** Thrown for an invalid setting; {@link #field()} names it. */
    public static final class InvalidConfigException extends IllegalArgumentException {
        private final String field;

        InvalidConfigException(String field, String message) {
            super(message);
            this.field = field;
        }

        /** Returns the name of the offending field. */
        public String field() {
            return field;
        }
    }

    @JsonCreator
    static TrainingConfig fromJsonFields(
            @JsonProperty("scale") Integer scale,
            @JsonProperty("residualBlocks") Integer residualBlocks,
            @JsonProperty("batchSize") Integer batchSize,
            @JsonProperty("hrCropSize") Integer hrCropSize,
            @JsonProperty("learningRateG") Double learningRateG,
            @JsonProperty("learningRateD") Double learningRateD,
            @JsonProperty("beta1") Double beta1,
            @JsonProperty("beta2") Double beta2,
            @JsonProperty("adversarialWeight") Double adversarialWeight,
            @JsonProperty("featureLossWeight") Double featureLossWeight,
            @JsonProperty("pretrainSteps") Integer pretrainSteps,
            @JsonProperty("ganSteps") Integer ganSteps,
            @JsonProperty("validateEvery") Integer validateEvery,
            @JsonProperty("checkpointEvery") Integer checkpointEvery,
            @JsonProperty("seed") Long seed,
            @JsonProperty("emaDecay") Double emaDecay,
            @JsonProperty("lrMilestones") List<Integer> lrMilestones,
            @JsonProperty("lrGamma") Double lrGamma,
            @JsonProperty("featureExtractorPath") String featureExtractorPath,
            @JsonProperty("featureExtractorName") String featureExtractorName,
            @JsonProperty("validationSamples") Integer validationSamples,
            @JsonProperty("freezeBatchNorm") Boolean freezeBatchNorm,
            @JsonProperty("blurSigma") Double blurSigma,
            @JsonProperty("noiseSigma") Double noiseSigma,
            @JsonProperty("jpegQuality") Integer jpegQuality) {
        TrainingConfig d = defaults();
        return new TrainingConfig(
                or(scale, d.scale),
                or(residualBlocks, d.residualBlocks),
                or(batchSize, d.batchSize),
                or(hrCropSize, d.hrCropSize),
                or(learningRateG, d.learningRateG),
                or(learningRateD, d.learningRateD),
                or(beta1, d.beta1),
                or(beta2, d.beta2),
                or(adversarialWeight, d.adversarialWeight),
                or(featureLossWeight, d.featureLossWeight),
                or(pretrainSteps, d.pretrainSteps),
                or(ganSteps, d.ganSteps),
                or(validateEvery, d.validateEvery),
                or(checkpointEvery, d.checkpointEvery),
                or(seed, d.seed),
                emaDecay,
                lrMilestones,
                or(lrGamma, d.lrGamma),
                featureExtractorPath,
                featureExtractorName,
                or(validationSamples, d.validationSamples),
                or(freezeBatchNorm, d.freezeBatchNorm),
                or(blurSigma, d.blurSigma),
                or(noiseSigma, d.noiseSigma),
                jpegQuality);
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    /** Returns the defaults (see the class comment). */
    public static TrainingConfig defaults() {
        return new TrainingConfig(
                4,
                16,
                16,
                96,
                1e-4,
                1e-4,
                0.9,
                0.999,
                1e-3,
                1.0 / (12.75 * 12.75),
                10_000,
                20_000,
                500,
                1_000,
                0L,
                null,
                List.of(),
                0.1,
                null,
                null,
                3,
                false,
                0,
                0,
                null);
    }

    /** Returns a builder starting from the defaults. */
    public static Builder builder() {
        return new Builder(defaults());
    }

    /** Returns a builder starting from this config. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * The shortest side a validation image needs at {@code scale}: SSIM's 11-pixel window after the
     * {@code scale}-pixel border on each side.
     */
    public static int minimumValidationSide(int scale) {
        return 11 + 2 * scale;
    }

    /** Whether the LR inputs are degraded beyond SRGAN's bicubic shrink (blur, noise or JPEG). */
    @JsonIgnore
    public boolean isDegraded() {
        return blurSigma > 0 || noiseSigma > 0 || jpegQuality != null;
    }

    /**
     * How the run degrades its inputs beyond the bicubic shrink, in words ("blur σ up to 3 px,
     * noise σ up to 10 levels, JPEG quality 40–95"), or null when it does not.
     */
    public String degradationText() {
        List<String> parts = new java.util.ArrayList<>();
        if (blurSigma > 0) {
            parts.add("blur σ up to " + number(blurSigma) + " px");
        }
        if (noiseSigma > 0) {
            parts.add("noise σ up to " + number(noiseSigma) + " levels");
        }
        if (jpegQuality != null) {
            parts.add("JPEG quality " + jpegQuality + "–" + dev.srgan.networks.image.Degradation.BEST_JPEG_QUALITY);
        }
        return parts.isEmpty() ? null : String.join(", ", parts);
    }

    private static String number(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    /** The degradation the run validates at: the middle of each of its ranges. */
    public dev.srgan.networks.image.Degradation validationDegradation() {
        return new dev.srgan.networks.image.Degradation(
                blurSigma / 2,
                noiseSigma / 2,
                jpegQuality == null ? 0 : (jpegQuality + dev.srgan.networks.image.Degradation.BEST_JPEG_QUALITY) / 2);
    }

    /** Returns the total number of steps, pre-training and GAN. */
    public int totalSteps() {
        return pretrainSteps + ganSteps;
    }

    /**
     * This config with more steps: a run that has done {@code doneSteps} of it continues to the new
     * totals from its checkpoint, exactly as if it had been submitted with them (its learning-rate
     * milestones, validations and checkpoints keep their steps). Pre-training can grow only while
     * the run has not begun its GAN phase, and neither phase can shrink.
     *
     * @param pretrainSteps the new pre-training total, or null to keep it
     * @param ganSteps the new GAN total, or null to keep it
     * @param doneSteps the steps the run has done (its newest checkpoint's)
     * @throws InvalidConfigException naming the field that cannot take its value
     */
    public TrainingConfig extendedTo(Integer pretrainSteps, Integer ganSteps, long doneSteps) {
        int pretrain = pretrainSteps == null ? this.pretrainSteps : pretrainSteps;
        int gan = ganSteps == null ? this.ganSteps : ganSteps;
        require(
                pretrain >= this.pretrainSteps,
                "pretrainSteps",
                "cannot be lowered below the run's " + this.pretrainSteps + " by an extension");
        require(
                pretrain == this.pretrainSteps || doneSteps <= this.pretrainSteps,
                "pretrainSteps",
                "cannot change once the run is in its GAN phase (it has done " + doneSteps + " steps, "
                        + this.pretrainSteps + " of them pre-training)");
        require(
                gan >= this.ganSteps,
                "ganSteps",
                "cannot be lowered below the run's " + this.ganSteps + " by an extension");
        require(
                pretrain + gan > totalSteps(),
                pretrainSteps != null && ganSteps == null ? "pretrainSteps" : "ganSteps",
                "must add steps to the run's " + this.pretrainSteps + " + " + this.ganSteps);
        return toBuilder().pretrainSteps(pretrain).ganSteps(gan).build();
    }

    /**
     * Whether {@code other} is this config or an extension of it ({@link #extendedTo}): the same
     * in everything but more steps.
     */
    public boolean isExtendedBy(TrainingConfig other) {
        return other.pretrainSteps >= pretrainSteps
                && other.ganSteps >= ganSteps
                && other.toBuilder()
                        .pretrainSteps(pretrainSteps)
                        .ganSteps(ganSteps)
                        .build()
                        .equals(this);
    }

    /**
     * A stored config's JSON with the fields added since it was stored at their defaults (what the
     * run trained with), or {@code json} as it is when it is not a training config.
     */
    public static String withDefaults(String json) {
        try {
            return fromJson(json).toJson();
        } catch (IllegalArgumentException e) {
            return json;
        }
    }

    /** Returns this config as JSON. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Parses a config; absent fields take their defaults.
     *
     * @param json the JSON object
     * @return the config
     * @throws IllegalArgumentException if the JSON is malformed, has unknown fields or invalid
     *     values ({@link InvalidConfigException} names the field)
     */
    public static TrainingConfig fromJson(String json) {
        try {
            return JSON.readValue(json, TrainingConfig.class);
        } catch (com.fasterxml.jackson.databind.exc.ValueInstantiationException e) {
            if (e.getCause() instanceof InvalidConfigException invalid) {
                throw invalid;
            }
            throw new IllegalArgumentException("invalid training config: " + e.getOriginalMessage(), e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("invalid training config: " + e.getOriginalMessage(), e);
        }
    }

    /** Mutable copy of a config; {@link #build()} validates. */
    public static final class Builder {
        private int scale;
        private int residualBlocks;
        private int batchSize;
        private int hrCropSize;
        private double learningRateG;
        private double learningRateD;
        private double beta1;
        private double beta2;
        private double adversarialWeight;
        private double featureLossWeight;
        private int pretrainSteps;
        private int ganSteps;
        private int validateEvery;
        private int checkpointEvery;
        private long seed;
        private Double emaDecay;
        private List<Integer> lrMilestones;
        private double lrGamma;
        private String featureExtractorPath;
        private String featureExtractorName;
        private int validationSamples;
        private boolean freezeBatchNorm;
        private double blurSigma;
        private double noiseSigma;
        private Integer jpegQuality;

        private Builder(TrainingConfig c) {
            scale = c.scale;
            residualBlocks = c.residualBlocks;
            batchSize = c.batchSize;
            hrCropSize = c.hrCropSize;
            learningRateG = c.learningRateG;
            learningRateD = c.learningRateD;
            beta1 = c.beta1;
            beta2 = c.beta2;
            adversarialWeight = c.adversarialWeight;
            featureLossWeight = c.featureLossWeight;
            pretrainSteps = c.pretrainSteps;
            ganSteps = c.ganSteps;
            validateEvery = c.validateEvery;
            checkpointEvery = c.checkpointEvery;
            seed = c.seed;
            emaDecay = c.emaDecay;
            lrMilestones = c.lrMilestones;
            lrGamma = c.lrGamma;
            featureExtractorPath = c.featureExtractorPath;
            featureExtractorName = c.featureExtractorName;
            validationSamples = c.validationSamples;
            freezeBatchNorm = c.freezeBatchNorm;
            blurSigma = c.blurSigma;
            noiseSigma = c.noiseSigma;
            jpegQuality = c.jpegQuality;
        }

        /** Sets the scale. */
        public Builder scale(int v) {
            scale = v;
            return this;
        }
        /** Sets the residual blocks. */
        public Builder residualBlocks(int v) {
            residualBlocks = v;
            return this;
        }
        /** Sets the batch size. */
        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }
        /** Sets the HR crop size. */
        public Builder hrCropSize(int v) {
            hrCropSize = v;
            return this;
        }
        /** Sets both learning rates. */
        public Builder learningRate(double v) {
            learningRateG = v;
            learningRateD = v;
            return this;
        }
        /** Sets the generator's learning rate. */
        public Builder learningRateG(double v) {
            learningRateG = v;
            return this;
        }
        /** Sets the discriminator's learning rate. */
        public Builder learningRateD(double v) {
            learningRateD = v;
            return this;
        }
        /** Sets Adam's beta1. */
        public Builder beta1(double v) {
            beta1 = v;
            return this;
        }
        /** Sets Adam's beta2. */
        public Builder beta2(double v) {
            beta2 = v;
            return this;
        }
        /** Sets the adversarial weight. */
        public Builder adversarialWeight(double v) {
            adversarialWeight = v;
            return this;
        }
        /** Sets the feature-loss weight. */
        public Builder featureLossWeight(double v) {
            featureLossWeight = v;
            return this;
        }
        /** Sets the pre-training steps. */
        public Builder pretrainSteps(int v) {
            pretrainSteps = v;
            return this;
        }
        /** Sets the GAN steps. */
        public Builder ganSteps(int v) {
            ganSteps = v;
            return this;
        }
        /** Sets the validation interval. */
        public Builder validateEvery(int v) {
            validateEvery = v;
            return this;
        }
        /** Sets the checkpoint interval. */
        public Builder checkpointEvery(int v) {
            checkpointEvery = v;
            return this;
        }
        /** Sets the seed. */
        public Builder seed(long v) {
            seed = v;
            return this;
        }
        /** Sets the EMA decay, or null for none. */
        public Builder emaDecay(Double v) {
            emaDecay = v;
            return this;
        }
        /** Sets the learning-rate milestones. */
        public Builder lrMilestones(List<Integer> v) {
            lrMilestones = v;
            return this;
        }
        /** Sets the learning-rate factor. */
        public Builder lrGamma(double v) {
            lrGamma = v;
            return this;
        }
        /** Sets the TorchScript feature extractor file. */
        public Builder featureExtractorPath(String v) {
            featureExtractorPath = v;
            return this;
        }
        /** Sets the recorded feature extractor name. */
        public Builder featureExtractorName(String v) {
            featureExtractorName = v;
            return this;
        }
        /** Sets the number of validation samples returned. */
        public Builder validationSamples(int v) {
            validationSamples = v;
            return this;
        }

        /** Sets whether the generator's BatchNorm statistics stay as the run starts with them. */
        public Builder freezeBatchNorm(boolean v) {
            freezeBatchNorm = v;
            return this;
        }

        /** Sets the strongest blur before the shrink, 0 for none. */
        public Builder blurSigma(double v) {
            blurSigma = v;
            return this;
        }

        /** Sets the strongest noise after the shrink, 0 for none. */
        public Builder noiseSigma(double v) {
            noiseSigma = v;
            return this;
        }

        /** Sets the lowest JPEG quality, or null for no compression. */
        public Builder jpegQuality(Integer v) {
            jpegQuality = v;
            return this;
        }

        /** Builds and validates the config. */
        public TrainingConfig build() {
            return new TrainingConfig(
                    scale,
                    residualBlocks,
                    batchSize,
                    hrCropSize,
                    learningRateG,
                    learningRateD,
                    beta1,
                    beta2,
                    adversarialWeight,
                    featureLossWeight,
                    pretrainSteps,
                    ganSteps,
                    validateEvery,
                    checkpointEvery,
                    seed,
                    emaDecay,
                    lrMilestones,
                    lrGamma,
                    featureExtractorPath,
                    featureExtractorName,
                    validationSamples,
                    freezeBatchNorm,
                    blurSigma,
                    noiseSigma,
                    jpegQuality);
        }
    }
}
