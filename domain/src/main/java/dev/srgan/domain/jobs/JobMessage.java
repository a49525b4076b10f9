package dev.srgan.domain.jobs;

import java.util.UUID;

/**
 * What travels on a job topic: only the job's id, type and attempt. The job itself lives in
 * PostgreSQL; a worker claims it there, so a redelivered message never runs a finished job again.
 *
 * <p>Wire format (JSON): {@code {"jobId":"...","type":"UPSCALE","attempt":1}}.
 */
public record JobMessage(UUID jobId, JobType type, int attempt) {
    public JobMessage {
        if (jobId == null || type == null) {
            throw new IllegalArgumentException("jobId and type are required");
        }
    }

    /** The wire format above (ids, an enum name and a number: nothing to escape). */
    public String toJson() {
        return "{\"jobId\":\"" + jobId + "\",\"type\":\"" + type.name() + "\",\"attempt\":" + attempt + "}";
    }
}
