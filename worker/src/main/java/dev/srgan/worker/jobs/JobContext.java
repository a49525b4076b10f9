package dev.srgan.worker.jobs;

/** What a running job may ask of the worker: report progress, and learn whether it should stop. */
public interface JobContext {
    /** Records progress in [0, 1] with a short message ("tile 3 of 16", "step 120 of 2000"). */
    void progress(double fraction, String message);

    /** True once the user cancelled the job: stop at the next safe point (between tiles, after a step). */
    boolean cancelRequested();

    /** True once the worker is shutting down: checkpoint, then return by throwing {@link WorkerStopping}. */
    boolean stopping();
}
