package dev.srgan.worker.jobs;

import dev.srgan.domain.jobs.JobType;
import dev.srgan.platform.jobs.ClaimedJob;

/** Runs one type of job. Implementations are CDI beans; the runner picks the one for the job's type. */
public interface JobExecutor {
    /** The job type this executor runs. */
    JobType type();

    /**
     * Runs a claimed job to its end. Returning normally means SUCCEEDED; a {@link JobFailure} fails
     * the job with its message (retried when it says so); any other exception is treated as transient.
     */
    void execute(ClaimedJob job, JobContext context) throws Exception;
}
