package dev.srgan.core.upscale;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srgan.core.errors.ApiException;
import dev.srgan.core.jobs.JobStore;
import dev.srgan.core.jobs.JobView;
import dev.srgan.domain.images.ModelBlend;
import dev.srgan.domain.images.OutputOptions;
import dev.srgan.domain.images.ResultNames;
import dev.srgan.domain.jobs.JobStateMachine;
import dev.srgan.domain.jobs.JobStatus;
import dev.srgan.platform.jobs.JobTable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Batch upscales in PostgreSQL: a BATCH job, its counts (table {@code batches}) and its images,
 * one UPSCALE job each ({@code jobs.batch_id}, {@code batch_index}). The batch's state, counts and
 * progress follow from its images' by the roll-up trigger of migration V8, in the transaction
 * that changes an image, whoever changes it; this class writes only the submission, a cancel and a
 * retry, each in one transaction.
 *
 * <p>Locks are taken images first, then the batch, in the order the trigger takes them (an
 * image's change locks the image, then its batch), so a cancel or retry never deadlocks with a
 * worker ending an image.
 */
@ApplicationScoped
public class BatchStore {

    @Inject
    DataSource dataSource;

    @Inject
    JobStore jobs;

    @Inject
    JobTable table;

    @Inject
    ObjectMapper json;

    /** A batch as {@code GET /api/jobs/{id}} shows it: the job's fields, and its images. */
    @Schema(name = "JobDetail", description = "A job as GET /api/jobs/{id} shows it: batch only for a BATCH job")
    public record BatchJobView(@JsonUnwrapped JobView job, BatchView batch) {}

    /** The batch's counts and images; {@code resultUrl} is the zip, once there is one. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record BatchView(
            int count, int succeeded, int failed, int cancelled, int scale, String resultUrl, List<ImageView> images) {
        /** Images that reached a final state. */
        public int done() {
            return succeeded + failed + cancelled;
        }
    }

    /** One image of a batch: its name as uploaded, its name in the zip, its job and how it ended. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ImageView(
            int index,
            String name,
            String output,
            UUID jobId,
            String status,
            double progress,
            String error,
            Integer width,
            Integer height,
            String url) {}

    /** A stored result of an image: its name in the zip and its blob. */
    public record Result(String output, UUID blobId) {}

    /** Whether the job is a batch (false also for no such job: the caller's own lookup says 404). */
    public boolean isBatch(UUID id) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT 1 FROM jobs WHERE id = ? AND type = 'BATCH'")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The image count of a batch, or 0 when there is no such batch. */
    public int count(UUID id) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT image_count FROM batches WHERE job_id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }

    /** The batch job with its counts and images. */
    public BatchJobView view(JobView job) throws SQLException {
        return new BatchJobView(job, batch(job));
    }

    /** The counts and images of a batch job. */
    public BatchView batch(JobView job) throws SQLException {
        int scale = scale(job);
        int count = 0;
        int succeeded = 0;
        int failed = 0;
        int cancelled = 0;
        List<ImageView> images = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT image_count, succeeded, failed, cancelled FROM batches WHERE job_id = ?")) {
                ps.setObject(1, job.id());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        count = rs.getInt(1);
                        succeeded = rs.getInt(2);
                        failed = rs.getInt(3);
                        cancelled = rs.getInt(4);
                    }
                }
            }
            List<String> names = new ArrayList<>();
            List<Object[]> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT j.batch_index, j.input_name, j.id, j.status, j.progress, j.error, r.width, r.height
                    FROM jobs j LEFT JOIN results r ON r.job_id = j.id AND j.status = 'SUCCEEDED'
                    WHERE j.batch_id = ? ORDER BY j.batch_index""")) {
                ps.setObject(1, job.id());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        names.add(rs.getString(2));
                        rows.add(new Object[] {
                            rs.getInt(1),
                            rs.getString(2),
                            rs.getObject(3, UUID.class),
                            rs.getString(4),
                            rs.getDouble(5),
                            rs.getString(6),
                            rs.getObject(7),
                            rs.getObject(8)
                        });
                    }
                }
            }
            List<String> outputs = ResultNames.of(names, options(job), scale);
            for (int i = 0; i < rows.size(); i++) {
                Object[] r = rows.get(i);
                UUID imageJob = (UUID) r[2];
                boolean done = r[6] != null;
                images.add(new ImageView(
                        (Integer) r[0],
                        (String) r[1],
                        outputs.get(i),
                        imageJob,
                        (String) r[3],
                        (Double) r[4],
                        (String) r[5],
                        (Integer) r[6],
                        (Integer) r[7],
                        done ? "/api/jobs/" + imageJob + "/result" : null));
            }
        }
        boolean zip = JobStatus.valueOf(job.status()).isFinal() && succeeded > 0;
        return new BatchView(
                count, succeeded, failed, cancelled, scale, zip ? "/api/jobs/" + job.id() + "/result" : null, images);
    }

    /** The stored results of a batch's images that succeeded, in upload order, with their names in the zip. */
    public List<Result> results(JobView job) throws SQLException {
        List<String> names = new ArrayList<>();
        List<UUID> blobs = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                SELECT j.input_name, r.blob_id FROM jobs j LEFT JOIN results r ON r.job_id = j.id AND j.status = 'SUCCEEDED'
                WHERE j.batch_id = ? ORDER BY j.batch_index""")) {
            ps.setObject(1, job.id());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                    blobs.add(rs.getObject(2, UUID.class));
                }
            }
        }
        // names are given over every image, so an image's name in the zip does not depend on which others succeeded
        List<String> outputs = ResultNames.of(names, options(job), scale(job));
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) {
            if (blobs.get(i) != null) {
                results.add(new Result(outputs.get(i), blobs.get(i)));
            }
        }
        return results;
    }

    /**
     * Cancels a batch: its QUEUED images are CANCELLED at once, its RUNNING ones stop at their next
     * tile batch; the batch ends CANCELLED when the last of them has (the roll-up). 409 for a
     * batch that has already ended.
     */
    public JobView cancel(UUID id, String by) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                lockImages(c, id);
                JobStatus status = lockStatus(c, id);
                if (status.isFinal()) {
                    throw ApiException.conflict(
                            "the batch is already " + status + "; only a QUEUED or RUNNING batch can be cancelled");
                }
                table.cancelBatch(c, id, status, by);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        return jobs.require(id);
    }

    /**
     * Retries a FAILED or CANCELLED batch: its failed and cancelled images are queued again with
     * fresh attempts, its succeeded ones keep their results. 409 otherwise.
     */
    public JobView retry(UUID id, String by) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                lockImages(c, id);
                JobStatus status = lockStatus(c, id);
                if (!JobStateMachine.isAllowed(status, JobStatus.QUEUED) || status == JobStatus.RUNNING) {
                    throw ApiException.conflict(
                            "the batch is " + status + "; only a FAILED or CANCELLED batch can be retried");
                }
                table.retryBatch(c, id, status, by);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
        return jobs.require(id);
    }

    private int scale(JobView job) {
        return params(job).path("scale").asInt(4);
    }

    /**
     * The output options a batch was submitted with, which name its results ({@code photo-x3.jpg});
     * a batch submitted before they existed, or with params that do not read, has the default.
     */
    public OutputOptions options(JobView job) {
        return options(params(job));
    }

    /** The output options recorded in a job's params (an upscale's or a batch's). */
    public static OutputOptions options(JsonNode params) {
        try {
            return OutputOptions.fromParams(members(params));
        } catch (OutputOptions.InvalidOption e) {
            return OutputOptions.DEFAULT;
        }
    }

    /** The model blend recorded in a job's params (an upscale's or a batch's), or null for none. */
    public static ModelBlend blend(JsonNode params) {
        try {
            return ModelBlend.fromParams(members(params));
        } catch (OutputOptions.InvalidOption e) {
            return null;
        }
    }

    /** The text of each member of a job's params by name, null when absent or null. */
    private static java.util.function.Function<String, String> members(JsonNode params) {
        return name -> {
            JsonNode member = params.get(name);
            return member == null || member.isNull() ? null : member.asText();
        };
    }

    /** A batch's model blend, or null. */
    public ModelBlend blend(JobView job) {
        return blend(params(job));
    }

    private JsonNode params(JobView job) {
        try {
            return json.readTree(job.params() == null ? "{}" : job.params());
        } catch (IOException e) {
            return json.createObjectNode();
        }
    }

    private static void lockImages(Connection c, UUID batchId) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT id FROM jobs WHERE batch_id = ? ORDER BY id FOR UPDATE")) {
            ps.setObject(1, batchId);
            ps.executeQuery().close();
        }
    }

    private static JobStatus lockStatus(Connection c, UUID id) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT status FROM jobs WHERE id = ? AND type = 'BATCH' FOR UPDATE")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw ApiException.notFound("no batch " + id);
                }
                return JobStatus.valueOf(rs.getString(1));
            }
        }
    }
}
