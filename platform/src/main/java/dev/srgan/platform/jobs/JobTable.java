package dev.srgan.platform.jobs;

import dev.srgan.domain.jobs.IllegalJobTransitionException;
import dev.srgan.domain.jobs.JobMessage;
import dev.srgan.domain.jobs.JobStateMachine;
import dev.srgan.domain.jobs.JobStatus;
import dev.srgan.domain.jobs.JobType;
import dev.srgan.platform.KafkaSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The one gateway for the {@code jobs} table's state: the api (submission, cancel, retry, the
 * lease reaper) and the worker (claim, outcome, hand-back, progress, lease renewal) change a job
 * only through these methods.
 *
 * <ul>
 *   <li>Every state change is guarded in its own SQL by the states {@link JobStateMachine} allows
 *       it from ({@code WHERE status IN (...)}), so a concurrent change can never slip past.
 *   <li>Every write of an attempt (its outcome, hand-back, progress, lease renewal) also carries
 *       the attempt's fencing token ({@link JobLease}: the lease epoch its claim took) and applies
 *       only while that token holds. A refused write changes nothing and returns false or empty;
 *       the caller counts and logs it.
 *   <li>A state change writes its {@code job_events} row, and one that queues a job its outbox
 *       record, in the same transaction.
 * </ul>
 *
 * <p>Methods that take a {@link Connection} work on the caller's transaction (the caller commits,
 * so its other writes, a result or a worker's counters, commit or roll back with the change).
 */
@ApplicationScoped
public class JobTable {

    /** What a submission creates. */
    public record NewJob(
            JobType type,
            String name,
            String paramsJson,
            UUID inputBlobId,
            String inputName,
            UUID modelId,
            UUID datasetId,
            String submittedBy) {}

    /** What {@link #cancel} did. */
    public enum Cancel {
        /** The job was QUEUED and is CANCELLED now. */
        CANCELLED,
        /** The job is RUNNING; its attempt stops at its next step. */
        REQUESTED
    }

    @Inject
    DataSource dataSource;

    @Inject
    KafkaSettings kafka;

    // ------------------------------------------------------------------ submission and user actions

    /** Inserts a QUEUED job, its first event and its outbox record (the caller commits). */
    public UUID insert(Connection c, NewJob job) throws SQLException {
        return insert(c, job, null, null);
    }

    /**
     * Inserts image {@code index} of the batch {@code batchId} as a QUEUED UPSCALE job with its own
     * outbox record, so each image of a batch is its own unit of work (the caller commits, with
     * the batch's {@link #insertBatch}).
     */
    public UUID insertImage(Connection c, NewJob job, UUID batchId, int index) throws SQLException {
        if (job.type() != JobType.UPSCALE) {
            throw new IllegalArgumentException("a batch's images are UPSCALE jobs, not " + job.type());
        }
        return insert(c, job, batchId, index);
    }

