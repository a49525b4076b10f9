package dev.srgan.core.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import java.time.OffsetDateTime;
import java.util.List;
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

        @Schema(description = "labels to find and group jobs by (GET /api/jobs?tag=...); empty for none")
        List<String> tags,

        @Schema(description = "free text about the job, e.g. what a run tried and what came of it")
        String notes,

        @Schema(
                description = "the name of the token (or dashboard session) that submitted the job; absent for jobs the"
                        + " cluster made itself")
        String submittedBy,

        @JsonRawValue @Schema(type = SchemaType.OBJECT, description = "the job's parameters, a JSON object")
        String params,

        String inputName,

        @Schema(
                description = "the model an upscale or evaluation runs, or the model a training run starts from, while"
                        + " that model exists")
        UUID modelId,

        UUID datasetId,

        @Schema(description = "a training run's starting point when it was submitted with a baseModelId")
        BaseModelView baseModel,

        @Schema(
                description = "a training run that validates on a dataset of its own (validationDatasetId) instead of"
                        + " the held-out tenth of its training dataset")
        ValidationDatasetView validationDataset,

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
        ResultView result,

        @Schema(description = "present when the job was submitted with a webhookUrl")
        WebhookView webhook,

        @Schema(
                description =
                        "GET /api/jobs/{id} of a queued or running job: its place in the queue or the time it still needs")
        JobOutlook.Outlook outlook) {

    /** The same job without its webhook: what a webhook delivery carries (its own state would be stale at once). */
    public JobView withoutWebhook() {
        return with(null, outlook);
    }

    /** The same job with its outlook. */
    public JobView withOutlook(JobOutlook.Outlook outlook) {
        return with(webhook, outlook);
    }

    private JobView with(WebhookView webhook, JobOutlook.Outlook outlook) {
        return new JobView(
                id,
                type,
                status,
                name,
                tags,
                notes,
                submittedBy,
                params,
                inputName,
                modelId,
                datasetId,
                baseModel,
                validationDataset,
                attempts,
                maxAttempts,
                workerId,
                progress,
                progressMessage,
                cancelRequested,
                error,
                createdAt,
                startedAt,
                finishedAt,
                result,
                webhook,
                outlook);
    }

    /**
     * The model a training run started from (fine-tuning): its name as it was at submission, and
     * its id, absent once the model has been deleted.
     */
    @Schema(name = "JobBaseModel")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BaseModelView(UUID id, String name) {}

    /**
     * The dataset a training run validates on: its name as it was at submission, and its id,
     * absent once the dataset has been deleted.
     */
    @Schema(name = "JobValidationDataset")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ValidationDatasetView(UUID id, String name) {}

    /** The stored result of a finished upscale job. */
    public record ResultView(
            int width, int height, String contentType, Long modelMs, Long totalMs, long sizeBytes, String url) {}

    /**
     * The job's webhook and its latest delivery: WAITING (the job has not ended), PENDING (sending or
     * waiting to resend), DELIVERED (a 2xx answer) or GAVE_UP (srgan.webhooks.max-attempts failed).
     */
    @Schema(name = "JobWebhook")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record WebhookView(
            String url,

            @Schema(enumeration = {"WAITING", "PENDING", "DELIVERED", "GAVE_UP"})
            String state,

            @Schema(description = "the job's status the latest delivery announces")
            String event,

            int attempts,
            OffsetDateTime deliveredAt,

            @Schema(description = "the receiver's HTTP status of the latest attempt")
            Integer responseCode,

            @Schema(description = "why the latest attempt failed")
            String lastError,

            @Schema(description = "when a PENDING delivery is sent next")
            OffsetDateTime nextAttemptAt) {}
}
