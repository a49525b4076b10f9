package dev.srgan.worker.jobs;

/** Thrown by a job that stopped at a safe point because its worker is shutting down; the job is queued again. */
public class WorkerStopping extends RuntimeException {
    public WorkerStopping() {
        super("worker is shutting down");
    }
}
