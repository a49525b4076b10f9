package dev.srgan.worker.jobs;

import dev.srgan.platform.jobs.JobLease;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

/**
 * A {@link JobContext} that spares the database: the inner loops of a job (tile batches, training
 * steps) report after every unit of work, many times a second, while the dashboard needs a few
 * progress updates a second and a cancel only has to be noticed within a second or so.
 * Progress is first written once the job has run for {@code progressEvery}, then at most once per
 * {@code progressEvery}, and when it reaches 1 if any was written before: a job shorter than that
 * writes none (its final state says it all, and a small job costs three commits, not six).
 * The cancel flag is read at most once per {@code cancelEvery}, first after the job has run that
 * long (it was just claimed, and a queued job that is cancelled never gets claimed), and
 * remembered once it is set.
 * Used by one job thread only.
 */
public final class ThrottledContext implements JobContext {
    private final JobContext inner;
    private final long progressEveryNanos;
    private final long cancelEveryNanos;
    private long lastProgress;
    private long lastCancelCheck;
    private boolean progressWritten;
    private boolean cancelled;

    public ThrottledContext(JobContext inner, Duration progressEvery, Duration cancelEvery) {
        this.inner = inner;
        this.progressEveryNanos = progressEvery.toNanos();
        this.cancelEveryNanos = cancelEvery.toNanos();
        this.lastProgress = System.nanoTime();
        this.lastCancelCheck = lastProgress;
    }

    @Override
    public void progress(double fraction, String message) {
        long now = System.nanoTime();
        if (now - lastProgress >= progressEveryNanos || (fraction >= 1 && progressWritten)) {
            inner.progress(fraction, message);
            lastProgress = now;
            progressWritten = true;
        }
    }

    @Override
    public boolean cancelRequested() {
        if (cancelled) {
            return true;
        }
        long now = System.nanoTime();
        if (now - lastCancelCheck >= cancelEveryNanos) {
            cancelled = inner.cancelRequested();
            lastCancelCheck = now;
        }
        return cancelled;
    }

    @Override
    public boolean stopping() {
        return inner.stopping();
    }

    @Override
    public boolean leaseLost() {
        return inner.leaseLost();
    }

    @Override
    public JobLease lease() {
        return inner.lease();
    }

    @Override
    public void fence(Connection c, String what) throws SQLException {
        inner.fence(c, what);
    }

    @Override
    public void onSuccess(SuccessWrite write) {
        inner.onSuccess(write);
    }
}
