package dev.srgan.networks.training;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.srgan.networks.checkpoint.Checkpoint;
import dev.srgan.networks.evaluation.Evaluator;
import dev.srgan.networks.image.Bicubic;
import dev.srgan.networks.image.Images;
import dev.srgan.networks.image.RgbImage;
import dev.srgan.networks.inference.Upscaler;
import dev.srgan.networks.loss.FeatureExtractor;
import dev.srgan.networks.loss.Losses;
import dev.srgan.networks.loss.TorchScriptFeatureExtractor;
import dev.srgan.networks.metrics.Metrics;
import dev.srgan.networks.model.Discriminator;
import dev.srgan.networks.model.Generator;
import dev.srgan.networks.model.GeneratorGrowth;
import dev.srgan.networks.model.Networks;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One SRGAN training run: SRResNet-style pre-training of the generator on pixel MSE, then the
 * adversarial phase. Each GAN step trains D first (HR labelled 1, G(LR) labelled 0, G's output
 * detached), then G on content + w * adversarial through the updated D. Gradients of both
 * networks are cleared before each backward pass, as PyTorch accumulates them; G's backward pass
 * computes none for D's parameters.
 *
 * <p>Every step's intermediates live in their own NDManager, closed at the end of the step. DJL's
 * gradient collector is global: run one training per process, on one thread at a time.
 */
public final class TrainingRun implements AutoCloseable {

    private static final long SAMPLER_SALT = 0x5EED5A3D1E5L;

    private final TrainingConfig config;
    private final NDManager root;
    private final Block generator;
    private final Block discriminator;
    private final Block generatorEma;
    private final AdamOptimizer adamG;
    private final AdamOptimizer adamD;
    private final TrainingData data;
    private final List<ValidationImage> validation;
    private final Double bicubicNiqe;
    private final FeatureExtractor extractor;
    private final SplitMix64 random;
    private Upscaler validator;
    private long step;

    /** A held-out image with bicubic's numbers, measured once; {@code niqe} is bicubic's, null if not measurable. */
    private record ValidationImage(
            String name, BufferedImage lowRes, BufferedImage bicubic, BufferedImage highRes, double psnr, double ssim, Double niqe) {}

