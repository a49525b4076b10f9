package dev.srgan.core.auth;

import dev.srgan.core.config.ApiConfig;
import dev.srgan.core.errors.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * How many jobs one submitter may have queued or running at once, so that one user's thousand
 * photos or twenty training runs do not take a shared cluster from everyone else. The limit is the
 * token's own {@code max_active_jobs}, else {@code srgan.quota.active-jobs}, else none. Jobs are
 * counted by their submitter's name, which a token and its replacement under the same name share.
 *
 * <p>Every submission calls {@link #reserve} in the transaction that inserts its jobs, just before
 * inserting them: a lock per submitter name, held until that transaction ends, makes two
 * submissions of the same submitter count one after the other, so together they never pass the
 * limit. Retries are not counted against it: they queue again jobs that were counted when
 * submitted.
 */
@ApplicationScoped
public class Quotas {
    @Inject
    ApiConfig config;

    @Inject
    javax.sql.DataSource dataSource;

    /**
     * Refuses with 429 when {@code jobs} more jobs would take {@code caller} past its limit;
     * {@code what} names the submission in the message ("this batch of 12 images").
     */
    public void reserve(Connection c, Caller caller, int jobs, String what) throws SQLException {
        if (caller == null || caller.name() == null) {
            return;
        }
        Optional<Integer> limit = limit(c, caller);
        if (limit.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
            ps.setString(1, "srgan-quota:" + caller.name());
            ps.execute();
        }
        long active = active(c, caller.name());
        int max = limit.get();
        if (active + jobs > max) {
            throw ApiException.tooManyRequests(
                    "'" + caller.name() + "' has " + active + (active == 1 ? " job" : " jobs")
                            + " queued or running and may have at most " + max + " at once; " + what + " would add "
                            + jobs + ". Submit it when some have finished (or cancel some), or ask an admin to raise"
                            + " the token's maxActiveJobs");
        }
    }

    /** Where a caller stands: its limit (null for none) and its jobs queued or running now. */
    public record Usage(Integer maxActiveJobs, long activeJobs) {}

    /** The caller's {@link Usage}. */
    public Usage usage(Caller caller) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return new Usage(limit(c, caller).orElse(null), caller.name() == null ? 0 : active(c, caller.name()));
        }
    }

    /** The jobs {@code submitter} has queued or running, a batch's images each counted, not the batch. */
    private static long active(Connection c, String submitter) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT count(*) FROM jobs
                WHERE submitted_by = ? AND status IN ('QUEUED', 'RUNNING') AND type <> 'BATCH'""")) {
            ps.setString(1, submitter);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The caller's limit: its token's own, else the cluster's; empty for none. */
    private Optional<Integer> limit(Connection c, Caller caller) throws SQLException {
        if (caller.tokenId() != null) {
            try (PreparedStatement ps = c.prepareStatement("SELECT max_active_jobs FROM api_tokens WHERE id = ?")) {
                ps.setObject(1, caller.tokenId());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getObject(1) != null) {
                        return Optional.of(rs.getInt(1));
                    }
                }
            }
        }
        return config.quota().activeJobs();
    }
}
