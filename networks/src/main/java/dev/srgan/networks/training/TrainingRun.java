package dev.srgan.networks.training;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.srgan.networks.checkpoint.Checkpoint;
import dev.srgan.networks.image.Images;
import dev.srgan.networks.loss.ContentLoss;
import dev.srgan.networks.loss.FeatureContentLoss;
import dev.srgan.networks.loss.FeatureExtractor;
import dev.srgan.networks.loss.PixelContentLoss;
import dev.srgan.networks.loss.TorchScriptFeatureExtractor;
import dev.srgan.networks.model.Networks;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One SRGAN training run: SRResNet-style pre-training of the generator on pixel MSE, then the
 * adversarial phase. The run orchestrates: it samples batches, schedules learning rates and the
 * {@link Phase}, hands each batch to its {@link GanStep} (D, then G, with the configured
 * {@link ContentLoss}), updates the generator's {@link Ema}, validates ({@link Validation}) and
 * checkpoints. {@link GanNetworks} holds what is trained; with the step and the sampler's state it
 * is all a checkpoint holds, so a resumed run continues bit for bit.
 *
 * <p>Every step's intermediates live in their own NDManager, closed at the end of the step. DJL's
 * gradient collector is global: run one training per process, on one thread at a time.
 */
public final class TrainingRun implements AutoCloseable {

    private static final long SAMPLER_SALT = 0x5EED5A3D1E5L;

    private final TrainingConfig config;
    private final NDManager root;
    private final GanNetworks networks;
    private final ContentLoss contentLoss;
    private final GanStep gan;
    private final TrainingData data;
    private final Validation validation;
    private final SplitMix64 random;
    private long step;
    private StepTimes lastStepTimes;