    private TrainingRun(Builder b) throws IOException {
        this.config = b.config;
        Networks.withoutGradientTracking();
        this.data = new TrainingData(b.training, config.hrCropSize(), config.scale());
        this.validation = prepareValidation(b.validation, config.scale());
        this.bicubicNiqe = meanOfPresent(validation.stream().map(ValidationImage::niqe).toList());
        this.root = NDManager.newBaseManager(Engine.getInstance().defaultDevice(), "PyTorch");
        try {
            int lrSide = config.hrCropSize() / config.scale();
            generator = Generator.builder().scale(config.scale()).residualBlocks(config.residualBlocks()).build();
            discriminator = Discriminator.builder().build();
            Checkpoint cp = b.checkpoint;
            if (cp == null) {
                Networks.initialize(generator, root, new Shape(1, 3, lrSide, lrSide), config.seed());
                Networks.initialize(discriminator, root, new Shape(1, 3, config.hrCropSize(), config.hrCropSize()), config.seed() + 1);
                if (b.initialGenerator != null) {
                    growFrom(b.initialGenerator);
                }
            } else {
                Networks.loadParameters(generator, root, cp.generatorParameters());
                Networks.loadParameters(discriminator, root, cp.discriminatorParameters());
                Networks.unfreeze(generator);
                Networks.unfreeze(discriminator);
            }
            if (config.emaDecay() != null) {
                generatorEma = Generator.builder().scale(config.scale()).residualBlocks(config.residualBlocks()).build();
                byte[] ema = cp != null && cp.generatorEmaParameters() != null
                        ? cp.generatorEmaParameters()
                        : Networks.saveParameters(generator);
                Networks.loadParameters(generatorEma, root, ema);
            } else {
                generatorEma = null;
            }
            adamG = new AdamOptimizer(Networks.trainableParameters(generator), config.beta1(), config.beta2(), 1e-8, root);
            adamD = new AdamOptimizer(Networks.trainableParameters(discriminator), config.beta1(), config.beta2(), 1e-8, root);
            if (cp != null) {
                adamG.load(cp.generatorOptimizerState());
                adamD.load(cp.discriminatorOptimizerState());
                step = cp.step();
                random = new SplitMix64(cp.rngState());
            } else {
                random = new SplitMix64(config.seed() ^ SAMPLER_SALT);
            }
            if (b.extractor != null) {
                extractor = b.extractor;
            } else if (config.featureExtractorPath() != null) {
                extractor = TorchScriptFeatureExtractor.load(Path.of(config.featureExtractorPath()), config.featureExtractorName());
            } else {
                extractor = null;
            }
        } catch (MalformedModelException e) {
            root.close();
            throw new IOException("checkpoint does not fit its config: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            root.close();
            throw e;
        }
    }

    private void growFrom(Checkpoint trained) throws MalformedModelException {
        TrainingConfig c = trained.config();
        if (c.scale() != config.scale()) {
            throw new IllegalArgumentException("the initial generator is a " + c.scale() + "x model; this run trains " + config.scale() + "x");
        }
        Block smaller = Generator.builder().scale(c.scale()).residualBlocks(c.residualBlocks()).build();
        try (NDManager scratch = root.newSubManager()) {
            Networks.loadParameters(smaller, scratch, trained.generatorParameters());
            GeneratorGrowth.grow(generator, smaller);
        }
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

    private static List<ValidationImage> prepareValidation(List<BufferedImage> images, int scale) {
        List<ValidationImage> prepared = new ArrayList<>();
        int minimum = 11 + 2 * scale;
        for (int i = 0; i < images.size(); i++) {
            RgbImage hr = RgbImage.from(images.get(i)).withoutAlpha();
            int w = hr.width() - hr.width() % scale;
            int h = hr.height() - hr.height() % scale;
            if (w < minimum || h < minimum) {
                throw new IllegalArgumentException(
                        "validation image " + i + " is " + hr.width() + "x" + hr.height() + ", needs at least "
                                + minimum + "x" + minimum + " for SSIM at scale " + scale);
            }
            hr = hr.crop(0, 0, w, h);
            RgbImage lr = Bicubic.downscale(hr, scale);
            BufferedImage hrImage = hr.toBufferedImage();
            BufferedImage bicubic = Bicubic.upscale(lr, scale).toBufferedImage();
            prepared.add(new ValidationImage(
                    "val-" + i,
                    lr.toBufferedImage(),
                    bicubic,
                    hrImage,
                    Metrics.psnrY(bicubic, hrImage, scale),
                    Metrics.ssimY(bicubic, hrImage, scale),
                    Evaluator.niqe(bicubic, scale)));
        }
        return prepared;
    }

    /** The mean of the values that are not null; null if none is. */
    private static Double meanOfPresent(List<Double> values) {
        double sum = 0;
        int n = 0;
        for (Double v : values) {
            if (v != null) {
                sum += v;
                n++;
            }
        }
        return n == 0 ? null : sum / n;
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
        return extractor == null ? Losses.PIXEL_MSE : extractor.name();
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
        TrainingData.Batch batch = data.next(random, config.batchSize());
        double lrG = learningRate(config.learningRateG(), current);
        double lrD = learningRate(config.learningRateD(), current);
        LossRecord record;
        try (NDManager manager = root.newSubManager()) {
            NDArray lowRes = manager.create(batch.lowRes(), new Shape(batch.size(), 3, batch.lrSide(), batch.lrSide()));
            NDArray highRes = manager.create(batch.highRes(), new Shape(batch.size(), 3, batch.hrSide(), batch.hrSide()));
            // channels-last: the convolutions of both networks run faster on it, forward and backward
            lowRes = Networks.channelsLast(lowRes);
            highRes = Networks.channelsLast(highRes);
            NDArray fake = generate(lowRes);
            if (current <= config.pretrainSteps()) {
                double content = pretrainBackward(highRes, fake);
                adamG.step(lrG);
                updateEma();
                step = current;
                return new LossRecord(current, LossRecord.PRETRAIN, null, content, content, null, null, null, lrG, null, seconds(start));
            }
            double[] d = discriminatorBackward(highRes, fake);
            adamD.step(lrD);
            double[] g = generatorBackward(highRes, fake);
            adamG.step(lrG);
            updateEma();
            step = current;
            record = new LossRecord(current, LossRecord.GAN, d[0], g[0], g[1], g[2], d[1], d[2], lrG, lrD, seconds(start));
        }
        return record;
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
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

    private static NDArray forward(Block block, NDArray x, boolean training) {
        return block.forward(new ParameterStore(x.getManager(), false), new NDList(x), training).singletonOrThrow();
    }

    /** G(LR) in training mode, recorded for autograd. */
    NDArray generate(NDArray lowRes) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            return forward(generator, lowRes, true);
        }
    }

    private double pretrainBackward(NDArray highRes, NDArray fake) {
        Networks.zeroGradients(generator);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray loss = Losses.pixelMse(fake, highRes);
            collector.backward(loss);
            return loss.getFloat();
        }
    }

