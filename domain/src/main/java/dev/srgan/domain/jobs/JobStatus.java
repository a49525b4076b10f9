package dev.srgan.domain.jobs;

/** The life of a job: QUEUED -> RUNNING -> SUCCEEDED | FAILED | CANCELLED. */
public enum JobStatus {
    QUEUED,
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED;

    /** True for states a job never leaves on its own (retry starts a new attempt explicitly). */
    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}
