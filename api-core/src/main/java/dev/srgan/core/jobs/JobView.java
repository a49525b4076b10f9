package dev.srgan.core.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A job as the API shows it. {@code params} is the job's JSON parameters as submitted. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobView(
        UUID id,
        String type,
        String status,
        String name,

        @JsonRawValue @Schema(type = SchemaType.OBJECT, description = "the job's parameters, a JSON object")
        String params,

        String inputName,
        UUID modelId,
        UUID datasetId,
        int attempts,
        int maxAttempts,
        String workerId,
        double progress,
        String progressMessage,
        boolean cancelRequested,
        String error,
        OffsetDateTime createdAt,
        OffsetDateTime startedAt,
        OffsetDateTime finishedAt,
        ResultView result) {

    /** The stored result of a finished upscale job. */
    public record ResultView(
            int width, int height, String contentType, Long modelMs, Long totalMs, long sizeBytes, String url) {}
}
