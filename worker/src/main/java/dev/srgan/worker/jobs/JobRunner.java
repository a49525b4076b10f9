package dev.srgan.worker.jobs;

import dev.srgan.domain.jobs.JobMessage;
import dev.srgan.domain.jobs.JobStateMachine;
import dev.srgan.domain.jobs.JobStatus;
import dev.srgan.domain.jobs.JobType;
import dev.srgan.platform.jobs.ClaimedJob;
import dev.srgan.platform.jobs.JobLease;
import dev.srgan.platform.jobs.JobTable;
import dev.srgan.platform.jobs.LeaseLost;
import dev.srgan.worker.config.WorkerConfig;
import dev.srgan.worker.ops.WorkerMeters;
import dev.srgan.worker.workers.WorkerIdentity;
import dev.srgan.worker.workers.WorkerRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Claims jobs in PostgreSQL and runs them. The claim is one conditional UPDATE (only a QUEUED job
 * becomes RUNNING, for exactly one worker), so a message delivered twice never runs a job twice.
 *
 * <p>Each claim increments the job's lease epoch; the attempt's writes are fenced by it
 * ({@link JobLease}): its outcome, result, progress and everything a training run records apply
 * only while the job is still RUNNING under that epoch, checked in the write's own transaction. An
 * attempt that learns it lost its job (the heartbeat's renewal finds it taken, or a fenced write is
 * refused) stops at its next step or tile batch and writes nothing more. A job that makes no
 * progress for {@code srgan.worker.stall-timeout} while the worker lives is given up: queued again
 * (or failed on its last attempt) with a message saying so, and fenced out like a lost one.
 */
@ApplicationScoped
public class JobRunner {
    private static final Logger LOG = Logger.getLogger(JobRunner.class);

    @Inject
    WorkerConfig config;

    @Inject
    DataSource dataSource;

    @Inject
    WorkerIdentity identity;

    @Inject
    WorkerRegistry registry;

    @Inject
    JobTable jobs;

    @Inject
    Instance<JobExecutor> executorBeans;

    @Inject
    WorkerMeters meters;

