package dev.srgan.networks.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.srgan.networks.loss.ContentLoss;
import dev.srgan.networks.loss.Losses;
import dev.srgan.networks.loss.PixelContentLoss;
import dev.srgan.networks.model.Networks;
import java.util.List;

/**
 * One training step on a batch, as BasicSR's {@code SRGANModel.optimize_parameters}. In
 * pre-training G alone learns pixel MSE. In the GAN phase D trains first (HR labelled 1, G(LR)
 * labelled 0, G's output detached), then G on content + w * adversarial through the updated D.
 * Gradients of both networks are cleared before each backward pass, as PyTorch accumulates them;
 * G's backward pass computes none for D's parameters.
 */
final class GanStep {

    /**
     * D's half of a GAN step.
     *
     * @param loss BCE(D(HR), 1) + BCE(D(G(LR)), 0)
     * @param real mean D(HR), a probability, before this step's D update
     * @param fake mean D(G(LR)), a probability, before this step's D update
     */
    record DiscriminatorStep(double loss, double real, double fake) {}

    /**
     * G's half of a step.
     *
     * @param loss content + w * adversarial (the content loss alone in pre-training)
     * @param content the content loss
     * @param adversarial BCE(D(G(LR)), 1), unweighted; null in pre-training, where D takes no part
     */
    record GeneratorStep(double loss, double content, Double adversarial) {}

    /**
     * What a step measured: {@code discriminator} is null in pre-training; {@code times} are its
     * parts' durations (their sum as the total: the caller knows the whole step's).
     */
    record Result(DiscriminatorStep discriminator, GeneratorStep generator, StepTimes times) {}

    private final Block generator;
    private final Block discriminator;
    private final AdamOptimizer adamG;
    private final AdamOptimizer adamD;
    private final ContentLoss pretrainLoss = new PixelContentLoss();
    private final ContentLoss contentLoss;
    private final float adversarialWeight;

    /**
     * @param networks the networks and their optimizers
     * @param contentLoss the GAN phase's content loss (pre-training always uses pixel MSE)
     * @param adversarialWeight w in content + w * adversarial
     */
    GanStep(GanNetworks networks, ContentLoss contentLoss, double adversarialWeight) {
        this.generator = networks.generator;
        this.discriminator = networks.discriminator;
        this.adamG = networks.adamG;
        this.adamD = networks.adamD;
        this.contentLoss = contentLoss;
        this.adversarialWeight = (float) adversarialWeight;
    }

    /**
     * Trains on one batch and updates the weights.
     *
     * @param phase pre-training (G alone) or GAN (D, then G)
     * @param lowRes the LR batch in [0, 1]
     * @param highRes the HR batch in [-1, 1]
     * @param lrG the generator's learning rate
     * @param lrD the discriminator's learning rate (unused in pre-training)
     * @return the step's losses
     */
    Result train(Phase phase, NDArray lowRes, NDArray highRes, double lrG, double lrD) {
        long start = System.nanoTime();
        NDArray fake = generate(lowRes);
        long generated = System.nanoTime();
        DiscriminatorStep d = null;
        long dStepped = generated;
        long dUpdated = generated;
        if (phase == Phase.GAN) {
            d = discriminatorBackward(highRes, fake);
            dStepped = System.nanoTime();
            adamD.step(lrD);
            dUpdated = System.nanoTime();
        }
        GeneratorStep g = phase == Phase.PRETRAIN ? pretrainBackward(highRes, fake) : generatorBackward(highRes, fake);
        long gStepped = System.nanoTime();
        adamG.step(lrG);
        long end = System.nanoTime();
        StepTimes times = new StepTimes(
                ms(generated - start),
                ms(dStepped - generated),
                ms(dUpdated - dStepped),
                ms(gStepped - dUpdated),
                ms(end - gStepped),
                ms(end - start));
        return new Result(d, g, times);
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static NDArray forward(Block block, NDArray x, boolean training) {
        return block.forward(new ParameterStore(x.getManager(), false), new NDList(x), training)
                .singletonOrThrow();
    }

    /** G(LR) in training mode, recorded for autograd. */
    NDArray generate(NDArray lowRes) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            return forward(generator, lowRes, true);
        }
    }

    private GeneratorStep pretrainBackward(NDArray highRes, NDArray fake) {
        Networks.zeroGradients(generator);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray loss = pretrainLoss.loss(fake, highRes);
            collector.backward(loss);
            double content = loss.getFloat();
            return new GeneratorStep(content, content, null);
        }
    }

    /** D's backward pass: clears D's gradients (G's previous step left some), then the BCE pair. */
    DiscriminatorStep discriminatorBackward(NDArray highRes, NDArray fake) {
        Networks.zeroGradients(discriminator);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray real = forward(discriminator, highRes, true);
            NDArray generated = forward(discriminator, fake.stopGradient(), true);
            NDArray loss = Losses.bceWithLogits(real, 1f).add(Losses.bceWithLogits(generated, 0f));
            collector.backward(loss);
            return new DiscriminatorStep(
                    loss.getFloat(),
                    real.getNDArrayInternal().sigmoid().mean().getFloat(),
                    generated.getNDArrayInternal().sigmoid().mean().getFloat());
        }
    }

    /**
     * G's backward pass: content + w * BCE(D(G(LR)), 1). D is only the path of G's gradient here:
     * its parameters stop requiring gradients for the pass, so the backward pass through D skips
     * their gradients (a third of its work) and leaves D's own gradients as they were.
     */
    GeneratorStep generatorBackward(NDArray highRes, NDArray fake) {
        Networks.zeroGradients(generator);
        List<Parameter> dParameters = Networks.trainableParameters(discriminator);
        setRequiresGradient(dParameters, false);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray content = contentLoss.loss(fake, highRes);
            NDArray adversarial = Losses.bceWithLogits(forward(discriminator, fake, true), 1f);
            NDArray loss = content.add(adversarial.mul(Networks.constant(adversarial, adversarialWeight)));
            collector.backward(loss);
            return new GeneratorStep(loss.getFloat(), content.getFloat(), (double) adversarial.getFloat());
        } finally {
            setRequiresGradient(dParameters, true);
        }
    }

    private static void setRequiresGradient(List<Parameter> parameters, boolean requires) {
        for (Parameter p : parameters) {
            p.getArray().setRequiresGradient(requires);
        }
    }

    /** Returns the generator being trained. */
    Block generator() {
        return generator;
    }

    /** Returns the discriminator being trained. */
    Block discriminator() {
        return discriminator;
    }
}
