package dev.srgan.worker.jobs;

import dev.srgan.platform.jobs.JobLease;
import dev.srgan.platform.jobs.LeaseLost;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * What a running job may ask of the worker: report progress, learn whether it should stop, and
 * fence its writes. Every write a job makes for its attempt runs {@link #fence} first, in the
 * write's own transaction.
 */
public interface JobContext {
    /** Records progress in [0, 1] with a short message ("tile 3 of 16", "step 120 of 2000"). */
    void progress(double fraction, String message);

    /** True once the user cancelled the job: stop at the next safe point (between tiles, after a step). */
    boolean cancelRequested();

    /** True once the worker is shutting down: checkpoint, then return by throwing {@link WorkerStopping}. */
    boolean stopping();

    /**
     * True once this attempt is known to have lost its job (its lease expired and the job was
     * taken, or the worker gave it up as stalled): stop at once by throwing {@link LeaseLost},
     * without writing anything more, not even a checkpoint.
     */
    boolean leaseLost();

    /** This attempt's fencing token. */
    JobLease lease();

    /**
     * Checks in the caller's transaction that this attempt still holds its job, and share-locks the
     * job's row until that transaction ends (see {@link JobLease#holds}).
     *
     * @param c the connection of the write's transaction (auto-commit off)
     * @param what the write, for the log ("the checkpoint at step 500")
     * @throws LeaseLost when the job was taken: the caller rolls back and stops; the refusal is
     *     counted and logged once per attempt
     */
    void fence(Connection c, String what) throws SQLException;

    /**
     * Registers the job's last write (an upscale's result, an evaluation's numbers): it runs in the
     * transaction that records SUCCEEDED, after the fence, so a job has its result exactly when it
     * succeeded. Registered once, before the executor returns.
     */
    void onSuccess(SuccessWrite write);

    /** A write that commits together with the job's SUCCEEDED state. */
    @FunctionalInterface
    interface SuccessWrite {
        void write(Connection c) throws SQLException, java.io.IOException;
    }
}