    /** {@code srgan.worker.stall-timeout}, read at start; tests shorten it. */
    volatile Duration stallTimeout;

    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "srgan-job");
        t.setDaemon(true);
        return t;
    });
    private final Set<CompletableFuture<Void>> running = ConcurrentHashMap.newKeySet();
    private final Map<UUID, Attempt> attempts = new ConcurrentHashMap<>();
    /** Claims take the read lock, shutdown the write lock: once stopping is set, no claim is under way. */
    private final ReadWriteLock claiming = new ReentrantReadWriteLock();

    private volatile boolean stopping;
    private ScheduledExecutorService watchdog;

    void onStart(@Observes StartupEvent event) {
        watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "srgan-stall-watchdog");
            t.setDaemon(true);
            return t;
        });
        if (stallTimeout == null) {
            stallTimeout = config.stallTimeout();
        }
        long ms = Math.max(100, Math.min(stallTimeout.toMillis() / 4, 5_000));
        watchdog.scheduleWithFixedDelay(this::giveUpStalled, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** True while this worker takes new jobs; false from the start of its shutdown. */
    public boolean accepting() {
        return !stopping;
    }

    /**
     * Claims the job the message points to and starts it on a job thread; empty when it is not
     * QUEUED any more (done, running elsewhere, cancelled) or this worker is shutting down (check
     * {@link #accepting()} to tell the two apart: a message refused at shutdown must be read again
     * by another worker). One statement, one commit: the claim with its new lease epoch, its
     * RUNNING event and this worker's current job. {@code whenDone} runs after the job's final
     * state is written.
     */
    public Optional<CompletableFuture<Void>> claimAndRun(JobMessage message, Runnable whenDone) {
        claiming.readLock().lock();
        try {
            if (stopping) {
                return Optional.empty();
            }
            return claim(message).map(job -> runAsync(job, whenDone));
        } finally {
            claiming.readLock().unlock();
        }
    }

    Optional<ClaimedJob> claim(JobMessage message) {
        try {
            Optional<ClaimedJob> claimed = jobs.claim(message.jobId(), identity.id(), config.lease());
            if (claimed.isEmpty()) {
                LOG.debugf("job %s is not queued any more; message skipped", message.jobId());
            }
            return claimed;
        } catch (SQLException e) {
            throw new IllegalStateException("claiming job " + message.jobId() + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Starts the job on a job thread. The returned future completes when the job's slot is free
     * again: when the thread ends, or earlier when the watchdog gives a stalled attempt up (its
     * thread may hang on; the consumer must not wait for it).
     */
    private CompletableFuture<Void> runAsync(ClaimedJob job, Runnable whenDone) {
        Attempt attempt = new Attempt(job);
        attempts.put(job.id(), attempt);
        CompletableFuture<Void> released = new CompletableFuture<>();
        attempt.release = () -> {
            if (attempt.released.compareAndSet(false, true)) {
                whenDone.run();
                released.complete(null);
            }
        };
        CompletableFuture<Void> thread = CompletableFuture.runAsync(
                () -> {
                    attempt.thread = Thread.currentThread();
                    try {
                        run(attempt);
                    } finally {
                        attempt.thread = null;
                        attempts.remove(job.id(), attempt);
                        Thread.interrupted();
                        attempt.release.run();
                    }
                },
                pool);
        running.add(thread);
        thread.whenComplete((v, e) -> running.remove(thread));
        return released;
    }

    /**
     * Stops claiming (no claim is under way when this returns from taking the lock), then asks
     * running jobs to stop at their next safe point (a training job checkpoints first; it is then
     * queued again for another worker) and waits for them up to {@code timeout}.
     */
    public void shutdown(Duration timeout) {
        claiming.writeLock().lock();
        try {
            stopping = true;
        } finally {
            claiming.writeLock().unlock();
        }
        try {
            CompletableFuture.allOf(running.toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warnf(
                    "jobs still running after %s at shutdown; their leases will expire and they run again elsewhere",
                    timeout);
        }
        if (watchdog != null) {
            watchdog.shutdownNow();
        }
    }

    private void run(Attempt attempt) {
        ClaimedJob job = attempt.job;
        registry.jobStarted(job.lease(), attempt::lost);
        meters.jobStarted(job);
        boolean recorded = false;
        try {
            JobExecutor executor = executors().get(job.type());
            if (executor == null) {
                recorded = finish(attempt, JobStatus.FAILED, "this worker has no executor for " + job.type() + " jobs");
                return;
            }
            executor.execute(job, attempt.context);
            recorded = finish(attempt, JobStatus.SUCCEEDED, null);
        } catch (Exception | Error e) {
            // finish(SUCCEEDED) that failed lands here too: its result was not stored, so the job is retried
            recorded = ended(attempt, e);
        } finally {
            // a recorded outcome has updated this worker's row in its own transaction
            registry.jobEnded(job.id(), !recorded);
            meters.jobEnded(job);
        }
    }

    /** Records how an attempt that threw ended; returns whether the worker's row was updated with it. */
    private boolean ended(Attempt attempt, Throwable e) {
        ClaimedJob job = attempt.job;
        try {
            if (attempt.lost.get() || causedBy(e, LeaseLost.class)) {
                attempt.lost();
                attempt.logStop(e.getMessage());
                return false;
            }
            if (e instanceof JobCancelled) {
                return finish(attempt, JobStatus.CANCELLED, null);
            }
            if (e instanceof WorkerStopping) {
                requeue(
                        attempt,
                        "worker " + identity.id() + " stopped; the job continues on another worker",
                        Duration.ZERO,
                        true);
                return false;
            }
            if (e instanceof JobFailure failure) {
                if (!failure.permanent() && job.attempt() < job.maxAttempts()) {
                    requeue(
                            attempt,
                            "attempt " + job.attempt() + " failed: " + e.getMessage(),
                            backoff(job.attempt()),
                            false);
                    return false;
                }
                return finish(attempt, JobStatus.FAILED, e.getMessage());
            }
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            LOG.warnf(e, "job %s attempt %d failed", job.id(), job.attempt());
            if (job.attempt() < job.maxAttempts()) {
                requeue(attempt, "attempt " + job.attempt() + " failed: " + message, backoff(job.attempt()), false);
                return false;
            }
            return finish(attempt, JobStatus.FAILED, "failed after " + job.attempt() + " attempts: " + message);
        } catch (LeaseLost lost) {
            // refused and counted where it was thrown
            return false;
        } catch (Exception recording) {
            LOG.errorf(
                    "recording the end of job %s failed: %s (the lease will expire and the job run again)",
                    job.id(), recording.getMessage());
            return false;
        }
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private Duration backoff(int attempt) {
        return config.retryBackoff().multipliedBy(1L << Math.min(attempt - 1, 6));
    }

    private Map<JobType, JobExecutor> executors() {
        Map<JobType, JobExecutor> map = new EnumMap<>(JobType.class);
        executorBeans.forEach(e -> map.put(e.type(), e));
        return map;
    }

    /**
     * Writes the job's outcome (with its result, for SUCCEEDED), its event and this worker's count
     * in one transaction, fenced by the attempt's epoch; returns true when it committed.
     *
     * @throws LeaseLost when the job was taken from this attempt: nothing was written
     * @throws SQLException when the transaction failed: nothing was written
     */
    private boolean finish(Attempt attempt, JobStatus status, String error) throws SQLException, java.io.IOException {
        JobStateMachine.requireAllowed(JobStatus.RUNNING, status);
        ClaimedJob job = attempt.job;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (!jobs.finish(c, job.lease(), status, error)) {
                    throw attempt.refused(new LeaseLost(job.lease(), "its " + status + " outcome"));
                }
                if (status == JobStatus.SUCCEEDED && attempt.successWrite != null) {
                    attempt.successWrite.write(c);
                }
                registry.jobDone(c, job.id());
                c.commit();
            } catch (SQLException | java.io.IOException | RuntimeException e) {
                rollback(c, e);
                throw e;
            }
        }
        meters.jobFinished(job, status);
        return true;
    }

    /**
     * Hands the job back, fenced by the attempt's epoch: QUEUED with a new message after
     * {@code delay}, or CANCELLED when a cancel was requested meanwhile (the claim skips
     * cancel-requested jobs, so a queued one would wait forever).
     */
    private void requeue(Attempt attempt, String reason, Duration delay, boolean refundAttempt) throws SQLException {
        handBack(attempt.job, reason, delay, refundAttempt, attempt::refused);
    }

    /**
     * {@link #requeue} for a claimed job; {@code refused} receives (and returns) the refusal when
     * the job was taken. Returns the state the job is in now: QUEUED or CANCELLED.
     */
    JobStatus handBack(
            ClaimedJob job,
            String reason,
            Duration delay,
            boolean refundAttempt,
            java.util.function.UnaryOperator<LeaseLost> refused)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                JobStatus status = jobs.handBack(c, job, reason, delay, refundAttempt)
                        .orElseThrow(() ->
                                refused.apply(new LeaseLost(job.lease(), "handing the job back (" + reason + ")")));
                c.commit();
                if (status == JobStatus.CANCELLED) {
                    meters.jobFinished(job, JobStatus.CANCELLED);
                }
                return status;
            } catch (SQLException | RuntimeException e) {
                rollback(c, e);
                throw e;
            }
        }
    }

    /**
     * The watchdog: an attempt that has reported no progress for the stall timeout (its thread
     * hangs while the heartbeat lives and renews its lease) is given up, fenced by its epoch: queued
     * again, or failed on its last attempt, with a message that says so. Its thread is interrupted
     * and whatever it still tries to write for the job is refused.
     */
    /** Sets the stall timeout (tests). */
    void stallTimeout(Duration timeout) {
        this.stallTimeout = timeout;
    }

    void giveUpStalled() {
        long now = System.nanoTime();
        for (Attempt attempt : attempts.values()) {
            if (attempt.lost.get() || now - attempt.lastActivity < stallTimeout.toNanos()) {
                continue;
            }
            ClaimedJob job = attempt.job;
            String why = "attempt " + job.attempt() + " made no progress for " + stallTimeout + " (stalled) on worker "
                    + identity.id();
            LOG.warnf("job %s: %s; giving it up", job.id(), why);
            attempt.lost();
            try {
                if (job.attempt() < job.maxAttempts()) {
                    requeue(attempt, why + "; queued again", Duration.ZERO, false);
                } else {
                    finish(attempt, JobStatus.FAILED, why + ", on the last of " + job.maxAttempts() + " attempts");
                }
            } catch (LeaseLost e) {
                LOG.debugf("stalled job %s was already taken: %s", job.id(), e.getMessage());
            } catch (Exception e) {
                LOG.warnf(
                        "giving up stalled job %s failed: %s (its lease will expire instead)",
                        job.id(), e.getMessage());
            }
            Thread t = attempt.thread;
            if (t != null) {
                t.interrupt();
            }
            // the slot is free for the next job now, whether or not the stuck thread ever ends
            attempt.release.run();
        }
    }

    private static void rollback(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /** One attempt of a job on this worker: its fencing state, its success write and its context. */
    private final class Attempt {
        final ClaimedJob job;
        final AtomicBoolean lost = new AtomicBoolean();
        final AtomicBoolean refusalLogged = new AtomicBoolean();
        final Context context = new Context(this);
        volatile long lastActivity = System.nanoTime();
        volatile Thread thread;
        final AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {};
        JobContext.SuccessWrite successWrite;

        Attempt(ClaimedJob job) {
            this.job = job;
        }

        /** The job was taken from this attempt (or given up): it must stop and write nothing more. */
        void lost() {
            lost.set(true);
        }

        /** Counts a write the fence refused, logs the attempt's stop once, and returns {@code e} to throw. */
        LeaseLost refused(LeaseLost e) {
            lost.set(true);
            meters.fencedWriteRejected(job.type());
            logStop(e.getMessage());
            return e;
        }

        /** Logs once per attempt that it lost its job and stops. */
        void logStop(String why) {
            if (refusalLogged.compareAndSet(false, true)) {
                LOG.warnf(
                        "job %s attempt %d (epoch %d) lost its job and stops, writing nothing more: %s",
                        job.id(), job.attempt(), job.epoch(), why);
            }
        }
    }

    private final class Context implements JobContext {
        private final Attempt attempt;

        Context(Attempt attempt) {
            this.attempt = attempt;
        }

        @Override
        public void progress(double fraction, String message) {
            attempt.lastActivity = System.nanoTime();
            if (attempt.lost.get()) {
                return;
            }
            try {
                if (!jobs.progress(attempt.job.lease(), fraction, message)) {
                    attempt.refused(new LeaseLost(attempt.job.lease(), "progress " + message));
                }
            } catch (SQLException e) {
                LOG.debugf("progress update failed: %s", e.getMessage());
            }
        }

        @Override
        public boolean cancelRequested() {
            try {
                return jobs.cancelRequested(attempt.job.id());
            } catch (SQLException e) {
                return false;
            }
        }

        @Override
        public boolean stopping() {
            return stopping;
        }

        @Override
        public boolean leaseLost() {
            return attempt.lost.get();
        }

        @Override
        public JobLease lease() {
            return attempt.job.lease();
        }

        @Override
        public void fence(Connection c, String what) throws SQLException {
            if (attempt.lost.get() || !attempt.job.lease().holds(c)) {
                throw attempt.refused(new LeaseLost(attempt.job.lease(), what));
            }
            attempt.lastActivity = System.nanoTime();
        }

        @Override
        public void onSuccess(SuccessWrite write) {
            attempt.successWrite = write;
        }
    }
}
