package dev.srgan.api.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.srgan.api.Attachment;
import dev.srgan.api.PageRequest;
import dev.srgan.api.training.TrainingLimits;
import dev.srgan.core.auth.Caller;
import dev.srgan.core.auth.Requires;
import dev.srgan.core.auth.Role;
import dev.srgan.core.errors.ApiException;
import dev.srgan.core.jobs.JobLabels;
import dev.srgan.core.jobs.JobOutlook;
import dev.srgan.core.jobs.JobStore;
import dev.srgan.core.jobs.JobView;
import dev.srgan.core.storage.Deletions;
import dev.srgan.core.training.MetricsCsv;
import dev.srgan.core.training.TrainingStore;
import dev.srgan.core.upscale.BatchStore;
import dev.srgan.core.upscale.BatchZip;
import dev.srgan.core.webhooks.Webhooks;
import dev.srgan.domain.images.OutputOptions;
import dev.srgan.domain.jobs.JobStatus;
import dev.srgan.domain.jobs.JobType;
import dev.srgan.platform.blobs.BlobStore;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Jobs of every type: list, inspect, cancel, retry, delete, and download an upscale's result. */
@Path("/api/jobs")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Jobs", description = "Jobs of every type: follow, cancel, retry, delete, and their results")
public class JobResource {

    @Inject
    MetricsCsv metricsCsv;

    @Inject
    JobStore jobs;

    @Inject
    JobOutlook outlook;

    @Inject
    DataSource dataSource;

    @Inject
    BlobStore blobs;

    @Inject
    TrainingStore training;

    @Inject
    BatchStore batches;

    @Inject
    BatchZip batchZip;

    @Inject
    Deletions deletion;

    @Inject
    Webhooks webhooks;

    /** Jobs newest first; {@code type} and {@code status} filter, {@code page} (from 0) and {@code size} page. */
    @GET
    @Operation(operationId = "listJobs", summary = "Jobs newest first (a batch's images are listed under their batch)")
    @APIResponse(responseCode = "200", description = "a page of jobs")
    @APIResponse(
            responseCode = "400",
            description = "page below 0, size outside 1-200, an unknown type or status, mine not true or false, "
                    + "or mine=true with submittedBy")
    public JobStore.Page list(
            @QueryParam("type") String type,
            @QueryParam("status") String status,
            @QueryParam("submittedBy") @Parameter(description = "only the jobs this token (by name) submitted")
                    String submittedBy,
            @QueryParam("mine")
                    @Parameter(description = "true: only the jobs this request's token submitted (true or false)")
                    String mine,
            @QueryParam("tag")
                    @Parameter(description = "only the jobs with this tag; repeated, only those with all of them")
                    List<String> tag,
            @QueryParam("q")
                    @Parameter(description = "only the jobs whose name or notes contain this text, in any case")
                    String q,
            @QueryParam("page") Integer page,
            @QueryParam("size") Integer size,
            @Context ContainerRequestContext http)
            throws SQLException {
        PageRequest paging = PageRequest.of(page, size, 25);
        int p = paging.page();
        int s = paging.size();
        String by = submittedBy == null || submittedBy.isBlank() ? null : submittedBy.trim();
        if (mine != null && !mine.isBlank()) {
            if (!mine.equals("true") && !mine.equals("false")) {
                throw ApiException.badRequest("mine", "mine must be true or false, got '" + mine + "'");
            }
            if (mine.equals("true")) {
                if (by != null) {
                    throw ApiException.badRequest("mine", "give submittedBy or mine=true, not both");
                }
                by = Caller.name(http);
            }
        }
        return jobs.list(
                new JobStore.Filter(
                        parse(JobType.class, "type", type), parse(JobStatus.class, "status", status), by, tag, q),
                p,
                s);
    }

