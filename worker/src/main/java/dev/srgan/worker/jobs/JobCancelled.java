package dev.srgan.worker.jobs;

/** Thrown by a job that stopped at a safe point because the user cancelled it. */
public class JobCancelled extends RuntimeException {
    public JobCancelled() {
        super("cancelled by the user");
    }
}
