package dev.srgan.networks.training;

/**
 * The two phases of a run: SRResNet-style pre-training of the generator alone on pixel MSE, then
 * the adversarial phase. A step belongs to pre-training while its number is at most
 * {@code pretrainSteps}. The stored names ("pretrain", "gan") are what loss and validation rows,
 * metrics and checkpoint manifests hold; they never change.
 */
public enum Phase {
    /** Generator-only pre-training on pixel MSE. */
    PRETRAIN("pretrain"),
    /** Adversarial training: D, then G on content + w * adversarial. */
    GAN("gan");

    private final String storedName;

    Phase(String storedName) {
        this.storedName = storedName;
    }

    /** Returns the name stored in the database, the metrics and checkpoints. */
    public String storedName() {
        return storedName;
    }

    /**
     * Returns the phase of a global step (from 1; step 0, before any training, counts as
     * pre-training, as does every step when there is no GAN phase).
     */
    public static Phase ofStep(long step, int pretrainSteps) {
        return step <= pretrainSteps ? PRETRAIN : GAN;
    }

    /**
     * Returns the phase with this stored name.
     *
     * @throws IllegalArgumentException if no phase is stored under it
     */
    public static Phase fromStoredName(String name) {
        for (Phase phase : values()) {
            if (phase.storedName.equals(name)) {
                return phase;
            }
        }
        throw new IllegalArgumentException("unknown training phase '" + name + "'; expected 'pretrain' or 'gan'");
    }
}
