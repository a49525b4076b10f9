package dev.srgan.core.storage;

import dev.srgan.core.audit.AuditLog;
import dev.srgan.core.errors.ApiException;
import dev.srgan.core.models.ModelStore;
import dev.srgan.domain.images.ModelBlend;
import dev.srgan.domain.jobs.JobStatus;
import dev.srgan.platform.jobs.JobTable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Deletes what users stored, to give the space back: models, datasets, and finished jobs with
 * everything they own: the uploaded image,
 * the result, a training run's checkpoints, losses, validations and samples, a batch's images, a
 * sweep's runs. One transaction per deletion, with the jobs locked, so a job is deleted whole or not
 * at all, and never while it may run (a retry and a delete of the same job are ordered by the lock).
 *
 * <p>A blob another row still uses stays: a model registered from a checkpoint keeps that
 * checkpoint's file, and the model forgets only which run it came from. The job's idempotency keys
 * go with it, so the same key later makes a new job instead of naming one that is gone.
 */
@ApplicationScoped
public class Deletions {

    /** A blob none of the columns that hold blobs uses any more is deleted. */
    private static final String BLOB_UNUSED = BlobColumns.unused("b");

    @Inject
    DataSource dataSource;

    @Inject
    JobTable table;

    /** What a deletion removed. */
    public record Deleted(
            @Schema(description = "jobs deleted: the job, with a batch's images or a sweep's runs")
            int jobs,

            @Schema(description = "stored files deleted: inputs, results, checkpoints, samples")
            int blobs,

            @Schema(description = "the bytes those files held")
            long bytes) {}

    /**
     * Deletes a finished job: a batch with its images. 404 when there is none; 409 while it is
     * QUEUED or RUNNING, and for an image of a batch or a run of a sweep (delete the batch or the
     * sweep, whose pages would otherwise count a job that is gone).
     */
    public Deleted delete(UUID id, String actor) throws SQLException {
        return inTransaction(c -> {
            JobStatus status = table.lockStatus(c, id).orElseThrow(() -> ApiException.notFound("no job " + id));
            Optional<UUID> batch = uuid(c, "SELECT batch_id FROM jobs WHERE id = ?", id);
            if (batch.isPresent()) {
                throw ApiException.conflict("the job is an image of batch " + batch.get()
                        + "; delete the batch (DELETE /api/jobs/" + batch.get() + ") to delete its images");
            }
            Optional<UUID> sweep = uuid(c, "SELECT sweep_id FROM training_sweep_runs WHERE job_id = ?", id);
            if (sweep.isPresent()) {
                throw ApiException.conflict("the job is a run of sweep " + sweep.get()
                        + "; delete the sweep (DELETE /api/training/sweeps/" + sweep.get() + ") to delete its runs");
            }
            requireEnded(status, "the job is " + status);
            List<UUID> jobs = new ArrayList<>(List.of(id));
            jobs.addAll(lockChildren(c, id));
            String what = text(
                            c,
                            "SELECT type || ' ' || quote_literal(coalesce(name, input_name, id::text)) FROM jobs WHERE id = ?",
                            id)
                    + (jobs.size() > 1 ? " with its " + (jobs.size() - 1) + " images" : "");
            Deleted deleted = deleteJobs(c, jobs);
            AuditLog.record(c, actor, "job.deleted", id, what + ", " + files(deleted));
            return deleted;
        });
    }