    private TrainingRun(Builder b) throws IOException {
        this.config = b.config;
        Networks.withoutGradientTracking();
        this.data = new TrainingData(b.training, config);
        this.validation = new Validation(b.validation, config);
        this.root = NDManager.newBaseManager(Engine.getInstance().defaultDevice(), "PyTorch");
        try {
            Checkpoint cp = b.checkpoint;
            if (cp == null) {
                networks = GanNetworks.initialize(config, b.initialGenerator, root);
                random = new SplitMix64(config.seed() ^ SAMPLER_SALT);
            } else {
                networks = GanNetworks.restore(cp, config, root);
                step = cp.step();
                random = new SplitMix64(cp.rngState());
            }
            contentLoss = contentLoss(config, b.extractor);
            gan = new GanStep(networks, contentLoss, config.adversarialWeight());
        } catch (MalformedModelException e) {
            root.close();
            throw new IOException("checkpoint does not fit its config: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            root.close();
            throw e;
        }
    }

    /** The GAN phase's content loss, from the options: the given extractor, the config's TorchScript file, or pixel MSE. */
    private static ContentLoss contentLoss(TrainingConfig config, FeatureExtractor given) throws IOException {
        if (given != null) {
            return new FeatureContentLoss(given, config.featureLossWeight());
        }
        if (config.featureExtractorPath() != null) {
            FeatureExtractor loaded = TorchScriptFeatureExtractor.load(
                    Path.of(config.featureExtractorPath()), config.featureExtractorName());
            return new FeatureContentLoss(loaded, config.featureLossWeight());
        }
        return new PixelContentLoss();
    }

    /** Returns a builder for a new run. */
    public static Builder builder(TrainingConfig config) {
        return new Builder(config, null);
    }

    /** Returns a builder that continues the run saved in {@code checkpoint}, with its config. */
    public static Builder resume(Checkpoint checkpoint) {
        if (checkpoint.isGeneratorOnly()) {
            throw new IllegalArgumentException("this checkpoint is an exported model (generator only): "
                    + "it serves upscales, but a training run cannot resume from it");
        }
        return new Builder(checkpoint.config(), checkpoint);
    }

    /**
     * Returns a builder that continues the run saved in {@code checkpoint} under {@code config}:
     * its own config, or an extension of it ({@link TrainingConfig#extendedTo}), which runs on from
     * the checkpoint exactly as a run submitted with the longer config would.
     *
     * @throws IllegalArgumentException if {@code config} differs from the checkpoint's in more than
     *     added steps, or would have changed the phase of steps already done
     */
    public static Builder resume(Checkpoint checkpoint, TrainingConfig config) {
        Builder builder = resume(checkpoint);
        TrainingConfig saved = checkpoint.config();
        if (config.equals(saved)) {
            return builder;
        }
        if (!saved.isExtendedBy(config)) {
            throw new IllegalArgumentException("the run's settings differ from its checkpoint's at step "
                    + checkpoint.step() + " in more than added steps");
        }
        if (config.pretrainSteps() != saved.pretrainSteps() && checkpoint.step() > saved.pretrainSteps()) {
            throw new IllegalArgumentException("the checkpoint at step " + checkpoint.step()
                    + " is past pre-training, which an extension cannot lengthen");
        }
        return new Builder(config, checkpoint);
    }

    /** Returns the config. */
    public TrainingConfig config() {
        return config;
    }

    /** Returns the last completed global step (0 before the first). */
    public long currentStep() {
        return step;
    }

    /** Returns the content loss of the GAN phase: "pixel-mse" or the extractor's name. */
    public String contentLoss() {
        return contentLoss.name();
    }

    /**
     * Runs the remaining steps. Validates at the start of a fresh run, every {@code validateEvery}
     * steps, at the end of pre-training and at the end; checkpoints every {@code checkpointEvery}
     * steps and when it stops, finished or cancelled.
     *
     * @param listener receives records and checkpoints, and may cancel
     * @return how the run ended
     */
    public TrainingResult run(TrainingListener listener) {
        Networks.withoutGradientTracking();
        int total = config.totalSteps();
        ValidationRecord lastValidation = null;
        if (step == 0 && !validation.isEmpty()) {
            lastValidation = validate();
            listener.onValidation(lastValidation);
        }
        long checkpointed = -1;
        boolean cancelled = false;
        while (step < total) {
            if (listener.isCancelled()) {
                cancelled = true;
                break;
            }
            listener.onStep(step());
            if (!validation.isEmpty()
                    && (step % config.validateEvery() == 0 || step == total || step == config.pretrainSteps())) {
                lastValidation = validate();
                listener.onValidation(lastValidation);
            }
            if (step % config.checkpointEvery() == 0) {
                listener.onCheckpoint(checkpoint());
                checkpointed = step;
            }
        }
        if (checkpointed != step) {
            listener.onCheckpoint(checkpoint());
        }
        return new TrainingResult(step, cancelled, contentLoss(), lastValidation);
    }

    /** Runs one step (pre-training or GAN, by the step number) and returns its losses. */
    public LossRecord step() {
        if (step >= config.totalSteps()) {
            throw new IllegalStateException("the run has finished at step " + step);
        }
        Networks.withoutGradientTracking();
        long start = System.nanoTime();
        long current = step + 1;
        Phase phase = Phase.ofStep(current, config.pretrainSteps());
        TrainingData.Batch batch = data.next(random, config.batchSize());
        double lrG = learningRate(config.learningRateG(), current);
        double lrD = learningRate(config.learningRateD(), current);
        try (NDManager manager = root.newSubManager()) {
            NDArray lowRes = manager.create(batch.lowRes(), new Shape(batch.size(), 3, batch.lrSide(), batch.lrSide()));
            NDArray highRes =
                    manager.create(batch.highRes(), new Shape(batch.size(), 3, batch.hrSide(), batch.hrSide()));
            // channels-last: the convolutions of both networks run faster on it, forward and backward
            lowRes = Networks.channelsLast(lowRes);
            highRes = Networks.channelsLast(highRes);
            GanStep.Result losses = gan.train(phase, lowRes, highRes, lrG, lrD);
            networks.updateEma();
            step = current;
            long elapsed = System.nanoTime() - start;
            lastStepTimes = losses.times().withTotal(elapsed / 1e6);
            return LossRecord.of(current, phase, losses, lrG, lrD, elapsed / 1e9);
        }
    }

    private double learningRate(double base, long current) {
        double lr = base;
        for (int milestone : config.lrMilestones()) {
            if (current > milestone) {
                lr *= config.lrGamma();
            }
        }
        return lr;
    }

    /** Where the last step's time went; null before the first step. */
    public StepTimes lastStepTimes() {
        return lastStepTimes;
    }

    /** The step's D and G halves, for tests of their gradients. */
    GanStep ganStep() {
        return gan;
    }

    /**
     * Measures the generator (its EMA copy if kept), in eval mode, on the validation images
     * against bicubic upscaling: PSNR and SSIM, and NIQE over the images large enough to score
     * (see {@link Validation}).
     *
     * @return the record for the current step
     */
    public ValidationRecord validate() {
        return validation.measure(
                networks.servedGenerator(), step, Phase.ofStep(step, config.pretrainSteps()), contentLoss());
    }

    /** Returns a checkpoint of the current state (after {@link #currentStep()}). */
    public Checkpoint checkpoint() {
        return networks.checkpoint(config, step, random.state(), contentLoss());
    }

    @Override
    public void close() {
        validation.close();
        contentLoss.close();
        networks.close();
        root.close();
    }

    /** Why a run from random weights cannot keep its BatchNorm statistics. */
    public static final String FREEZE_NEEDS_A_GENERATOR =
            "freezeBatchNorm keeps the BatchNorm statistics of a trained generator; a run from random"
                    + " weights has none to keep (start from a model, or leave it false)";

    /** Collects a run's inputs; {@link #build()} loads and checks them. */
    public static final class Builder {
        private final TrainingConfig config;
        private final Checkpoint checkpoint;
        private final List<BufferedImage> training = new ArrayList<>();
        private final List<BufferedImage> validation = new ArrayList<>();
        private FeatureExtractor extractor;
        private Checkpoint initialGenerator;

        private Builder(TrainingConfig config, Checkpoint checkpoint) {
            this.config = config;
            this.checkpoint = checkpoint;
        }

        /** Adds training images (at least hrCropSize on each side). */
        public Builder trainingImages(List<BufferedImage> images) {
            training.addAll(images);
            return this;
        }

        /** Reads and adds training PNG, JPEG, WebP or TIFF files. */
        public Builder trainingFiles(List<Path> files) throws IOException {
            for (Path file : files) {
                training.add(Images.read(file));
            }
            return this;
        }

        /** Adds held-out validation images. */
        public Builder validationImages(List<BufferedImage> images) {
            validation.addAll(images);
            return this;
        }

        /** Reads and adds validation PNG, JPEG, WebP or TIFF files. */
        public Builder validationFiles(List<Path> files) throws IOException {
            for (Path file : files) {
                validation.add(Images.read(file));
            }
            return this;
        }

        /**
         * Uses this frozen feature extractor for the GAN phase's content loss instead of the
         * config's TorchScript file; the run closes it.
         */
        public Builder featureExtractor(FeatureExtractor featureExtractor) {
            this.extractor = featureExtractor;
            return this;
        }

        /**
         * Starts a new run's generator from a trained one of the same scale and at most as many
         * residual blocks (see {@link GeneratorGrowth}); the discriminator starts fresh.
         */
        public Builder initialGenerator(Checkpoint trained) {
            if (checkpoint != null) {
                throw new IllegalArgumentException(
                        "a resumed run continues its own generator; an initial generator is for new runs");
            }
            this.initialGenerator = trained;
            return this;
        }

        /**
         * Builds the run: initializes (or restores) both networks and optimizers.
         *
         * @return the run, to be closed
         * @throws IOException if the feature extractor or the checkpoint cannot be loaded
         * @throws IllegalArgumentException if an image is too small or none is given, or the config
         *     freezes BatchNorm statistics of a new generator that starts from random weights
         */
        public TrainingRun build() throws IOException {
            if (config.freezeBatchNorm() && checkpoint == null && initialGenerator == null) {
                throw new TrainingConfig.InvalidConfigException("freezeBatchNorm", FREEZE_NEEDS_A_GENERATOR);
            }
            return new TrainingRun(this);
        }
    }
}