    /**
     * D's backward pass: clears D's gradients (G's previous step left some), then BCE(D(HR), 1)
     * + BCE(D(G(LR) detached), 0).
     *
     * @return {dLoss, mean D(HR), mean D(G(LR))}
     */
    double[] discriminatorBackward(NDArray highRes, NDArray fake) {
        Networks.zeroGradients(discriminator);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray real = forward(discriminator, highRes, true);
            NDArray generated = forward(discriminator, fake.stopGradient(), true);
            NDArray loss = Losses.bceWithLogits(real, 1f).add(Losses.bceWithLogits(generated, 0f));
            collector.backward(loss);
            return new double[] {
                loss.getFloat(), real.getNDArrayInternal().sigmoid().mean().getFloat(),
                generated.getNDArrayInternal().sigmoid().mean().getFloat()
            };
        }
    }

    /**
     * G's backward pass: content + w * BCE(D(G(LR)), 1). D is only the path of G's gradient here:
     * its parameters stop requiring gradients for the pass, so the backward pass through D skips
     * their gradients (a third of its work) and leaves D's own gradients as they were.
     *
     * @return {gLoss, contentLoss, adversarialLoss}
     */
    double[] generatorBackward(NDArray highRes, NDArray fake) {
        Networks.zeroGradients(generator);
        List<Parameter> dParameters = Networks.trainableParameters(discriminator);
        setRequiresGradient(dParameters, false);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray content = extractor == null
                    ? Losses.pixelMse(fake, highRes)
                    : Losses.featureMse(extractor, fake, highRes).mul((float) config.featureLossWeight());
            NDArray adversarial = Losses.bceWithLogits(forward(discriminator, fake, true), 1f);
            NDArray loss = content.add(adversarial.mul((float) config.adversarialWeight()));
            collector.backward(loss);
            return new double[] {loss.getFloat(), content.getFloat(), adversarial.getFloat()};
        } finally {
            setRequiresGradient(dParameters, true);
        }
    }

    private static void setRequiresGradient(List<Parameter> parameters, boolean requires) {
        for (Parameter p : parameters) {
            p.getArray().setRequiresGradient(requires);
        }
    }

    private void updateEma() {
        if (generatorEma == null) {
            return;
        }
        float decay = config.emaDecay().floatValue();
        List<NDArray> averaged = Networks.allArrays(generatorEma);
        List<NDArray> current = Networks.allArrays(generator);
        try (NDManager tmp = root.newSubManager()) {
            for (int i = 0; i < averaged.size(); i++) {
                NDArray part = current.get(i).mul(1f - decay);
                part.attach(tmp);
                averaged.get(i).muli(decay).addi(part);
            }
        }
    }

    Block generator() {
        return generator;
    }

    Block discriminator() {
        return discriminator;
    }

    /**
     * Measures the generator (its EMA copy if kept), in eval mode, on the validation images
     * against bicubic upscaling: PSNR and SSIM, and NIQE (as {@code ./srgan eval} measures it,
     * {@link Evaluator#niqe}) over the images large enough to score. NIQE draws no random numbers:
     * the run goes on exactly as without it.
     *
     * @return the record for the current step
     */
    public ValidationRecord validate() {
        long start = System.nanoTime();
        if (validator == null) {
            validator = Upscaler.of(generatorEma != null ? generatorEma : generator, config.scale(), config.residualBlocks());
        }
        double psnr = 0;
        double ssim = 0;
        double bicubicPsnr = 0;
        double bicubicSsim = 0;
        List<Double> niqe = new ArrayList<>();
        List<ValidationSample> samples = new ArrayList<>();
        for (ValidationImage image : validation) {
            BufferedImage generated = validator.upscale(image.lowRes());
            psnr += Metrics.psnrY(generated, image.highRes(), config.scale());
            ssim += Metrics.ssimY(generated, image.highRes(), config.scale());
            niqe.add(Evaluator.niqe(generated, config.scale()));
            bicubicPsnr += image.psnr();
            bicubicSsim += image.ssim();
            if (samples.size() < config.validationSamples()) {
                samples.add(new ValidationSample(image.name(), image.lowRes(), image.bicubic(), generated, image.highRes()));
            }
        }
        int n = Math.max(1, validation.size());
        String phase = step <= config.pretrainSteps() ? LossRecord.PRETRAIN : LossRecord.GAN;
        return new ValidationRecord(
                step, phase, contentLoss(), psnr / n, ssim / n, bicubicPsnr / n, bicubicSsim / n, samples, seconds(start),
                meanOfPresent(niqe), bicubicNiqe);
    }

    /** Returns a checkpoint of the current state (after {@link #currentStep()}). */
    public Checkpoint checkpoint() {
        return new Checkpoint(
                config,
                step,
                random.state(),
                contentLoss(),
                Instant.now(),
                Networks.saveParameters(generator),
                Networks.saveParameters(discriminator),
                generatorEma == null ? null : Networks.saveParameters(generatorEma),
                adamG.save(),
                adamD.save());
    }

    @Override
    public void close() {
        if (validator != null) {
            validator.close();
        }
        if (extractor != null) {
            extractor.close();
        }
        adamG.close();
        adamD.close();
        root.close();
    }

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

        /** Reads and adds training PNG or JPEG files. */
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

        /** Reads and adds validation PNG or JPEG files. */
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
                throw new IllegalArgumentException("a resumed run continues its own generator; an initial generator is for new runs");
            }
            this.initialGenerator = trained;
            return this;
        }

        /**
         * Builds the run: initializes (or restores) both networks and optimizers.
         *
         * @return the run, to be closed
         * @throws IOException if the feature extractor or the checkpoint cannot be loaded
         * @throws IllegalArgumentException if an image is too small or none is given
         */
        public TrainingRun build() throws IOException {
            return new TrainingRun(this);
        }
    }
}
