package dev.srgan.networks.training;

/**
 * Where a training step's time went, in milliseconds: for {@code ./srgan bench --profile}.
 *
 * @param generatorForwardMs G(LR) for the batch, recorded for autograd
 * @param discriminatorMs D's half of a GAN step: D on HR and on G(LR) detached, backward (0 in
 *     pre-training)
 * @param discriminatorAdamMs D's Adam update (0 in pre-training)
 * @param generatorMs G's half: the content loss (and D on G(LR) in the GAN phase), backward through
 *     D's input and G
 * @param generatorAdamMs G's Adam update
 * @param totalMs the whole step: also drawing the batch, the EMA update and reading the losses
 */
public record StepTimes(
        double generatorForwardMs,
        double discriminatorMs,
        double discriminatorAdamMs,
        double generatorMs,
        double generatorAdamMs,
        double totalMs) {

    /** The same parts with the whole step's time. */
    StepTimes withTotal(double ms) {
        return new StepTimes(
                generatorForwardMs, discriminatorMs, discriminatorAdamMs, generatorMs, generatorAdamMs, ms);
    }
}