    /**
     * Deletes a sweep and all its runs once none of them is QUEUED or RUNNING; 404 when there is no
     * such sweep, 409 while a run may still run (cancel the sweep first).
     */
    public Deleted deleteSweep(UUID sweepId, String actor) throws SQLException {
        return inTransaction(c -> {
            List<UUID> runs = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT r.job_id FROM training_sweeps s LEFT JOIN training_sweep_runs r ON r.sweep_id = s.id
                    WHERE s.id = ? ORDER BY r.job_id FOR UPDATE OF s""")) {
                ps.setObject(1, sweepId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw ApiException.notFound("no sweep " + sweepId);
                    }
                    do {
                        UUID job = rs.getObject(1, UUID.class);
                        if (job != null) {
                            runs.add(job);
                        }
                    } while (rs.next());
                }
            }
            int active = 0;
            for (UUID run : runs) { // in id order, as every multi-job lock is taken
                if (table.lockStatus(c, run).filter(s -> !s.isFinal()).isPresent()) {
                    active++;
                }
            }
            if (active > 0) {
                throw ApiException.conflict(active + " of the sweep's " + runs.size()
                        + " runs are queued or running; cancel the sweep (POST /api/training/sweeps/" + sweepId
                        + "/cancel) and delete it once they have stopped");
            }
            String name = text(c, "SELECT name FROM training_sweeps WHERE id = ?", sweepId);
            Deleted deleted = deleteJobs(c, runs);
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM training_sweeps WHERE id = ?")) {
                ps.setObject(1, sweepId);
                ps.executeUpdate();
            }
            AuditLog.record(
                    c,
                    actor,
                    "sweep.deleted",
                    sweepId,
                    "sweep '" + name + "' with its " + runs.size() + " runs, " + files(deleted));
            return deleted;
        });
    }

    /**
     * Deletes a model with its evaluations (and those of models blended with it) and comparison
     * crop, and its file unless a checkpoint
     * still holds it. The jobs that used it keep their history without the link. 404 when there is
     * none; 409 for a scale's default, a shipped model (it would be registered again at the next
     * start), and while a QUEUED or RUNNING job uses it.
     */
    public Deleted deleteModel(UUID id, String actor) throws SQLException {
        return inTransaction(c -> {
            List<UUID> blobs = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT is_default, scale, source, blob_id FROM models WHERE id = ? FOR UPDATE")) {
                ps.setObject(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw ApiException.notFound("no model " + id);
                    }
                    if (rs.getBoolean(1)) {
                        throw ApiException.conflict("the model is the default for " + rs.getInt(2)
                                + "x upscales; make another model the default first");
                    }
                    String source = rs.getString(3);
                    if (source != null && source.startsWith(ModelStore.SHIPPED_SOURCE_PREFIX)) {
                        throw ApiException.conflict("the model ships with SRGAN Cluster and would be registered again"
                                + " at the next start; it stays (srgan.models.register-shipped=false stops that)");
                    }
                    blobs.add(rs.getObject(4, UUID.class));
                }
            }
            // an upscale names its model in model_id, and the model it blends with in its params
            requireUnused(c, "(model_id = ? OR params ->> '" + ModelBlend.MODEL_FIELD + "' = ?::text)", id, "model");
            blobs.addAll(uuids(c, "SELECT blob_id FROM model_comparisons WHERE model_id = ?", id));
            String name = text(c, "SELECT quote_literal(name) || ' (' || scale || 'x)' FROM models WHERE id = ?", id);
            // the evaluations of other models blended with this one go with it
            update(c, "DELETE FROM model_evaluations WHERE (blend ->> 'modelId')::uuid = ?", id);
            update(c, "DELETE FROM models WHERE id = ?", id);
            Deleted deleted = deleteUnusedBlobs(c, blobs, 0);
            AuditLog.record(c, actor, "model.deleted", id, "model " + name + ", " + files(deleted));
            return deleted;
        });
    }

    /**
     * Deletes a dataset and its file. The runs and evaluations that used it keep their history
     * without the link (a retry of one is refused). 404 when there is none; 409 while a QUEUED or
     * RUNNING job uses it.
     */
    public Deleted deleteDataset(UUID id, String actor) throws SQLException {
        return inTransaction(c -> {
            UUID blob = uuid(c, "SELECT blob_id FROM datasets WHERE id = ? FOR UPDATE", id)
                    .orElseThrow(() -> ApiException.notFound("no dataset " + id));
            requireUnused(c, "dataset_id = ?", id, "dataset");
            requireNoValidation(c, id);
            String name = text(c, "SELECT name FROM datasets WHERE id = ?", id);
            update(c, "DELETE FROM datasets WHERE id = ?", id);
            Deleted deleted = deleteUnusedBlobs(c, List.of(blob), 0);
            AuditLog.record(c, actor, "dataset.deleted", id, "dataset '" + name + "', " + files(deleted));
            return deleted;
        });
    }

    /** "3 files (1.2 MiB)": what a deletion gave back, for the audit log. */
    static String files(Deleted deleted) {
        double size = deleted.bytes();
        String unit = "bytes";
        for (String next : List.of("KiB", "MiB", "GiB", "TiB")) {
            if (size < 1024) {
                break;
            }
            size /= 1024;
            unit = next;
        }
        return deleted.blobs() + (deleted.blobs() == 1 ? " file" : " files") + " ("
                + (unit.equals("bytes")
                        ? deleted.bytes() + " bytes"
                        : String.format(java.util.Locale.ROOT, "%.1f %s", size, unit))
                + ")";
    }

    private static String text(Connection c, String sql, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** 409 when a QUEUED or RUNNING job meets {@code condition}, each of whose parameters is {@code id}. */
    private static void requireUnused(Connection c, String condition, UUID id, String what) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM jobs WHERE " + condition + " AND status IN ('QUEUED', 'RUNNING')")) {
            for (int i = 1; i <= condition.chars().filter(ch -> ch == '?').count(); i++) {
                ps.setObject(i, id);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long active = rs.getLong(1);
                if (active > 0) {
                    throw ApiException.conflict(active + (active == 1 ? " job that is" : " jobs that are")
                            + " queued or running use" + (active == 1 ? "s" : "") + " the " + what
                            + "; delete it once they have ended, or cancel them");
                }
            }
        }
    }

    /** 409 while a queued or running training run validates on the dataset. */
    private static void requireNoValidation(Connection c, UUID dataset) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT count(*) FROM training_runs t JOIN jobs j ON j.id = t.job_id
                WHERE t.validation_dataset_id = ? AND j.status IN ('QUEUED', 'RUNNING')""")) {
            ps.setObject(1, dataset);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long active = rs.getLong(1);
                if (active > 0) {
                    throw ApiException.conflict(active
                            + (active == 1 ? " training run that is" : " training runs that are")
                            + " queued or running validate" + (active == 1 ? "s" : "") + " on the dataset; delete it"
                            + " once they have ended, or cancel them");
                }
            }
        }
    }

    private static void requireEnded(JobStatus status, String what) {
        if (!status.isFinal()) {
            throw ApiException.conflict(what + "; only a job that has ended can be deleted: cancel it first");
        }
    }

    /** Locks a batch's images (none for other jobs); 409 if one has not ended. */
    private List<UUID> lockChildren(Connection c, UUID batch) throws SQLException {
        List<UUID> children = new ArrayList<>();
        try (PreparedStatement ps =
                c.prepareStatement("SELECT id, status FROM jobs WHERE batch_id = ? ORDER BY id FOR UPDATE")) {
            ps.setObject(1, batch);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    requireEnded(JobStatus.valueOf(rs.getString(2)), "an image of the batch is " + rs.getString(2));
                    children.add(rs.getObject(1, UUID.class));
                }
            }
        }
        return children;
    }

    /** Deletes the rows of {@code jobs} (their own rows go by ON DELETE CASCADE), then the blobs nothing uses now. */
    private static Deleted deleteJobs(Connection c, List<UUID> jobs) throws SQLException {
        if (jobs.isEmpty()) {
            return new Deleted(0, 0, 0);
        }
        Array ids = c.createArrayOf("uuid", jobs.toArray());
        List<UUID> blobs = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT input_blob_id FROM jobs WHERE id = ANY (?) AND input_blob_id IS NOT NULL
                UNION SELECT blob_id FROM results WHERE job_id = ANY (?)
                UNION SELECT blob_id FROM checkpoints WHERE job_id = ANY (?)
                UNION SELECT blob_id FROM sample_images WHERE job_id = ANY (?)""")) {
            for (int i = 1; i <= 4; i++) {
                ps.setArray(i, ids);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    blobs.add(rs.getObject(1, UUID.class));
                }
            }
        }
        // a model made from one of the runs' checkpoints stays, without a link to a run that is gone
        update(
                c,
                "UPDATE models SET source_job_id = NULL, source_checkpoint_id = NULL WHERE source_job_id = ANY (?)",
                ids);
        update(c, "DELETE FROM idempotency_keys WHERE resource_id = ANY (?)", ids);
        // an ended job has no message due; one left over (from a retry, say) must not outlive it
        update(
                c,
                "DELETE FROM outbox WHERE published_at IS NULL AND message_key = ANY (?)",
                c.createArrayOf("text", jobs.stream().map(UUID::toString).toArray()));
        int deletedJobs;
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM jobs WHERE id = ANY (?)")) {
            ps.setArray(1, ids);
            deletedJobs = ps.executeUpdate();
        }
        return deleteUnusedBlobs(c, blobs, deletedJobs);
    }

    /** Deletes those of {@code blobs} that no row uses any more (their chunks go by ON DELETE CASCADE). */
    private static Deleted deleteUnusedBlobs(Connection c, List<UUID> blobs, int deletedJobs) throws SQLException {
        int deletedBlobs = 0;
        long bytes = 0;
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM blobs b WHERE b.id = ANY (?) AND " + BLOB_UNUSED + " RETURNING b.size_bytes")) {
            ps.setArray(1, c.createArrayOf("uuid", blobs.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    deletedBlobs++;
                    bytes += rs.getLong(1);
                }
            }
        }
        return new Deleted(deletedJobs, deletedBlobs, bytes);
    }

    private static void update(Connection c, String sql, Object parameter) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, parameter);
            ps.executeUpdate();
        }
    }

    private static List<UUID> uuids(Connection c, String sql, UUID id) throws SQLException {
        List<UUID> found = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getObject(1, UUID.class));
                }
            }
        }
        return found;
    }

    private static Optional<UUID> uuid(Connection c, String sql, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getObject(1, UUID.class)) : Optional.empty();
            }
        }
    }

    private interface Work {
        Deleted run(Connection c) throws SQLException;
    }

    private Deleted inTransaction(Work work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Deleted deleted = work.run(c);
                c.commit();
                return deleted;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }
}
