package dev.srgan.networks.training;

/**
 * The losses of one training step. Fields that do not apply to the phase are null: in
 * "pretrain" only the generator trains on pixel MSE, so dLoss, adversarialLoss, dReal, dFake and
 * lrD are null and gLoss equals contentLoss.
 *
 * @param step the global step, from 1
 * @param phase "pretrain" or "gan" ({@link Phase#storedName()})
 * @param dLoss discriminator loss: BCE(D(HR), 1) + BCE(D(G(LR)), 0)
 * @param gLoss generator loss: content + w * adversarial
 * @param contentLoss pixel MSE on [0, 1] images, or the weighted feature MSE
 * @param adversarialLoss BCE(D(G(LR)), 1), unweighted
 * @param dReal mean D(HR) (probability), before this step's D update
 * @param dFake mean D(G(LR)) (probability), before this step's D update
 * @param lrG the generator's learning rate in this step
 * @param lrD the discriminator's learning rate in this step
 * @param secondsPerStep wall-clock seconds the step took
 */
public record LossRecord(
        long step,
        String phase,
        Double dLoss,
        Double gLoss,
        Double contentLoss,
        Double adversarialLoss,
        Double dReal,
        Double dFake,
        Double lrG,
        Double lrD,
        double secondsPerStep) {

    /** Phase name of the generator-only pre-training. */
    public static final String PRETRAIN = Phase.PRETRAIN.storedName();
    /** Phase name of the adversarial training. */
    public static final String GAN = Phase.GAN.storedName();

    /** Combines the halves of a step into its record; D's values and lrD are null in pre-training. */
    static LossRecord of(long step, Phase phase, GanStep.Result losses, double lrG, double lrD, double seconds) {
        GanStep.GeneratorStep g = losses.generator();
        GanStep.DiscriminatorStep d = losses.discriminator();
        if (d == null) {
            return new LossRecord(
                    step, phase.storedName(), null, g.loss(), g.content(), null, null, null, lrG, null, seconds);
        }
        return new LossRecord(
                step,
                phase.storedName(),
                d.loss(),
                g.loss(),
                g.content(),
                g.adversarial(),
                d.real(),
                d.fake(),
                lrG,
                lrD,
                seconds);
    }
}
