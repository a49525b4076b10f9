package dev.srgan.api.idempotency;

import dev.srgan.core.auth.Caller;
import dev.srgan.core.errors.ApiException;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * {@code Idempotency-Key} on the submitting POSTs ({@code /api/upscale}, {@code /api/training},
 * {@code /api/datasets}): the same key with the same request returns what the first one created,
 * and creates nothing; the same key with a different request gets 422. Keys belong to the token
 * that sent them and are kept for 24 hours.
 *
 * <p>The key is taken in the submission's own transaction, before anything else is written: two
 * requests with one key at the same moment serialize on the key's row, and the second one sees the
 * first one's committed result (or takes the key itself if the first one failed and rolled back).
 */
@ApplicationScoped
public class IdempotencyKeys {
    private static final Logger LOG = Logger.getLogger(IdempotencyKeys.class);
    /** The request header. */
    public static final String HEADER = "Idempotency-Key";
    /** How long a key is remembered. */
    public static final String KEEP = "24 hours";

    @Inject
    DataSource dataSource;

    /** A key, whose it is, where it was used and a fingerprint of the request it stood for. */
    public record Key(String owner, String key, String endpoint, String fingerprint) {}

    /**
     * Builds the key of a request; empty when the request carries no {@code Idempotency-Key}.
     *
     * @param header the header's value, or null
     * @param caller who sends it (keys of different tokens never meet)
     * @param endpoint e.g. "POST /api/upscale"
     * @param fingerprint what identifies the request ({@link Fingerprint})
     * @throws ApiException 400 for a key that is blank or longer than 255 characters
     */
    public static Optional<Key> of(String header, Caller caller, String endpoint, String fingerprint) {
        if (header == null) {
            return Optional.empty();
        }
        String key = header.trim();
        if (key.isEmpty() || key.length() > 255) {
            throw ApiException.badRequest(HEADER, HEADER + " must be 1 to 255 characters");
        }
        String owner = caller == null || caller.tokenId() == null
                ? "anonymous"
                : caller.tokenId().toString();
        return Optional.of(new Key(owner, key, endpoint, fingerprint));
    }

    /**
     * Takes the key on {@code c} (in the submission's transaction, before it writes anything).
     *
     * @return empty when this request is the key's first: go on, and {@link #complete} it; else the
     *     id the first request created (the caller rolls back and answers with it)
     * @throws ApiException 422 when the key was used for a different request
     */
    public Optional<UUID> take(Connection c, Key k) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM idempotency_keys WHERE owner = ? AND key = ? AND created_at < now() - interval '" + KEEP
                        + "'")) {
            ps.setString(1, k.owner());
            ps.setString(2, k.key());
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO idempotency_keys (owner, key, endpoint, fingerprint) VALUES (?, ?, ?, ?)
                ON CONFLICT (owner, key) DO NOTHING""")) {
            ps.setString(1, k.owner());
            ps.setString(2, k.key());
            ps.setString(3, k.endpoint());
            ps.setString(4, k.fingerprint());
            if (ps.executeUpdate() == 1) {
                return Optional.empty();
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT endpoint, fingerprint, resource_id FROM idempotency_keys WHERE owner = ? AND key = ?")) {
            ps.setString(1, k.owner());
            ps.setString(2, k.key());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getObject(3) == null) {
                    // deleted or unfinished meanwhile: a rare race; the client may simply send it again
                    throw ApiException.conflict(
                            HEADER + " '" + k.key() + "' is being used by a request in progress; send it again");
                }
                if (!rs.getString(1).equals(k.endpoint()) || !rs.getString(2).equals(k.fingerprint())) {
                    throw ApiException.unprocessable(
                            HEADER,
                            HEADER + " '" + k.key() + "' was already used for a different request (" + rs.getString(1)
                                    + "); use a new key for a new request");
                }
                return Optional.of(rs.getObject(3, UUID.class));
            }
        }
    }

    /** Records what the key's first request created, in the same transaction. */
    public void complete(Connection c, Key k, UUID resourceId) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("UPDATE idempotency_keys SET resource_id = ? WHERE owner = ? AND key = ?")) {
            ps.setObject(1, resourceId);
            ps.setString(2, k.owner());
            ps.setString(3, k.key());
            ps.executeUpdate();
        }
    }

    /** Forgets keys older than 24 hours, hourly. */
    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void expire() {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "DELETE FROM idempotency_keys WHERE created_at < now() - interval '" + KEEP + "'")) {
            int n = ps.executeUpdate();
            if (n > 0) {
                LOG.debugf("forgot %d idempotency keys older than %s", n, KEEP);
            }
        } catch (SQLException e) {
            LOG.warnf("expiring idempotency keys: %s", e.getMessage());
        }
    }

    /** Builds a request fingerprint: SHA-256 over its parts (texts and file contents), in order. */
    public static final class Fingerprint {
        private final MessageDigest sha;

        public Fingerprint() {
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Adds a text part (null counts as absent, distinct from empty). */
        public Fingerprint text(String s) {
            if (s == null) {
                sha.update((byte) 0);
            } else {
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                sha.update((byte) 1);
                sha.update(java.nio.ByteBuffer.allocate(4).putInt(b.length).array());
                sha.update(b);
            }
            return this;
        }

        /** Adds a file's bytes. */
        public Fingerprint file(Path file) throws IOException {
            sha.update((byte) 2);
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buffer = new byte[64 * 1024];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sha.update(buffer, 0, n);
                }
            }
            sha.update((byte) 3);
            return this;
        }

        /** The fingerprint, hex. */
        public String hex() {
            return HexFormat.of().formatHex(sha.digest());
        }
    }
}