    private UUID insert(Connection c, NewJob job, UUID batchId, Integer batchIndex) throws SQLException {
        UUID id = UUID.randomUUID();
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO jobs (id, type, status, name, params, input_blob_id, input_name, model_id, dataset_id, batch_id, batch_index,
                                  submitted_by)
                VALUES (?, ?, 'QUEUED', ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?)""")) {
            ps.setObject(1, id);
            ps.setString(2, job.type().name());
            ps.setString(3, job.name());
            ps.setString(4, job.paramsJson() == null ? "{}" : job.paramsJson());
            ps.setObject(5, job.inputBlobId());
            ps.setString(6, job.inputName());
            ps.setObject(7, job.modelId());
            ps.setObject(8, job.datasetId());
            ps.setObject(9, batchId);
            if (batchIndex == null) {
                ps.setNull(10, java.sql.Types.INTEGER);
            } else {
                ps.setInt(10, batchIndex);
            }
            ps.setString(11, job.submittedBy());
            ps.executeUpdate();
        }
        event(c, id, JobStatus.QUEUED.name(), "submitted" + by(job.submittedBy()));
        enqueue(c, id, job.type(), 1, Duration.ZERO);
        return id;
    }

    /** The job's state, row-locked until the caller's transaction ends; empty when there is no such job. */
    public Optional<JobStatus> lockStatus(Connection c, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT status FROM jobs WHERE id = ? FOR UPDATE")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(JobStatus.valueOf(rs.getString(1))) : Optional.empty();
            }
        }
    }

    /**
     * Cancels a job (the caller commits): a QUEUED one at once, a RUNNING one at its attempt's next
     * step (the attempt, or the hand-back or reaper that ends it, sees {@code cancel_requested}).
     *
     * @throws IllegalJobTransitionException when the job has already finished
     */
    public Cancel cancel(Connection c, UUID id, JobStatus current, String by) throws SQLException {
        if (current == JobStatus.RUNNING) {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE jobs SET cancel_requested = true, updated_at = now() WHERE id = ? AND status = 'RUNNING'")) {
                ps.setObject(1, id);
                ps.executeUpdate();
            }
            event(c, id, JobStatus.RUNNING.name(), "cancel requested" + by(by) + "; the job stops at its next step");
            return Cancel.REQUESTED;
        }
        transition(c, id, current, JobStatus.CANCELLED, "cancel_requested = true, finished_at = now()");
        event(c, id, JobStatus.CANCELLED.name(), "cancelled" + by(by) + " while queued");
        return Cancel.CANCELLED;
    }

    /**
     * Queues a FAILED or CANCELLED job again as a fresh set of attempts (the caller commits).
     *
     * @throws IllegalJobTransitionException when the job is not FAILED or CANCELLED
     */
    public void retry(Connection c, UUID id, JobStatus current, String by) throws SQLException {
        if (!current.isFinal()) {
            throw new IllegalJobTransitionException(
                    current, JobStatus.QUEUED); // a RUNNING job is retried by its own attempts
        }
        JobType type = JobType.valueOf(transition(c, id, current, JobStatus.QUEUED, """
                attempts = 0, error = NULL, cancel_requested = false, worker_id = NULL, finished_at = NULL,
                progress = 0, progress_message = NULL"""));
        event(c, id, JobStatus.QUEUED.name(), "retried" + by(by));
        enqueue(c, id, type, 1, Duration.ZERO);
    }

    /**
     * Queues a training run that has ended again under {@code paramsJson}, its config with more
     * steps ({@link JobStateMachine#isExtensionAllowed}), as a fresh set of attempts that resumes
     * from its last checkpoint; its progress becomes the share of the new total it has done.
     */
    public void extend(
            Connection c,
            UUID id,
            JobType type,
            JobStatus current,
            String paramsJson,
            double progress,
            String change,
            String by)
            throws SQLException {
        if (!JobStateMachine.isExtensionAllowed(type, current)) {
            throw new IllegalJobTransitionException(current, JobStatus.QUEUED);
        }
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE jobs SET status = 'QUEUED', params = ?::jsonb, attempts = 0, error = NULL, cancel_requested = false,
                       worker_id = NULL, finished_at = NULL, progress = ?, progress_message = NULL, updated_at = now()
                WHERE id = ? AND type = ? AND status = ?""")) {
            ps.setString(1, paramsJson);
            ps.setDouble(2, progress);
            ps.setObject(3, id);
            ps.setString(4, type.name());
            ps.setString(5, current.name());
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("job " + id + " is no longer " + current + "; it cannot be extended");
            }
        }
        event(c, id, JobStatus.QUEUED.name(), "extended " + change + by(by));
        enqueue(c, id, type, 1, Duration.ZERO);
    }

    // ------------------------------------------------------------------ batches

    /**
     * Inserts a QUEUED BATCH job of {@code count} images with its first event and its counts row
     * (the caller commits, with its images from {@link #insertImage}). A batch never travels on
     * Kafka: its images do. Its state then follows from theirs: the {@code jobs_batch_rollup}
     * trigger (migrations V8) moves it, in the transaction of each image's change, only along
     * the transitions {@link JobStateMachine} allows, so every path that changes an image (this
     * class's methods, nothing else writes job states) keeps its batch right.
     */
    public UUID insertBatch(
            Connection c, String name, String inputName, String paramsJson, UUID modelId, int count, String submittedBy)
            throws SQLException {
        UUID id = UUID.randomUUID();
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO jobs (id, type, status, name, params, input_name, model_id, submitted_by)
                VALUES (?, 'BATCH', 'QUEUED', ?, ?::jsonb, ?, ?, ?)""")) {
            ps.setObject(1, id);
            ps.setString(2, name);
            ps.setString(3, paramsJson);
            ps.setString(4, inputName);
            ps.setObject(5, modelId);
            ps.setString(6, submittedBy);
            ps.executeUpdate();
        }
        event(
                c,
                id,
                JobStatus.QUEUED.name(),
                "submitted" + by(submittedBy) + ": " + count + (count == 1 ? " image" : " images"));
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO batches (job_id, image_count) VALUES (?, ?)")) {
            ps.setObject(1, id);
            ps.setInt(2, count);
            ps.executeUpdate();
        }
        return id;
    }

    /**
     * Cancels a batch that has not ended (the caller holds the locks of its images and its own
     * row, and commits): its QUEUED images are CANCELLED at once, its RUNNING ones are asked to
     * stop at their next tile batch; the roll-up ends the batch when its last image has.
     */
    public void cancelBatch(Connection c, UUID id, JobStatus current, String by) throws SQLException {
        JobStateMachine.requireAllowed(current, JobStatus.CANCELLED);
        JobStateMachine.requireAllowed(JobStatus.QUEUED, JobStatus.CANCELLED);
        try (PreparedStatement ps =
                c.prepareStatement("UPDATE jobs SET cancel_requested = true, updated_at = now() WHERE id = ?")) {
            ps.setObject(1, id);
            ps.executeUpdate();
        }
        event(
                c,
                id,
                current.name(),
                "cancel requested" + by(by)
                        + ": its queued images are cancelled, its running ones stop at their next step");
        for (UUID image : ids(c, """
                UPDATE jobs SET status = 'CANCELLED', cancel_requested = true, finished_at = now(), updated_at = now()
                WHERE batch_id = ? AND status = 'QUEUED' RETURNING id""", id)) {
            event(c, image, JobStatus.CANCELLED.name(), "cancelled with its batch while queued");
        }
        for (UUID image : ids(c, """
                UPDATE jobs SET cancel_requested = true, updated_at = now()
                WHERE batch_id = ? AND status = 'RUNNING' RETURNING id""", id)) {
            event(
                    c,
                    image,
                    JobStatus.RUNNING.name(),
                    "cancel requested with its batch; the job stops at its next step");
        }
    }

    /**
     * Retries a FAILED or CANCELLED batch (the caller holds the locks and commits): the batch is
     * QUEUED again and its failed and cancelled images are queued with fresh attempts, each with
     * a new message; its succeeded images keep their results. Returns how many images it queued.
     */
    public int retryBatch(Connection c, UUID id, JobStatus current, String by) throws SQLException {
        if (!current.isFinal()) {
            throw new IllegalJobTransitionException(current, JobStatus.QUEUED);
        }
        JobStateMachine.requireAllowed(current, JobStatus.QUEUED);
        JobStateMachine.requireAllowed(JobStatus.FAILED, JobStatus.QUEUED);
        JobStateMachine.requireAllowed(JobStatus.CANCELLED, JobStatus.QUEUED);
        transition(c, id, current, JobStatus.QUEUED, "error = NULL, cancel_requested = false, finished_at = NULL");
        List<UUID> again = ids(c, """
                UPDATE jobs SET status = 'QUEUED', attempts = 0, error = NULL, cancel_requested = false, worker_id = NULL,
                       finished_at = NULL, progress = 0, progress_message = NULL, updated_at = now()
                WHERE batch_id = ? AND status IN ('FAILED', 'CANCELLED') RETURNING id""", id);
        event(
                c,
                id,
                JobStatus.QUEUED.name(),
                "retried" + by(by) + ": " + again.size() + (again.size() == 1 ? " image" : " images")
                        + " queued again");
        for (UUID image : again) {
            event(c, image, JobStatus.QUEUED.name(), "retried with its batch");
            enqueue(c, image, JobType.UPSCALE, 1, Duration.ZERO);
        }
        return again.size();
    }

    private static List<UUID> ids(Connection c, String sql, UUID batchId) throws SQLException {
        List<UUID> ids = new java.util.ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, batchId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getObject(1, UUID.class));
                }
            }
        }
        return ids;
    }

    // ------------------------------------------------------------------ the worker's attempt

    /**
     * Claims a QUEUED job that no one asked to cancel for {@code workerId}: RUNNING under a new
     * lease epoch (the attempt's fencing token), with its RUNNING event and the worker's current
     * job, in one statement. Empty when the job is not QUEUED any more.
     */
    public Optional<ClaimedJob> claim(UUID jobId, String workerId, Duration lease) throws SQLException {
        JobStateMachine.requireAllowed(JobStatus.QUEUED, JobStatus.RUNNING);
        String sql = """
                WITH claimed AS (
                    UPDATE jobs SET status = 'RUNNING', worker_id = ?, attempts = attempts + 1, lease_epoch = lease_epoch + 1,
                           lease_expires_at = now() + make_interval(secs => ?), started_at = coalesce(started_at, now()),
                           progress = 0, progress_message = NULL, error = NULL, updated_at = now()
                    WHERE id = ? AND status = 'QUEUED' AND NOT cancel_requested
                    RETURNING id, type, attempts, max_attempts, params::text, input_blob_id, model_id, dataset_id, lease_epoch),
                event AS (
                    INSERT INTO job_events (job_id, kind, status, message)
                    SELECT id, 'STATUS', 'RUNNING', 'attempt ' || attempts || ' on ' || ? FROM claimed),
                worker AS (
                    UPDATE workers SET current_job_id = (SELECT id FROM claimed), last_heartbeat = now()
                    WHERE id = ? AND EXISTS (SELECT 1 FROM claimed))
                SELECT * FROM claimed""";
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, workerId);
            ps.setDouble(2, seconds(lease));
            ps.setObject(3, jobId);
            ps.setString(4, workerId);
            ps.setString(5, workerId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new ClaimedJob(
                        rs.getObject(1, UUID.class),
                        JobType.valueOf(rs.getString(2)),
                        rs.getInt(3),
                        rs.getInt(4),
                        rs.getString(5),
                        rs.getObject(6, UUID.class),
                        rs.getObject(7, UUID.class),
                        rs.getObject(8, UUID.class),
                        rs.getLong(9)));
            }
        }
    }

    /**
     * Ends an attempt's job as {@code status} (SUCCEEDED, FAILED or CANCELLED) with its event, fenced
     * by the attempt's lease (the caller commits, with the result of a success in the same
     * transaction). Returns false, having changed nothing, when the job was taken from the attempt.
     */
    public boolean finish(Connection c, JobLease lease, JobStatus status, String error) throws SQLException {
        JobStateMachine.requireAllowed(JobStatus.RUNNING, status);
        if (!status.isFinal()) {
            throw new IllegalJobTransitionException(JobStatus.RUNNING, status);
        }
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE jobs SET status = ?, error = ?, finished_at = now(), lease_expires_at = NULL, updated_at = now(),
                       progress = CASE WHEN ? THEN 1 ELSE progress END
                WHERE id = ? AND status = 'RUNNING' AND lease_epoch = ?""")) {
            ps.setString(1, status.name());
            ps.setString(2, error);
            ps.setBoolean(3, status == JobStatus.SUCCEEDED);
            ps.setObject(4, lease.jobId());
            ps.setLong(5, lease.epoch());
            if (ps.executeUpdate() != 1) {
                return false;
            }
        }
        event(c, lease.jobId(), status.name(), error);
        return true;
    }

    /**
     * Hands an attempt's job back, fenced by its lease (the caller commits): QUEUED with a new
     * message after {@code delay}, or CANCELLED when a cancel was requested meanwhile (the claim
     * skips cancel-requested jobs, so a queued one would wait forever). {@code refundAttempt} does
     * not count the attempt (a worker that stopped, not a failure). Returns the job's new state, or
     * empty, having changed nothing, when the job was taken from the attempt.
     */
    public Optional<JobStatus> handBack(
            Connection c, ClaimedJob job, String reason, Duration delay, boolean refundAttempt) throws SQLException {
        JobStateMachine.requireAllowed(JobStatus.RUNNING, JobStatus.QUEUED);
        JobStateMachine.requireAllowed(JobStatus.RUNNING, JobStatus.CANCELLED);
        JobStatus status;
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE jobs SET status = CASE WHEN cancel_requested THEN 'CANCELLED' ELSE 'QUEUED' END,
                       finished_at = CASE WHEN cancel_requested THEN now() ELSE NULL END,
                       worker_id = NULL, lease_expires_at = NULL, updated_at = now(),
                       attempts = attempts - ?, error = CASE WHEN cancel_requested THEN NULL ELSE ? END
                WHERE id = ? AND status = 'RUNNING' AND lease_epoch = ?
                RETURNING status""")) {
            ps.setInt(1, refundAttempt ? 1 : 0);
            ps.setString(2, refundAttempt ? null : reason);
            ps.setObject(3, job.id());
            ps.setLong(4, job.epoch());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                status = JobStatus.valueOf(rs.getString(1));
            }
        }
        if (status == JobStatus.CANCELLED) {
            event(
                    c,
                    job.id(),
                    status.name(),
                    "cancelled by the user while attempt " + job.attempt() + " ended (" + reason + ")");
        } else {
            event(c, job.id(), status.name(), reason);
            enqueue(c, job.id(), job.type(), job.attempt() + 1, delay);
        }
        return Optional.of(status);
    }

    /** Records an attempt's progress, fenced by its lease; false when the job was taken from it. */
    public boolean progress(JobLease lease, double fraction, String message) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "UPDATE jobs SET progress = ?, progress_message = ?, updated_at = now() WHERE id = ? AND lease_epoch = ? AND status = 'RUNNING'")) {
            ps.setDouble(1, Math.max(0, Math.min(1, fraction)));
            ps.setString(2, message);
            ps.setObject(3, lease.jobId());
            ps.setLong(4, lease.epoch());
            return ps.executeUpdate() == 1;
        }
    }

    /** Whether a cancel of the job was requested. */
    public boolean cancelRequested(UUID id) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT cancel_requested FROM jobs WHERE id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /**
     * Pushes each lease's expiry forward, but only while its job is still RUNNING under that
     * lease's epoch (on the caller's connection); returns the jobs whose lease was renewed. A job
     * missing from the answer was taken from its attempt.
     */
    public Set<UUID> renewLeases(Connection c, List<JobLease> leases, Duration lease) throws SQLException {
        UUID[] ids = new UUID[leases.size()];
        Long[] epochs = new Long[leases.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = leases.get(i).jobId();
            epochs[i] = leases.get(i).epoch();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE jobs SET lease_expires_at = now() + make_interval(secs => ?)
                FROM unnest(?::uuid[], ?::bigint[]) AS held(id, epoch)
                WHERE jobs.id = held.id AND jobs.lease_epoch = held.epoch AND jobs.status = 'RUNNING'
                RETURNING jobs.id""")) {
            ps.setDouble(1, seconds(lease));
            ps.setArray(2, c.createArrayOf("uuid", ids));
            ps.setArray(3, c.createArrayOf("bigint", epochs));
            Set<UUID> renewed = new HashSet<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    renewed.add(rs.getObject(1, UUID.class));
                }
            }
            return renewed;
        }
    }

    // ------------------------------------------------------------------ the lease reaper

    private record Expired(
            UUID id, JobType type, int attempts, int maxAttempts, boolean cancelRequested, String workerId) {}

    /**
     * Ends every expired lease (up to 100 per call) in one transaction: the job is queued again,
     * FAILED on its last attempt, or CANCELLED when a cancel was requested. Returns how many jobs it
     * changed.
     */
    public int reapExpired() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<Expired> expired = new java.util.ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("""
                        SELECT id, type, attempts, max_attempts, cancel_requested, worker_id FROM jobs
                        WHERE status = 'RUNNING' AND lease_expires_at < now()
                        ORDER BY lease_expires_at LIMIT 100 FOR UPDATE SKIP LOCKED""");
                        ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        expired.add(new Expired(
                                rs.getObject(1, UUID.class),
                                JobType.valueOf(rs.getString(2)),
                                rs.getInt(3),
                                rs.getInt(4),
                                rs.getBoolean(5),
                                rs.getString(6)));
                    }
                }
                for (Expired job : expired) {
                    JobStatus target = job.cancelRequested()
                            ? JobStatus.CANCELLED
                            : job.attempts() >= job.maxAttempts() ? JobStatus.FAILED : JobStatus.QUEUED;
                    JobStateMachine.requireAllowed(JobStatus.RUNNING, target);
                    String why = "worker " + job.workerId() + " stopped heartbeating";
                    try (PreparedStatement ps = c.prepareStatement("""
                            UPDATE jobs SET status = ?, worker_id = NULL, lease_expires_at = NULL, updated_at = now(),
                                   finished_at = CASE WHEN ? THEN now() ELSE NULL END, error = ?
                            WHERE id = ? AND status = 'RUNNING'""")) {
                        ps.setString(1, target.name());
                        ps.setBoolean(2, target.isFinal());
                        ps.setString(
                                3,
                                target == JobStatus.FAILED
                                        ? why + " on the last of " + job.maxAttempts() + " attempts"
                                        : null);
                        ps.setObject(4, job.id());
                        ps.executeUpdate();
                    }
                    event(c, job.id(), target.name(), why + (target == JobStatus.QUEUED ? "; queued again" : ""));
                    if (target == JobStatus.QUEUED) {
                        enqueue(c, job.id(), job.type(), job.attempts() + 1, Duration.ZERO);
                    }
                }
                c.commit();
                return expired.size();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    // ------------------------------------------------------------------ shared steps

    /**
     * Adds the Kafka message of a job's attempt to the outbox, due after {@code delay}; the relay
     * publishes it after commit. An image of a batch goes on the bulk topic, so that single
     * upscales are taken first ({@link KafkaSettings#topic(JobType, boolean)}).
     */
    public void enqueue(Connection c, UUID id, JobType type, int attempt, Duration delay) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO outbox (topic, message_key, payload, available_at)
                SELECT CASE WHEN j.batch_id IS NULL THEN ? ELSE ? END, ?, ?, now() + make_interval(secs => ?)
                FROM jobs j WHERE j.id = ?""")) {
            ps.setString(1, kafka.topic(type, false));
            ps.setString(2, kafka.topic(type, true));
            ps.setString(3, id.toString());
            ps.setString(4, new JobMessage(id, type, attempt).toJson());
            ps.setDouble(5, seconds(delay));
            ps.setObject(6, id);
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("no job " + id + " to queue");
            }
        }
    }

    /** " by NAME" for a history entry, or nothing when nobody is named. */
    public static String by(String who) {
        return who == null || who.isBlank() ? "" : " by " + who;
    }

    /** A status entry of the job's history ({@code job_events}). */
    public static void event(Connection c, UUID jobId, String status, String message) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO job_events (job_id, kind, status, message) VALUES (?, 'STATUS', ?, ?)")) {
            ps.setObject(1, jobId);
            ps.setString(2, status);
            ps.setString(3, message);
            ps.executeUpdate();
        }
    }

    /**
     * Moves a job from {@code from} (which the caller read under a row lock) to {@code target},
     * setting {@code assignments} too; returns the job's type. The state machine must allow the
     * change, and the statement repeats the guard, so a concurrent change fails it loudly.
     *
     * @throws IllegalJobTransitionException when the state machine forbids the change
     */
    private static String transition(Connection c, UUID id, JobStatus from, JobStatus target, String assignments)
            throws SQLException {
        JobStateMachine.requireAllowed(from, target);
        try (PreparedStatement ps = c.prepareStatement("UPDATE jobs SET status = ?, " + assignments
                + ", updated_at = now() WHERE id = ? AND status = ? RETURNING type")) {
            ps.setString(1, target.name());
            ps.setObject(2, id);
            ps.setString(3, from.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException(
                            "job " + id + " is no longer " + from + "; it cannot move to " + target);
                }
                return rs.getString(1);
            }
        }
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }
}
