package dev.srgan.platform.jobs;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/**
 * The fencing token of one attempt of a job: the job and the lease epoch its claim took. Every
 * write that belongs to the attempt first calls {@link #holds} in the write's own transaction.
 *
 * @param jobId the job
 * @param epoch the job's {@code lease_epoch} after this attempt's claim
 */
public record JobLease(UUID jobId, long epoch) {

    /**
     * Whether this attempt still holds its job: the job is RUNNING under this epoch. When it does,
     * the job's row stays share-locked until the caller's transaction ends, so no claim, requeue,
     * reaper or failure can take the job between this check and the caller's commit: the attempt's
     * writes are ordered before whatever takes the job next.
     *
     * @param c a connection inside the caller's transaction (auto-commit off)
     * @return true when the caller may write for this attempt
     */
    public boolean holds(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM jobs WHERE id = ? AND lease_epoch = ? AND status = 'RUNNING' FOR SHARE")) {
            ps.setObject(1, jobId);
            ps.setLong(2, epoch);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Throws {@link LeaseLost} unless {@link #holds} (see there); {@code what} names the refused write. */
    public void require(Connection c, String what) throws SQLException {
        if (!holds(c)) {
            throw new LeaseLost(this, what);
        }
    }
}
