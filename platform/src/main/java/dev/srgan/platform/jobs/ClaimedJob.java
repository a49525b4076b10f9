package dev.srgan.platform.jobs;

import dev.srgan.domain.jobs.JobType;
import java.util.UUID;

/**
 * A job this worker holds the lease on: its id, type, attempt number, parameters (JSON) and the
 * lease epoch its claim took, the fencing token of every write this attempt makes.
 */
public record ClaimedJob(
        UUID id,
        JobType type,
        int attempt,
        int maxAttempts,
        String paramsJson,
        UUID inputBlobId,
        UUID modelId,
        UUID datasetId,
        long epoch) {

    /** This attempt's fencing token. */
    public JobLease lease() {
        return new JobLease(id, epoch);
    }
}
