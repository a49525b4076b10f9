package dev.srgan.worker.jobs;

import dev.srgan.domain.jobs.JobType;

import java.util.UUID;

/** A job this worker holds the lease on: its id, type, attempt number and parameters (JSON). */
public record ClaimedJob(UUID id, JobType type, int attempt, int maxAttempts, String paramsJson,
                         UUID inputBlobId, UUID modelId, UUID datasetId) {
}
