package dev.srgan.core.jobs;

import dev.srgan.core.errors.ApiException;
import dev.srgan.domain.jobs.BaseModel;
import dev.srgan.domain.jobs.JobStateMachine;
import dev.srgan.domain.jobs.JobStatus;
import dev.srgan.domain.jobs.JobType;
import dev.srgan.networks.training.TrainingConfig;
import dev.srgan.platform.jobs.JobTable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Jobs in PostgreSQL, as the api sees them: pages, views, events and counts. Every change of a
 * job's state goes through the platform's {@link JobTable} (submissions call it directly, in their
 * own transaction, so a 202 means the job and its outbox record are durable).
 */
@ApplicationScoped
public class JobStore {

    /** A job id from a path: 404 "no job ..." when it is not a UUID (no such job can exist). */
    public static UUID id(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("no job " + id);
        }
    }

    @Inject
    DataSource dataSource;

    @Inject
    JobTable table;

    /** A page of jobs, newest first. */
    @Schema(name = "JobPage")
    public record Page(List<JobView> items, int page, int size, long total) {}

    /** One entry of a job's history. */
    public record JobEvent(long id, OffsetDateTime at, String kind, String status, String message) {}

    private static final String SELECT = """
            SELECT j.id, j.type, j.status, j.name, j.tags, j.notes, j.submitted_by, j.params::text AS params, j.input_name, j.model_id, j.dataset_id, j.attempts,
                   j.max_attempts, j.worker_id, j.progress, j.progress_message, j.cancel_requested, j.error, j.created_at,
                   j.started_at, j.finished_at, r.width, r.height, r.content_type, r.model_ms, r.total_ms, b.size_bytes AS result_size,
                   t.base_model_name, CASE WHEN t.base_model_name IS NOT NULL THEN j.model_id END AS base_model_id,
                   t.validation_dataset_id, t.validation_dataset_name,
                   w.url AS webhook_url, wd.job_status AS webhook_event, wd.attempts AS webhook_attempts,
                   wd.delivered_at AS webhook_delivered_at, wd.gave_up_at AS webhook_gave_up_at,
                   wd.response_code AS webhook_response_code, wd.last_error AS webhook_error, wd.available_at AS webhook_next_at
            FROM jobs j LEFT JOIN results r ON r.job_id = j.id LEFT JOIN blobs b ON b.id = r.blob_id
            LEFT JOIN job_webhooks w ON w.job_id = j.id
            LEFT JOIN training_runs t ON t.job_id = j.id
            LEFT JOIN LATERAL (SELECT * FROM webhook_deliveries d WHERE d.job_id = w.job_id ORDER BY d.id DESC LIMIT 1) wd ON true
            """;

    /**
     * What a list of jobs is narrowed to: a type, a status, a submitter (a token's name), tags (a
     * job must carry all of them), text its name or notes contain (any case); a null or empty part
     * does not narrow it.
     */
    public record Filter(JobType type, JobStatus status, String submittedBy, List<String> tags, String text) {
        public Filter {
            // as query parameters give them: blank ones dropped, the others trimmed
            tags = tags == null
                    ? List.of()
                    : tags.stream()
                            .filter(t -> t != null && !t.isBlank())
                            .map(String::trim)
                            .toList();
            text = text == null || text.isBlank() ? null : text.trim();
        }

        /** Jobs of a type and/or status. */
        public static Filter of(JobType type, JobStatus status) {
            return new Filter(type, status, null, List.of(), null);
        }

        /**
         * The SQL condition on the tags and the text, for a query over {@code jobs j}; its five
         * parameters are bound by {@link #bindLabels}.
         */
        public static final String LABELS = "(?::text[] IS NULL OR j.tags @> ?::text[])"
                + " AND (?::text IS NULL OR j.name ILIKE ? OR j.notes ILIKE ?)";

        /**
         * Binds the five parameters of {@link #LABELS}, from {@code first} on.
         *
         * @return the index of the next parameter
         */
        public int bindLabels(Connection c, PreparedStatement ps, int first) throws SQLException {
            java.sql.Array array = tags.isEmpty() ? null : c.createArrayOf("text", tags.toArray());
            ps.setArray(first, array);
            ps.setArray(first + 1, array);
            String pattern = pattern();
            ps.setString(first + 2, pattern);
            ps.setString(first + 3, pattern);
            ps.setString(first + 4, pattern);
            return first + 5;
        }

        /** The text as an ILIKE pattern that matches it anywhere, its own % and _ taken literally. */
        String pattern() {
            return text == null
                    ? null
                    : "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        }
    }

    /** A page of jobs, optionally of one type and/or status; the images of a batch upscale are not among them. */
    public Page list(JobType type, JobStatus status, int page, int size) throws SQLException {
        return list(Filter.of(type, status), page, size);
    }

    /** A page of the jobs that pass the filter, newest first; the images of a batch upscale are not among them. */
    public Page list(Filter filter, int page, int size) throws SQLException {
        // batch upscale: the images of a batch are listed under their batch, not here
        String where = " WHERE (?::text IS NULL OR j.type = ?) AND (?::text IS NULL OR j.status = ?)"
                + " AND (?::text IS NULL OR j.submitted_by = ?) AND " + Filter.LABELS + " AND j.batch_id IS NULL";
        List<JobView> items = new ArrayList<>();
        long total;
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps =
                    c.prepareStatement(SELECT + where + " ORDER BY j.created_at DESC, j.id LIMIT ? OFFSET ?")) {
                bindFilter(c, ps, filter);
                ps.setInt(12, size);
                ps.setLong(13, (long) page * size);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        items.add(view(rs));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM jobs j" + where)) {
                bindFilter(c, ps, filter);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    total = rs.getLong(1);
                }
            }
        }
        return new Page(items, page, size, total);
    }

    private static void bindFilter(Connection c, PreparedStatement ps, Filter filter) throws SQLException {
        String t = filter.type() == null ? null : filter.type().name();
        String s = filter.status() == null ? null : filter.status().name();
        ps.setString(1, t);
        ps.setString(2, t);
        ps.setString(3, s);
        ps.setString(4, s);
        ps.setString(5, filter.submittedBy());
        ps.setString(6, filter.submittedBy());
        filter.bindLabels(c, ps, 7);
    }

    /**
     * The tags in use on listed jobs (of a type, or of any when null), with how many jobs carry
     * each, most used first (at most {@code limit}).
     */
    public java.util.Map<String, Long> tags(JobType type, int limit) throws SQLException {
        java.util.Map<String, Long> tags = new java.util.LinkedHashMap<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                        SELECT tag, count(*) FROM jobs, unnest(tags) AS tag
                        WHERE batch_id IS NULL AND (?::text IS NULL OR type = ?)
                        GROUP BY tag ORDER BY count(*) DESC, tag LIMIT ?""")) {
            String t = type == null ? null : type.name();
            ps.setString(1, t);
            ps.setString(2, t);
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tags.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return tags;
    }

    /**
     * What an edit of a job changes, each part null to leave it as it is: {@code notes} "" clears
     * them, {@code tags} empty clears them.
     */
    public record Edit(String name, String notes, List<String> tags) {
        /** Whether the edit changes nothing. */
        public boolean isEmpty() {
            return name == null && notes == null && tags == null;
        }
    }

    /**
     * Changes a job's name, notes and/or tags, whatever its state, and records which in its history.
     */
    public JobView edit(UUID id, Edit edit, String by) throws SQLException {
        inTransaction(id, (c, status) -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE jobs SET name = coalesce(?, name),
                                    notes = CASE WHEN ? THEN nullif(?, '') ELSE notes END,
                                    tags = coalesce(?, tags)
                    WHERE id = ?""")) {
                ps.setString(1, edit.name());
                ps.setBoolean(2, edit.notes() != null);
                ps.setString(3, edit.notes());
                ps.setArray(
                        4,
                        edit.tags() == null
                                ? null
                                : c.createArrayOf("text", edit.tags().toArray()));
                ps.setObject(5, id);
                ps.executeUpdate();
            }
            List<String> changed = new ArrayList<>();
            if (edit.name() != null) {
                changed.add("name");
            }
            if (edit.notes() != null) {
                changed.add("notes");
            }
            if (edit.tags() != null) {
                changed.add("tags");
            }
            String what = changed.size() == 1
                    ? changed.get(0)
                    : String.join(", ", changed.subList(0, changed.size() - 1)) + " and "
                            + changed.get(changed.size() - 1);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO job_events (job_id, kind, status, message) VALUES (?, 'EDIT', ?, ?)")) {
                ps.setObject(1, id);
                ps.setString(2, status.name());
                ps.setString(3, what + " edited" + JobTable.by(by));
                ps.executeUpdate();
            }
        });
        return require(id);
    }

    /** Who has submitted jobs, by name, most recent first (at most {@code limit}): the Jobs page's filter. */
    public List<String> submitters(int limit) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                        SELECT submitted_by FROM jobs WHERE submitted_by IS NOT NULL
                        GROUP BY submitted_by ORDER BY max(created_at) DESC LIMIT ?""")) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        return names;
    }

    /** The job, or empty. */
    public Optional<JobView> find(UUID id) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(SELECT + " WHERE j.id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(view(rs)) : Optional.empty();
            }
        }
    }

    /** The job or a 404 naming it. */
    public JobView require(UUID id) throws SQLException {
        return find(id).orElseThrow(() -> ApiException.notFound("no job " + id));
    }

    /** The job's history, oldest first. */
    public List<JobEvent> events(UUID id) throws SQLException {
        List<JobEvent> events = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT id, at, kind, status, message FROM job_events WHERE job_id = ? ORDER BY id")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    events.add(new JobEvent(
                            rs.getLong(1),
                            rs.getObject(2, OffsetDateTime.class),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getString(5)));
                }
            }
        }
        return events;
    }

    /**
     * Cancels a job: a QUEUED job becomes CANCELLED at once; a RUNNING one is asked to stop at its
     * next safe point (a training job keeps its checkpoints). A finished job cannot be cancelled (409).
     */
    public JobView cancel(UUID id, String by) throws SQLException {
        inTransaction(id, (c, status) -> {
            if (status.isFinal()) {
                throw ApiException.conflict(
                        "the job is already " + status + "; only QUEUED or RUNNING jobs can be cancelled");
            }
            table.cancel(c, id, status, by);
        });
        return require(id);
    }

    /** Queues a FAILED or CANCELLED job again as a fresh set of attempts (a training job resumes from its last checkpoint). */
    public JobView retry(UUID id, String by) throws SQLException {
        inTransaction(id, (c, status) -> {
            if (!JobStateMachine.isAllowed(status, JobStatus.QUEUED) || status == JobStatus.RUNNING) {
                throw ApiException.conflict("the job is " + status + "; only FAILED or CANCELLED jobs can be retried");
            }
            requireInputs(c, id);
            table.retry(c, id, status, by);
        });
        return require(id);
    }

    /**
     * Queues a training run that has ended (SUCCEEDED, FAILED or CANCELLED) again with more steps:
     * new totals for pre-training and/or the GAN phase ({@link TrainingConfig#extendedTo}; null
     * keeps one). It resumes from its newest checkpoint and takes the steps a run submitted with
     * the longer config would have; its curves and checkpoints go on in the same run.
     *
     * @throws ApiException 409 for a job that is not a training run or has not ended, or whose
     *     dataset is gone; 400 naming the field for steps it cannot take
     */
    public JobView extend(UUID id, Integer pretrainSteps, Integer ganSteps, int maxTotalSteps, String by)
            throws SQLException {
        inTransaction(id, (c, status) -> extend(c, id, status, pretrainSteps, ganSteps, maxTotalSteps, by));
        return require(id);
    }

    /**
     * Extends each of {@code ids} (as {@link #extend}: every one a training run that has ended) to
     * the same totals in one transaction: all or nothing. A refusal names the run by {@code
     * describe} ("run 2 of 4 (learningRateG 0.001): ganSteps cannot be lowered ...").
     */
    public int extendEach(
            java.util.Collection<UUID> ids,
            Integer pretrainSteps,
            Integer ganSteps,
            int maxTotalSteps,
            String by,
            java.util.function.Function<UUID, String> describe)
            throws SQLException {
        return eachInTransaction(ids, (c, id, status) -> {
            try {
                extend(c, id, status, pretrainSteps, ganSteps, maxTotalSteps, by);
            } catch (ApiException e) {
                throw new ApiException(e.status(), describe.apply(id) + ": " + e.getMessage(), e.field());
            }
            return true;
        });
    }

    private void extend(
            Connection c,
            UUID id,
            JobStatus status,
            Integer pretrainSteps,
            Integer ganSteps,
            int maxTotalSteps,
            String by)
            throws SQLException {
        String type;
        String configJson;
        long done;
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT j.type, t.config::text, (SELECT max(k.step) FROM checkpoints k WHERE k.job_id = j.id)
                FROM jobs j LEFT JOIN training_runs t ON t.job_id = j.id WHERE j.id = ?""")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                type = rs.getString(1);
                configJson = rs.getString(2);
                done = rs.getLong(3);
            }
        }
        if (!type.equals(JobType.TRAINING.name()) || configJson == null) {
            throw ApiException.conflict(
                    "job " + id + " is " + article(type) + " job; only a training run can be extended");
        }
        if (!status.isFinal()) {
            throw ApiException.conflict("the run is " + status + "; it can be extended once it has ended (cancel"
                    + " it to extend it now: it keeps its checkpoints)");
        }
        requireInputs(c, id);
        TrainingConfig longer;
        try {
            longer = TrainingConfig.fromJson(configJson).extendedTo(pretrainSteps, ganSteps, done);
        } catch (TrainingConfig.InvalidConfigException e) {
            throw ApiException.badRequest(e.field(), e.getMessage());
        }
        if (longer.totalSteps() > maxTotalSteps) {
            throw ApiException.badRequest(
                    ganSteps != null ? "ganSteps" : "pretrainSteps",
                    "pretrainSteps + ganSteps must be at most " + maxTotalSteps);
        }
        try (PreparedStatement ps =
                c.prepareStatement("UPDATE training_runs SET config = ?::jsonb, total_steps = ? WHERE job_id = ?")) {
            ps.setString(1, longer.toJson());
            ps.setInt(2, longer.totalSteps());
            ps.setObject(3, id);
            ps.executeUpdate();
        }
        table.extend(
                c,
                id,
                JobType.TRAINING,
                status,
                longer.toJson(),
                (double) done / longer.totalSteps(),
                "to " + longer.pretrainSteps() + " + " + longer.ganSteps() + " steps",
                by);
    }

    private static String article(String type) {
        return (type.startsWith("U") || type.startsWith("E") ? "an " : "a ") + type;
    }

    /**
     * 409 when the model or dataset a job needs has been deleted since it ran. A training run that
     * started from a model needs it only until it has stored a checkpoint: it resumes from that.
     */
    private static void requireInputs(Connection c, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT j.type, j.model_id, j.dataset_id, t.base_model_name,
                       EXISTS (SELECT 1 FROM checkpoints k WHERE k.job_id = j.id),
                       t.validation_dataset_name, t.validation_dataset_id
                FROM jobs j LEFT JOIN training_runs t ON t.job_id = j.id WHERE j.id = ?""")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return;
                }
                String type = rs.getString(1);
                boolean needsModel = type.equals("UPSCALE") || type.equals("EVALUATE");
                boolean needsDataset = type.equals("TRAINING") || type.equals("EVALUATE");
                if (needsModel && rs.getObject(2) == null) {
                    throw ApiException.conflict("the job's model has been deleted; submit it again with another model");
                }
                if (needsDataset && rs.getObject(3) == null) {
                    throw ApiException.conflict("the job's dataset has been deleted; it cannot run again");
                }
                String baseModel = rs.getString(4);
                if (baseModel != null && rs.getObject(2) == null && !rs.getBoolean(5)) {
                    throw ApiException.conflict(BaseModel.deleted(baseModel));
                }
                String validation = rs.getString(6);
                if (validation != null && rs.getObject(7) == null) {
                    throw ApiException.conflict(
                            "the run's validation dataset '" + validation + "' has been deleted; it cannot run again");
                }
            }
        }
    }

    /**
     * Cancels each of {@code ids} that is QUEUED or RUNNING (as {@link #cancel}) in one
     * transaction, skipping the finished ones; returns how many it cancelled or asked to stop.
     */
    public int cancelEach(java.util.Collection<UUID> ids, String by) throws SQLException {
        return eachInTransaction(ids, (c, id, status) -> {
            if (status.isFinal()) {
                return false;
            }
            table.cancel(c, id, status, by);
            return true;
        });
    }

    /**
     * Queues each of {@code ids} that FAILED or was CANCELLED again (as {@link #retry}) in one
     * transaction, skipping the others; returns how many it queued.
     */
    public int retryEach(java.util.Collection<UUID> ids, String by) throws SQLException {
        return eachInTransaction(ids, (c, id, status) -> {
            if (status != JobStatus.FAILED && status != JobStatus.CANCELLED) {
                return false;
            }
            table.retry(c, id, status, by);
            return true;
        });
    }

    private interface EachChange {
        boolean apply(Connection c, UUID id, JobStatus current) throws SQLException;
    }

    /** Locks the jobs in id order (so two such calls cannot deadlock) and applies the change to each; all or nothing. */
    private int eachInTransaction(java.util.Collection<UUID> ids, EachChange change) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                int changed = 0;
                for (UUID id : new java.util.TreeSet<>(ids)) {
                    Optional<JobStatus> status = table.lockStatus(c, id);
                    if (status.isPresent() && change.apply(c, id, status.get())) {
                        changed++;
                    }
                }
                c.commit();
                return changed;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private interface Change {
        void apply(Connection c, JobStatus current) throws SQLException;
    }

    /** Runs a change on the job's row, locked with its current state; 404 when there is no such job. */
    private void inTransaction(UUID id, Change change) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                JobStatus status = table.lockStatus(c, id).orElseThrow(() -> ApiException.notFound("no job " + id));
                change.apply(c, status);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** How many jobs there are of each type in each state: {@code counts.get("UPSCALE").get("QUEUED")}. */
    public java.util.Map<String, java.util.Map<String, Long>> countsByTypeAndStatus() throws SQLException {
        java.util.Map<String, java.util.Map<String, Long>> counts = new java.util.LinkedHashMap<>();
        for (JobType type : JobType.values()) {
            java.util.Map<String, Long> byStatus = new java.util.LinkedHashMap<>();
            for (JobStatus status : JobStatus.values()) {
                byStatus.put(status.name(), 0L);
            }
            counts.put(type.name(), byStatus);
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("SELECT type, status, count(*) FROM jobs GROUP BY type, status");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                counts.get(rs.getString(1)).put(rs.getString(2), rs.getLong(3));
            }
        }
        return counts;
    }

    /** How many jobs reached a final state in the last {@code window}. */
    public long finishedWithin(java.time.Duration window) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT count(*) FROM jobs WHERE finished_at > now() - make_interval(secs => ?)")) {
            ps.setDouble(1, window.toMillis() / 1000.0);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The blob of a job's uploaded input (an upscale's image), or empty when it has none. */
    public Optional<UUID> inputBlobId(UUID id) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT input_blob_id FROM jobs WHERE id = ? AND input_blob_id IS NOT NULL")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getObject(1, UUID.class)) : Optional.empty();
            }
        }
    }

    private static JobView view(ResultSet rs) throws SQLException {
        UUID id = rs.getObject("id", UUID.class);
        JobView.ResultView result = null;
        if (rs.getObject("width") != null) {
            result = new JobView.ResultView(
                    rs.getInt("width"),
                    rs.getInt("height"),
                    rs.getString("content_type"),
                    (Long) rs.getObject("model_ms"),
                    (Long) rs.getObject("total_ms"),
                    rs.getLong("result_size"),
                    "/api/jobs/" + id + "/result");
        }
        return new JobView(
                id,
                rs.getString("type"),
                rs.getString("status"),
                rs.getString("name"),
                List.of((String[]) rs.getArray("tags").getArray()),
                rs.getString("notes"),
                rs.getString("submitted_by"),
                rs.getString("params"),
                rs.getString("input_name"),
                rs.getObject("model_id", UUID.class),
                rs.getObject("dataset_id", UUID.class),
                rs.getString("base_model_name") == null
                        ? null
                        : new JobView.BaseModelView(
                                rs.getObject("base_model_id", UUID.class), rs.getString("base_model_name")),
                rs.getString("validation_dataset_name") == null
                        ? null
                        : new JobView.ValidationDatasetView(
                                rs.getObject("validation_dataset_id", UUID.class),
                                rs.getString("validation_dataset_name")),
                rs.getInt("attempts"),
                rs.getInt("max_attempts"),
                rs.getString("worker_id"),
                rs.getDouble("progress"),
                rs.getString("progress_message"),
                rs.getBoolean("cancel_requested"),
                rs.getString("error"),
                rs.getObject("created_at", OffsetDateTime.class),
                rs.getObject("started_at", OffsetDateTime.class),
                rs.getObject("finished_at", OffsetDateTime.class),
                result,
                webhook(rs),
                null);
    }

    private static JobView.WebhookView webhook(ResultSet rs) throws SQLException {
        String url = rs.getString("webhook_url");
        if (url == null) {
            return null;
        }
        String event = rs.getString("webhook_event");
        OffsetDateTime delivered = rs.getObject("webhook_delivered_at", OffsetDateTime.class);
        OffsetDateTime gaveUp = rs.getObject("webhook_gave_up_at", OffsetDateTime.class);
        String state =
                event == null ? "WAITING" : delivered != null ? "DELIVERED" : gaveUp != null ? "GAVE_UP" : "PENDING";
        return new JobView.WebhookView(
                url,
                state,
                event,
                event == null ? 0 : rs.getInt("webhook_attempts"),
                delivered,
                (Integer) rs.getObject("webhook_response_code"),
                rs.getString("webhook_error"),
                state.equals("PENDING") ? rs.getObject("webhook_next_at", OffsetDateTime.class) : null);
    }

    /** A stored upscale result: its blob, type and size. */
    public record Result(UUID blobId, String contentType, long sizeBytes) {}

    /** The job's result; empty unless the job SUCCEEDED (the worker writes both in one transaction). */
    public Optional<Result> result(UUID id) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT r.blob_id, r.content_type, b.size_bytes FROM results r JOIN blobs b ON b.id = r.blob_id "
                                + "JOIN jobs j ON j.id = r.job_id WHERE r.job_id = ? AND j.status = 'SUCCEEDED'")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? Optional.of(new Result(rs.getObject(1, UUID.class), rs.getString(2), rs.getLong(3)))
                        : Optional.empty();
            }
        }
    }
}
