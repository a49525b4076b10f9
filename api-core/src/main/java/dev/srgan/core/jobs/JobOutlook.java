package dev.srgan.core.jobs;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.srgan.networks.training.Phase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * When a job will start and end, as far as the cluster can tell: for a queued job, the jobs of its
 * queue submitted before it and the workers that take its type; for a running one, the time it
 * still needs. A training run's estimate comes from the time its recent steps took (the median of
 * the last {@value #RECENT_STEPS} of its current phase), others' from their progress so far.
 */
@ApplicationScoped
public class JobOutlook {
    /** Steps whose time estimates a run's pace. */
    static final int RECENT_STEPS = 50;

    /** A job's progress below this says too little about the time it needs. */
    static final double LEAST_PROGRESS = 0.02;

    /** Matches the workers page: a worker silent this long is not counted. */
    static final int ONLINE_WITHIN_SECONDS = 30;

    @Inject
    DataSource dataSource;

    @Inject
    JobStore jobs;

    /**
     * What GET /api/jobs/{id} adds to a queued or running job.
     *
     * @param queuedAhead jobs of its queue, still queued, that workers take before it
     * @param workers workers online that take its type
     * @param workersBusy of those, the ones running a job now
     * @param startsIn seconds until a worker is free for it, when that can be told
     * @param secondsPerStep a training run's recent time per step, in its current phase
     * @param phaseSecondsLeft a training run's time to the end of its current phase
     * @param secondsLeft time to the end; absent while it cannot be told (a training run whose GAN
     *     phase has not started, a job just started)
     * @param expectedEnd now plus secondsLeft
     */
    @Schema(
            name = "JobOutlook",
            description = "when a queued job may start and a running one end, from the queue and its pace so far")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Outlook(
            @Schema(description = "QUEUED: jobs of its queue, still queued, that the workers take before it")
            Integer queuedAhead,

            @Schema(description = "QUEUED: workers online that take its type; 0 means it waits for one to start")
            Integer workers,

            @Schema(description = "QUEUED: of those workers, the ones running a job now")
            Integer workersBusy,

            @Schema(
                    description = "QUEUED: seconds until a worker is free for it (0: one is free now), from the time"
                            + " the jobs on busy workers still need; absent when more jobs are ahead than workers, or"
                            + " a job it waits for has no estimate")
            Long startsIn,

            @Schema(description = "a running training run: the median time of its recent steps, in its current phase")
            Double secondsPerStep,

            @Schema(description = "a running training run: the time to the end of its current phase")
            Long phaseSecondsLeft,

            @Schema(
                    description = "RUNNING: the estimated time to its end; absent while it cannot be told yet (a"
                            + " run whose GAN phase has not started, a job that has only just begun)")
            Long secondsLeft,

            OffsetDateTime expectedEnd) {}

    /** The job with its outlook, or as it is when it is neither queued nor running. */
    public JobView attach(JobView job) throws SQLException {
        Outlook outlook = switch (job.status()) {
            case "QUEUED" -> queued(job);
            case "RUNNING" -> job.type().equals("TRAINING") ? training(job) : fromProgress(job);
            default -> null;
        };
        return outlook == null ? job : job.withOutlook(outlook);
    }

    private Outlook queued(JobView job) throws SQLException {
        // A batch is queued on its images; a worker takes any single upscale before the next
        // image of a batch (the bulk topic), and the images of batches in the order they came.
        String type = job.type().equals("BATCH") ? "UPSCALE" : job.type();
        int ahead;
        int workers;
        int busy;
        UUID[] running;
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                     WITH me AS (SELECT j.created_at, j.batch_id, coalesce(j.batch_index, -1) AS batch_index,
                                        j.type = 'BATCH' OR j.batch_id IS NOT NULL AS bulk
                                 FROM jobs j WHERE j.id = ?)
                     SELECT (SELECT count(*) FROM jobs q, me
                             WHERE q.status = 'QUEUED' AND q.type = ? AND q.id <> ?
                               AND CASE WHEN q.batch_id IS NULL AND NOT me.bulk THEN q.created_at <= me.created_at
                                        WHEN q.batch_id IS NULL THEN true
                                        WHEN NOT me.bulk THEN false
                                        ELSE (q.created_at, q.batch_index) < (me.created_at, me.batch_index) END),
                            count(w.id),
                            count(w.current_job_id),
                            coalesce(array_remove(array_agg(w.current_job_id), NULL), '{}'::uuid[])
                     FROM workers w
                     WHERE w.stopped_at IS NULL AND w.last_heartbeat >= now() - make_interval(secs => ?)
                       AND ? = ANY (string_to_array(w.job_types, ','))""")) {
            ps.setObject(1, job.id());
            ps.setString(2, type);
            ps.setObject(3, job.id());
            ps.setInt(4, ONLINE_WITHIN_SECONDS);
            ps.setString(5, type);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                ahead = rs.getInt(1);
                workers = rs.getInt(2);
                busy = rs.getInt(3);
                running = (UUID[]) rs.getArray(4).getArray();
            }
        }
        // the busy workers' jobs are looked at with the query's connection given back
        return new Outlook(ahead, workers, busy, startsIn(ahead, workers, running), null, null, null, null);
    }

    /**
     * When a job with {@code ahead} jobs before it may start: the jobs ahead take the workers in
     * the order they free up (a free one at once, a busy one when its job ends, by that job's own
     * estimate), and this job the next. Unknown (null) when more jobs are ahead than workers take
     * the type (their own durations would decide), or when a job it waits for has no estimate.
     */
    private Long startsIn(int ahead, int workers, UUID[] running) throws SQLException {
        if (ahead >= workers) {
            return null;
        }
        List<Long> frees = new ArrayList<>();
        for (int i = running.length; i < workers; i++) {
            frees.add(0L);
        }
        for (UUID id : running) {
            Optional<JobView> busy = jobs.find(id);
            Outlook o = busy.isPresent() && busy.get().status().equals("RUNNING")
                    ? attach(busy.get()).outlook()
                    : null;
            frees.add(o == null || o.secondsLeft() == null ? Long.MAX_VALUE : o.secondsLeft());
        }
        java.util.Collections.sort(frees);
        long at = frees.get(ahead);
        return at == Long.MAX_VALUE ? null : at;
    }

    private Outlook training(JobView job) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                     WITH latest AS (SELECT phase FROM loss_points WHERE job_id = ? ORDER BY step DESC LIMIT 1)
                     SELECT t.current_step, (t.config ->> 'pretrainSteps')::int, (t.config ->> 'ganSteps')::int,
                            latest.phase,
                            (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY r.seconds_per_step)
                             FROM (SELECT p.seconds_per_step FROM loss_points p
                                   WHERE p.job_id = t.job_id AND p.seconds_per_step > 0 AND p.phase = latest.phase
                                   ORDER BY p.step DESC LIMIT ?) r)
                     FROM training_runs t, latest WHERE t.job_id = ?""")) {
            ps.setObject(1, job.id());
            ps.setInt(2, RECENT_STEPS);
            ps.setObject(3, job.id());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getObject(5) == null) {
                    return null;
                }
                int step = rs.getInt(1);
                int pretrain = rs.getInt(2);
                int gan = rs.getInt(3);
                boolean pretraining = Phase.PRETRAIN.storedName().equals(rs.getString(4));
                double pace = rs.getDouble(5);
                long phaseLeft = Math.round(Math.max(0, (pretraining ? pretrain : pretrain + gan) - step) * pace);
                // a GAN step trains D as well: its pace is known only once the phase has begun
                Long left = pretraining && gan > 0 ? null : phaseLeft;
                return new Outlook(null, null, null, null, pace, phaseLeft, left, end(left));
            }
        }
    }

    private static Outlook fromProgress(JobView job) {
        double p = job.progress();
        if (job.startedAt() == null || job.attempts() > 1 || p < LEAST_PROGRESS || p >= 1) {
            return null;
        }
        double elapsed = Duration.between(job.startedAt(), OffsetDateTime.now()).toMillis() / 1000.0;
        long left = Math.round(elapsed * (1 - p) / p);
        return new Outlook(null, null, null, null, null, null, left, end(left));
    }

    private static OffsetDateTime end(Long secondsLeft) {
        return secondsLeft == null ? null : OffsetDateTime.now().plusSeconds(secondsLeft);
    }
}
