package dev.srgan.worker.jobs;

/**
 * A job failure with a message for the user. {@code permanent} failures (a corrupt image, an
 * impossible configuration) fail the job at once; others are retried with backoff up to its limit.
 */
public class JobFailure extends Exception {
    private final boolean permanent;

    public JobFailure(String message, boolean permanent) {
        super(message);
        this.permanent = permanent;
    }

    public JobFailure(String message, boolean permanent, Throwable cause) {
        super(message, cause);
        this.permanent = permanent;
    }

    public static JobFailure permanent(String message) {
        return new JobFailure(message, true);
    }

    public boolean permanent() {
        return permanent;
    }
}
