package dev.srgan.worker.training;

import dev.srgan.worker.jobs.StorageFaults;

/**
 * A training run could not store what it recorded (a checkpoint, losses, a validation), after the
 * in-place retries of {@link TrainingRecorder}. Nothing of that write was kept; the run stops and
 * the job's next attempt resumes from {@link #lastCheckpointStep()}.
 */
final class RecordingFailed extends RuntimeException {
    private final String what;
    private final long lastCheckpointStep;

    /**
     * @param what what was not saved, e.g. "the checkpoint at step 1500"
     * @param lastCheckpointStep the newest checkpoint stored for the job, -1 when there is none
     */
    RecordingFailed(String what, long lastCheckpointStep, Throwable cause) {
        super(what + " could not be saved: " + StorageFaults.describe(cause), cause);
        this.what = what;
        this.lastCheckpointStep = lastCheckpointStep;
    }

    /** What was not saved, e.g. "the checkpoint at step 1500". */
    String what() {
        return what;
    }

    /** The newest checkpoint stored for the job, -1 when there is none. */
    long lastCheckpointStep() {
        return lastCheckpointStep;
    }
}
