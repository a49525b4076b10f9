package dev.srgan.networks.training;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.srgan.networks.checkpoint.Checkpoint;
import dev.srgan.networks.model.Discriminator;
import dev.srgan.networks.model.Generator;
import dev.srgan.networks.model.GeneratorGrowth;
import dev.srgan.networks.model.Networks;
import java.io.IOException;
import java.time.Instant;

/**
 * What a run trains: the generator and discriminator, the generator's EMA (if the config keeps
 * one) and both Adam optimizers, initialized from the seed or restored from a checkpoint. With the
 * step and the sampler's state this is all a checkpoint holds, so a restored run goes on bit for
 * bit.
 */
final class GanNetworks implements AutoCloseable {

    final Block generator;
    final Block discriminator;
    /** The EMA of the generator's weights, or null when the config keeps none. */
    private final Ema ema;

    final AdamOptimizer adamG;
    final AdamOptimizer adamD;

    private GanNetworks(TrainingConfig config, Block generator, Block discriminator, byte[] savedEma, NDManager root)
            throws MalformedModelException {
        this.generator = generator;
        this.discriminator = discriminator;
        Generator.freezeBatchNormStatistics(generator, config.freezeBatchNorm());
        this.ema = config.emaDecay() == null
                ? null
                : Ema.of(generator, newGenerator(config), savedEma, config.emaDecay(), root);
        this.adamG =
                new AdamOptimizer(Networks.trainableParameters(generator), config.beta1(), config.beta2(), 1e-8, root);
        this.adamD = new AdamOptimizer(
                Networks.trainableParameters(discriminator), config.beta1(), config.beta2(), 1e-8, root);
    }

    private static Block newGenerator(TrainingConfig config) {
        return Generator.builder()
                .scale(config.scale())
                .residualBlocks(config.residualBlocks())
                .build();
    }

    /**
     * Initializes new networks from the config's seed (the discriminator from seed + 1).
     *
     * @param initialGenerator a trained generator to grow the new one from (see
     *     {@link GeneratorGrowth}), or null
     * @param root holds the parameters and optimizer state
     */
    static GanNetworks initialize(TrainingConfig config, Checkpoint initialGenerator, NDManager root)
            throws MalformedModelException {
        int lrSide = config.hrCropSize() / config.scale();
        Block generator = newGenerator(config);
        Block discriminator = Discriminator.builder().build();
        Networks.initialize(generator, root, new Shape(1, 3, lrSide, lrSide), config.seed());
        Networks.initialize(
                discriminator, root, new Shape(1, 3, config.hrCropSize(), config.hrCropSize()), config.seed() + 1);
        if (initialGenerator != null) {
            growFrom(generator, initialGenerator, config, root);
        }
        return new GanNetworks(config, generator, discriminator, null, root);
    }

    private static void growFrom(Block generator, Checkpoint trained, TrainingConfig config, NDManager root)
            throws MalformedModelException {
        TrainingConfig c = trained.config();
        if (c.scale() != config.scale()) {
            throw new IllegalArgumentException(
                    "the initial generator is a " + c.scale() + "x model; this run trains " + config.scale() + "x");
        }
        Block smaller = newGenerator(c);
        try (NDManager scratch = root.newSubManager()) {
            // the generator the trained model upscales with: its EMA weights where it kept them
            Networks.loadParameters(smaller, scratch, trained.inferenceGeneratorParameters());
            GeneratorGrowth.grow(generator, smaller);
        }
    }

    /**
     * Restores the networks, the EMA and the optimizers saved in a checkpoint, to run on under
     * {@code config}: the checkpoint's own, or an extension of it with more steps.
     *
     * @throws MalformedModelException if the checkpoint's parameters do not fit its config
     * @throws IOException if its optimizer state does not fit
     */
    static GanNetworks restore(Checkpoint cp, TrainingConfig config, NDManager root)
            throws MalformedModelException, IOException {
        Block generator = newGenerator(config);
        Block discriminator = Discriminator.builder().build();
        Networks.loadParameters(generator, root, cp.generatorParameters());
        Networks.loadParameters(discriminator, root, cp.discriminatorParameters());
        Networks.unfreeze(generator);
        Networks.unfreeze(discriminator);
        GanNetworks networks = new GanNetworks(config, generator, discriminator, cp.generatorEmaParameters(), root);
        networks.adamG.load(cp.generatorOptimizerState());
        networks.adamD.load(cp.discriminatorOptimizerState());
        return networks;
    }

    /** Moves the generator's EMA one step towards its current weights; nothing if none is kept. */
    void updateEma() {
        if (ema != null) {
            ema.update();
        }
    }

    /**
     * Saves the networks, the EMA and the optimizers with the run's position.
     *
     * @param step the last completed step
     * @param rngState the sampler's state after that step
     * @param contentLoss the GAN phase's content-loss name
     */
    Checkpoint checkpoint(TrainingConfig config, long step, long rngState, String contentLoss) {
        return new Checkpoint(
                config,
                step,
                rngState,
                contentLoss,
                Instant.now(),
                Networks.saveParameters(generator),
                Networks.saveParameters(discriminator),
                ema == null ? null : ema.save(),
                adamG.save(),
                adamD.save());
    }

    /** Returns the generator that validation and exported models use: the EMA copy if kept. */
    Block servedGenerator() {
        return ema != null ? ema.averaged() : generator;
    }

    /** Closes the optimizers' state; the parameters belong to the root manager. */
    @Override
    public void close() {
        adamG.close();
        adamD.close();
    }
}
