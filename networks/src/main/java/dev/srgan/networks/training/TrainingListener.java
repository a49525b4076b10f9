package dev.srgan.networks.training;

import dev.srgan.networks.checkpoint.Checkpoint;

/**
 * Receives a run's progress. All methods are called on the training thread, between steps.
 * {@link #isCancelled()} is asked before every step: when it says yes the run writes a checkpoint
 * (through {@link #onCheckpoint(Checkpoint)}) and returns.
 */
public interface TrainingListener {

    /** A listener that records nothing and never cancels. */
    TrainingListener NONE = new TrainingListener() {};

    /** Called after every step. */
    default void onStep(LossRecord record) {}

    /** Called after every validation. */
    default void onValidation(ValidationRecord record) {}

    /** Called with every checkpoint; {@link Checkpoint#write} streams it. */
    default void onCheckpoint(Checkpoint checkpoint) {}

    /** Returns true to stop the run cleanly before its next step. */
    default boolean isCancelled() {
        return false;
    }
}