    /** The job; a batch upscale also lists its images ({@link BatchStore.BatchJobView}). */
    @GET
    @Path("/{id}")
    @Operation(operationId = "getJob", summary = "One job: its state, progress, parameters and result")
    @APIResponse(
            responseCode = "200",
            description = "the job; a BATCH job also has batch, its images",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = BatchStore.BatchJobView.class)))
    @APIResponse(responseCode = "404", description = "no such job")
    public Object get(@PathParam("id") String id) throws SQLException {
        JobView job = outlook.attach(jobs.require(uuid(id)));
        // batch upscale hook: its counts and images
        return job.type().equals("BATCH") ? batches.view(job) : job;
    }

    @GET
    @Path("/{id}/events")
    @Operation(
            operationId = "getJobEvents",
            summary =
                    "The job's history: submitted, each attempt and on which worker, lease expiries, retries, the end")
    @APIResponse(responseCode = "200", description = "its events, oldest first")
    @APIResponse(responseCode = "404", description = "no such job")
    public List<JobStore.JobEvent> events(@PathParam("id") String id) throws SQLException {
        UUID jobId = uuid(id);
        jobs.require(jobId);
        return jobs.events(jobId);
    }

    @Requires(Role.OPERATOR)
    @POST
    @Path("/{id}/webhook/resend")
    @Operation(
            operationId = "resendWebhook",
            summary = "Send the job's latest ending to its webhook again, as a new delivery (docs/webhooks.md)")
    @APIResponse(
            responseCode = "202",
            description = "the job, its webhook PENDING",
            content =
                    @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "403", description = "the token's role is below OPERATOR")
    @APIResponse(responseCode = "404", description = "no such job, or one without a webhook")
    @APIResponse(
            responseCode = "409",
            description = "the job has not ended yet, or its latest delivery is still being sent")
    @APIResponse(responseCode = "422", description = "the webhook's host is no longer in srgan.webhooks.allowed-hosts")
    public Response resendWebhook(@PathParam("id") String id) throws SQLException {
        UUID jobId = uuid(id);
        jobs.require(jobId);
        webhooks.resend(jobId);
        return Response.accepted(jobs.require(jobId)).build();
    }

    /** What {@code PATCH /api/jobs/{id}} takes; a member left out stays as it is. */
    @Schema(name = "JobEdit")
    public record JobEdit(
            @Schema(description = "the job's new name, 1 to 200 characters")
            String name,

            @Schema(description = "free text, at most 10000 characters; null or \"\" clears them")
            String notes,

            @Schema(
                    description = "the job's tags, replacing the ones it has; [] clears them. Each 1 to 32 letters,"
                            + " digits, spaces or . _ : / + = @ # -; at most 16")
            List<String> tags) {}

    @Requires(Role.OPERATOR)
    @PATCH
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "editJob",
            summary = "Change a job's name, notes or tags, in any state; recorded in its history")
    @APIResponse(responseCode = "200", description = "the job")
    @APIResponse(
            responseCode = "400",
            description =
                    "not a JSON object, an unknown member, nothing to change, a blank or too long name, notes over"
                            + " 10000 characters, a bad tag or more than 16")
    @APIResponse(responseCode = "403", description = "the token's role is below OPERATOR")
    @APIResponse(responseCode = "404", description = "no such job")
    public JobView edit(
            @PathParam("id") String id,
            @RequestBody(content = @Content(schema = @Schema(implementation = JobEdit.class))) JsonNode body,
            @Context ContainerRequestContext http)
            throws SQLException {
        UUID jobId = uuid(id);
        String example = "send a JSON object with name, notes and/or tags, e.g. {\"tags\": [\"baseline\"],"
                + " \"notes\": \"lr 1e-5 holds the PSNR\"}";
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest(null, example);
        }
        for (var it = body.fieldNames(); it.hasNext(); ) {
            String member = it.next();
            if (!member.equals("name") && !member.equals("notes") && !member.equals("tags")) {
                throw ApiException.badRequest(member, "unknown member '" + member + "'; " + example);
            }
        }
        String name = null;
        if (body.has("name")) {
            JsonNode n = body.get("name");
            if (!n.isTextual() || n.asText().isBlank()) {
                throw ApiException.badRequest("name", "name must be a non-blank string; leave it out to keep the name");
            }
            name = n.asText().trim();
            if (name.length() > 200) {
                throw ApiException.badRequest("name", "name must be at most 200 characters");
            }
        }
        String notes = null;
        if (body.has("notes")) {
            JsonNode n = body.get("notes");
            if (!n.isNull() && !n.isTextual()) {
                throw ApiException.badRequest("notes", "notes must be a string, or null to clear them");
            }
            String checked = JobLabels.notes(n.isNull() ? null : n.asText());
            notes = checked == null ? "" : checked;
        }
        List<String> tags = body.has("tags") ? JobLabels.tags(body.get("tags")) : null;
        JobStore.Edit edit = new JobStore.Edit(name, notes, tags);
        if (edit.isEmpty()) {
            throw ApiException.badRequest(null, "nothing to change; " + example);
        }
        return jobs.edit(jobId, edit, Caller.name(http));
    }

    @Requires(Role.OPERATOR)
    @POST
    @Path("/{id}/cancel")
    @Operation(
            operationId = "cancelJob",
            summary = "Cancel a job: a QUEUED one at once, a RUNNING one at its next safe point")
    @APIResponse(responseCode = "200", description = "the job: CANCELLED, or RUNNING with cancelRequested")
    @APIResponse(responseCode = "403", description = "the token's role is below OPERATOR")
    @APIResponse(responseCode = "404", description = "no such job")
    @APIResponse(responseCode = "409", description = "the job has already ended")
    public JobView cancel(@PathParam("id") String id, @Context ContainerRequestContext http) throws SQLException {
        UUID jobId = uuid(id);
        String by = Caller.name(http);
        // batch upscale hook: a batch is cancelled with its images
        return batches.isBatch(jobId) ? batches.cancel(jobId, by) : jobs.cancel(jobId, by);
    }

    @Requires(Role.OPERATOR)
    @POST
    @Path("/{id}/retry")
    @Operation(
            operationId = "retryJob",
            summary =
                    "Queue a FAILED or CANCELLED job again with fresh attempts (a batch: its failed and cancelled images)")
    @APIResponse(
            responseCode = "202",
            description = "the job, QUEUED again",
            content =
                    @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "403", description = "the token's role is below OPERATOR")
    @APIResponse(responseCode = "404", description = "no such job")
    @APIResponse(responseCode = "409", description = "the job is neither FAILED nor CANCELLED")
    public Response retry(@PathParam("id") String id, @Context ContainerRequestContext http) throws SQLException {
        UUID jobId = uuid(id);
        String by = Caller.name(http);
        // batch upscale hook: a batch retries its failed and cancelled images
        return Response.status(202)
                .entity(batches.isBatch(jobId) ? batches.retry(jobId, by) : jobs.retry(jobId, by))
                .build();
    }

    /** The totals an extension sets; a member left out keeps the run's. */
    @Schema(name = "JobExtension")
    public record Extension(
            @Schema(description = "the new pre-training total; may grow only before the GAN phase has begun")
            Integer pretrainSteps,

            @Schema(description = "the new GAN-phase total, at least the run's")
            Integer ganSteps) {

        /** The totals a request body asks for; 400 for anything else, naming it. */
        public static Extension of(JsonNode body) {
            String example = "send {\"ganSteps\": N} and/or {\"pretrainSteps\": N}, the run's new totals";
            if (body == null || !body.isObject()) {
                throw ApiException.badRequest(null, "the body must be a JSON object; " + example);
            }
            for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!name.equals("pretrainSteps") && !name.equals("ganSteps")) {
                    throw ApiException.badRequest(name, "unknown member '" + name + "'; " + example);
                }
            }
            Extension e = new Extension(steps(body, "pretrainSteps"), steps(body, "ganSteps"));
            if (e.pretrainSteps() == null && e.ganSteps() == null) {
                throw ApiException.badRequest(null, "nothing to extend; " + example);
            }
            return e;
        }

        private static Integer steps(JsonNode body, String field) {
            JsonNode value = body.get(field);
            if (value == null || value.isNull()) {
                return null;
            }
            if (!value.canConvertToInt() || !value.isIntegralNumber() || value.intValue() < 0) {
                throw ApiException.badRequest(field, field + " must be a whole number of steps, got " + value);
            }
            return value.intValue();
        }
    }

    @Requires(Role.OPERATOR)
    @POST
    @Path("/{id}/extend")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "extendRun",
            summary = "Train an ended training run longer: new step totals; it resumes from its last checkpoint")
    @RequestBody(
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = Extension.class),
                            examples = @ExampleObject(name = "more GAN steps", value = "{\"ganSteps\": 40000}")))
    @APIResponse(
            responseCode = "202",
            description = "the run, QUEUED again with its new totals in params",
            content =
                    @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobView.class)))
    @APIResponse(
            responseCode = "400",
            description = "a total it cannot take (lower, or pre-training after the GAN"
                    + " phase has begun, or no step added), or an unknown member; field names it")
    @APIResponse(responseCode = "403", description = "the token's role is below OPERATOR")
    @APIResponse(responseCode = "404", description = "no such job")
    @APIResponse(
            responseCode = "409",
            description = "not a training run, not ended yet, or its dataset has been deleted")
    public Response extend(@PathParam("id") String id, JsonNode body, @Context ContainerRequestContext http)
            throws SQLException {
        UUID jobId = uuid(id);
        Extension extension = Extension.of(body);
        return Response.status(202)
                .entity(jobs.extend(
                        jobId,
                        extension.pretrainSteps(),
                        extension.ganSteps(),
                        TrainingLimits.MAX_STEPS,
                        Caller.name(http)))
                .build();
    }

    @Requires(Role.OPERATOR)
    @DELETE
    @Path("/{id}")
    @Operation(
            operationId = "deleteJob",
            summary = "Delete a job that has ended and all it stored: its input, result, checkpoints, losses,"
                    + " samples (a batch: with its images)")
    @APIResponse(responseCode = "200", description = "what was deleted")
    @APIResponse(responseCode = "403", description = "the token's role is below OPERATOR")
    @APIResponse(responseCode = "404", description = "no such job")
    @APIResponse(
            responseCode = "409",
            description = "the job (or an image of the batch) is QUEUED or RUNNING; the job is an image of a batch or"
                    + " a run of a sweep (delete the batch or the sweep)")
    public Deletions.Deleted delete(@PathParam("id") String id, @Context ContainerRequestContext http)
            throws SQLException {
        return deletion.delete(uuid(id), Caller.name(http));
    }

    /** Loss points of a training job after {@code afterStep} (all when absent), in step order. */
    @GET
    @Path("/{id}/losses")
    @Operation(operationId = "getJobLosses", summary = "A training job's loss points after afterStep, in step order")
    @APIResponse(responseCode = "200", description = "loss points")
    @APIResponse(responseCode = "404", description = "no such job")
    public List<TrainingStore.LossPoint> losses(
            @PathParam("id") String id, @QueryParam("afterStep") Integer afterStep, @QueryParam("limit") Integer limit)
            throws SQLException {
        return training.losses(id, afterStep, limit);
    }

    /** Validation PSNR/SSIM of G and of bicubic per validation step, with links to the sample images. */
    @GET
    @Path("/{id}/validation")
    @Operation(
            operationId = "getJobValidation",
            summary = "A training job's validation metrics per validation step, with links to its sample images")
    @APIResponse(responseCode = "200", description = "validation points")
    @APIResponse(responseCode = "404", description = "no such job")
    public List<TrainingStore.ValidationPoint> validation(@PathParam("id") String id) throws SQLException {
        return training.validation(id);
    }

    @GET
    @Path("/{id}/losses.csv")
    @Produces({"text/csv", MediaType.APPLICATION_JSON})
    @Operation(
            operationId = "getJobLossesCsv",
            summary = "A training run's every loss point as CSV, the columns of ./srgan train's losses.csv")
    @APIResponse(
            responseCode = "200",
            description = "step,phase,d_loss,g_loss,content_loss,adversarial_loss,d_real,d_fake,lr_g,lr_d,"
                    + "seconds_per_step; empty where not recorded (D's losses in pre-training)",
            content = @Content(mediaType = "text/csv", schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "404", description = "no such job, or a job that is not a training run")
    public Response lossesCsv(@PathParam("id") String id) throws SQLException {
        return csv(metricsCsv.export(id, MetricsCsv.Kind.LOSSES));
    }

    @GET
    @Path("/{id}/validation.csv")
    @Produces({"text/csv", MediaType.APPLICATION_JSON})
    @Operation(
            operationId = "getJobValidationCsv",
            summary = "A training run's validations as CSV, the columns of ./srgan train's validation.csv")
    @APIResponse(
            responseCode = "200",
            description = "step,phase,psnr,ssim,bicubic_psnr,bicubic_ssim,niqe,bicubic_niqe; NIQE empty where no"
                    + " validation image was large enough",
            content = @Content(mediaType = "text/csv", schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "404", description = "no such job, or a job that is not a training run")
    public Response validationCsv(@PathParam("id") String id) throws SQLException {
        return csv(metricsCsv.export(id, MetricsCsv.Kind.VALIDATION));
    }

    private Response csv(MetricsCsv.Export export) {
        StreamingOutput body = out -> metricsCsv.write(export, out);
        return Attachment.of(body, MetricsCsv.CONTENT_TYPE, export.fileName()).build();
    }

    @GET
    @Path("/{id}/samples/{step}/{idx}")
    @Produces({"image/png", MediaType.APPLICATION_JSON})
    @Operation(operationId = "getJobSample", summary = "A validation sample image of a training job")
    @APIResponse(
            responseCode = "200",
            description = "the PNG",
            content = @Content(mediaType = "image/png", schema = @Schema(type = SchemaType.STRING, format = "binary")))
    @APIResponse(responseCode = "404", description = "no such job, step or sample")
    public Response sample(@PathParam("id") String id, @PathParam("step") int step, @PathParam("idx") int idx)
            throws SQLException {
        UUID blobId = training.sampleBlob(id, step, idx);
        StreamingOutput body = out -> blobs.copyTo(dataSource, blobId, out);
        return Response.ok(body, "image/png").build();
    }

    /** The checkpoints a training job stored, oldest first, with download links. */
    @GET
    @Path("/{id}/checkpoints")
    @Operation(
            operationId = "getJobCheckpoints",
            summary = "The checkpoints a training job stored, oldest first, with download links")
    @APIResponse(responseCode = "200", description = "checkpoints")
    @APIResponse(responseCode = "404", description = "no such job")
    public List<TrainingStore.CheckpointView> checkpoints(@PathParam("id") String id) throws SQLException {
        return training.checkpoints(id);
    }

    /**
     * The upscaled image (PNG, or the JPEG or WebP the job asked for), streamed from PostgreSQL chunk by
     * chunk; a batch's zip of them.
     */
    @GET
    @Path("/{id}/result")
    @Produces({"image/png", "image/jpeg", "image/webp", "application/zip", MediaType.APPLICATION_JSON})
    @Operation(
            operationId = "getJobResult",
            summary =
                    "An upscale's PNG, JPEG or WebP, or a batch's zip of its images' (download=true: as an attachment)")
    @APIResponse(
            responseCode = "200",
            description = "the PNG, JPEG or WebP of an UPSCALE job (its format option), the zip of a BATCH job",
            content = {
                @Content(mediaType = "image/png", schema = @Schema(type = SchemaType.STRING, format = "binary")),
                @Content(mediaType = "image/jpeg", schema = @Schema(type = SchemaType.STRING, format = "binary")),
                @Content(mediaType = "image/webp", schema = @Schema(type = SchemaType.STRING, format = "binary")),
                @Content(mediaType = "application/zip", schema = @Schema(type = SchemaType.STRING, format = "binary"))
            })
    @APIResponse(
            responseCode = "404",
            description = "no such job, or an upscale that has not SUCCEEDED (its state named)")
    @APIResponse(
            responseCode = "409",
            description = "a batch still QUEUED or RUNNING, or one that ended with no image upscaled")
    public Response result(@PathParam("id") String id, @QueryParam("download") boolean download) throws SQLException {
        UUID jobId = uuid(id);
        JobView job = jobs.require(jobId);
        if (job.type().equals("BATCH")) {
            // batch upscale hook: a zip of its images' PNGs
            return batchZip.response(job, download);
        }
        JobStore.Result result = jobs.result(jobId)
                .orElseThrow(
                        () -> ApiException.notFound("job " + jobId + " has no result (it is " + job.status() + ")"));
        StreamingOutput body = out -> blobs.copyTo(dataSource, result.blobId(), out);
        String base =
                job.inputName() == null ? jobId.toString() : job.inputName().replaceAll("\\.[A-Za-z0-9]+$", "");
        String extension = "."
                + OutputOptions.Format.ofContentType(result.contentType())
                        .orElse(OutputOptions.Format.PNG)
                        .extension();
        String filename = base.replaceAll("[^A-Za-z0-9._-]", "_") + "-upscaled" + extension;
        return Response.ok(body, result.contentType())
                .header("Content-Length", result.sizeBytes())
                .header("Content-Disposition", (download ? "attachment" : "inline") + "; filename=\"" + filename + "\"")
                .build();
    }

    /** Parses a UUID path parameter or answers 404 (a malformed id names no job). */
    public static UUID uuid(String id) {
        return JobStore.id(id);
    }

    static <E extends Enum<E>> E parse(Class<E> type, String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(
                    field,
                    field + " must be one of " + java.util.Arrays.toString(type.getEnumConstants()) + ", got '" + value
                            + "'");
        }
    }
}
