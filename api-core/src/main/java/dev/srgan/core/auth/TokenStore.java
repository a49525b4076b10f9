package dev.srgan.core.auth;

import dev.srgan.core.audit.AuditLog;
import dev.srgan.core.errors.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * API tokens in PostgreSQL. A token is 256 random bits (URL-safe base64, prefixed {@code srgan_}
 * so a leaked one is easy to grep for); only its SHA-256 is stored. Because the lookup key is the
 * hash of what the caller sent, the timing of the index lookup tells an attacker nothing about
 * any stored token; the found hash is still compared in constant time.
 */
@ApplicationScoped
public class TokenStore {
    static final String PREFIX = "srgan_";
    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    DataSource dataSource;

    /** A token as listed: never the token itself. */
    public record TokenView(
            UUID id,
            String name,
            String role,

            @Schema(
                    description = "the most jobs its holder may have queued or running at once; null: the"
                            + " cluster's srgan.quota.active-jobs")
            Integer maxActiveJobs,

            OffsetDateTime createdAt,
            OffsetDateTime revokedAt) {
        public boolean isRevoked() {
            return revokedAt != null;
        }
    }

    /** A new token: the only time the raw value exists outside the caller's hands. */
    public record NewToken(UUID id, String name, String role, Integer maxActiveJobs, String token) {}

    /** The largest {@code maxActiveJobs} a token may be given. */
    static final int MAX_ACTIVE_JOBS = 1_000_000;

    /** A fresh random token. */
    public static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** SHA-256 of the token's UTF-8 bytes. */
    public static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    /** Derived from the session token, so a CSRF token cannot be forged without it (and does not reveal it). */
    public static String csrfFor(String sessionToken) {
        return HexFormat.of().formatHex(hash("csrf:" + sessionToken));
    }

    /** The caller a presented token stands for; empty when unknown or revoked. */
    public Optional<Caller> authenticate(String token, boolean viaSession) throws SQLException {
        if (token == null || token.isBlank() || token.length() > 200) {
            return Optional.empty();
        }
        byte[] presented = hash(token.trim());
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT id, name, role, token_hash FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL")) {
            ps.setBytes(1, presented);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && MessageDigest.isEqual(presented, rs.getBytes(4))) {
                    return Optional.of(new Caller(
                            rs.getObject(1, UUID.class), rs.getString(2), Role.valueOf(rs.getString(3)), viaSession));
                }
            }
        }
        return Optional.empty();
    }

    /** Whether the token {@code id} exists and is not revoked. */
    public boolean isActive(UUID id) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("SELECT 1 FROM api_tokens WHERE id = ? AND revoked_at IS NULL")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Creates a token with {@code role} and {@code name}, and its own limit of active jobs (null:
     * the cluster's); the answer holds the raw token, shown once.
     */
    public NewToken create(String name, String roleText, Integer maxActiveJobs, String actor) throws SQLException {
        String n = name == null ? "" : name.trim();
        if (n.isEmpty() || n.length() > 100) {
            throw ApiException.badRequest("name", "give the token a name of 1 to 100 characters (who or what uses it)");
        }
        Role role;
        try {
            role = Role.valueOf(String.valueOf(roleText).trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("role", "role must be VIEWER, OPERATOR or ADMIN, got '" + roleText + "'");
        }
        requireLimit(maxActiveJobs);
        String token = generate();
        UUID id = UUID.randomUUID();
        inTransaction(c -> {
            insert(c, id, n, role, hash(token), maxActiveJobs);
            AuditLog.record(
                    c,
                    actor,
                    "token.created",
                    id,
                    role.name() + " token '" + n + "'"
                            + (maxActiveJobs == null ? "" : ", at most " + maxActiveJobs + " active jobs"));
        });
        return new NewToken(id, n, role.name(), maxActiveJobs, token);
    }

    /** Sets the token's own limit of active jobs; null goes back to the cluster's. 404 for no such token. */
    public TokenView limit(UUID id, Integer maxActiveJobs, String actor) throws SQLException {
        requireLimit(maxActiveJobs);
        inTransaction(c -> {
            if (!setLimit(c, id, maxActiveJobs)) {
                throw ApiException.notFound("no token " + id);
            }
            AuditLog.record(
                    c,
                    actor,
                    "token.limit",
                    id,
                    "token '" + name(c, id) + "': "
                            + (maxActiveJobs == null ? "the cluster's limit" : "at most " + maxActiveJobs)
                            + " active jobs");
        });
        return list().stream().filter(t -> t.id().equals(id)).findFirst().orElseThrow();
    }

    private static void requireLimit(Integer maxActiveJobs) {
        if (maxActiveJobs != null && (maxActiveJobs < 0 || maxActiveJobs > MAX_ACTIVE_JOBS)) {
            throw ApiException.badRequest(
                    "maxActiveJobs",
                    "maxActiveJobs must be from 0 to " + MAX_ACTIVE_JOBS + " (or null for the cluster's limit), got "
                            + maxActiveJobs);
        }
    }

    /** A token's name; null when there is no such token. */
    private static String name(Connection c, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT name FROM api_tokens WHERE id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private interface Work {
        void run(Connection c) throws SQLException;
    }

    /** Runs {@code work} in one transaction: the change and its audit entry commit together. */
    private void inTransaction(Work work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                work.run(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static boolean setLimit(Connection c, UUID id, Integer maxActiveJobs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE api_tokens SET max_active_jobs = ? WHERE id = ?")) {
            ps.setObject(1, maxActiveJobs, java.sql.Types.INTEGER);
            ps.setObject(2, id);
            return ps.executeUpdate() == 1;
        }
    }

    /** Every token, newest first, revoked ones included (they stay for the record). */
    public List<TokenView> list() throws SQLException {
        List<TokenView> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT id, name, role, max_active_jobs, created_at, revoked_at FROM api_tokens ORDER BY created_at DESC");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new TokenView(
                        rs.getObject(1, UUID.class),
                        rs.getString(2),
                        rs.getString(3),
                        (Integer) rs.getObject(4),
                        rs.getObject(5, OffsetDateTime.class),
                        rs.getObject(6, OffsetDateTime.class)));
            }
        }
        return out;
    }

    /** Revokes a token at once: its next request gets 401. Revoking twice is harmless. */
    public TokenView revoke(UUID id, String actor) throws SQLException {
        inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE api_tokens SET revoked_at = now() WHERE id = ? AND revoked_at IS NULL")) {
                ps.setObject(1, id);
                if (ps.executeUpdate() == 1) {
                    AuditLog.record(c, actor, "token.revoked", id, "token '" + name(c, id) + "'");
                } else if (name(c, id) == null) {
                    throw ApiException.notFound("no token " + id);
                }
            }
        });
        return list().stream().filter(t -> t.id().equals(id)).findFirst().orElseThrow();
    }

    /**
     * Registers the launcher's (or the deployment Secret's) admin token when no active admin token
     * exists yet. Idempotent: a restart with the same token changes nothing, and once an admin
     * exists the bootstrap value is ignored, so a revoked bootstrap token stays revoked.
     *
     * @return whether the token was inserted
     */
    public boolean bootstrapAdmin(String token) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                // one api instance at a time decides, so two starting replicas do not both insert
                try (PreparedStatement lock = c.prepareStatement("LOCK TABLE api_tokens IN SHARE ROW EXCLUSIVE MODE")) {
                    lock.execute();
                }
                boolean inserted = false;
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT 1 FROM api_tokens WHERE (role = 'ADMIN' AND revoked_at IS NULL) OR token_hash = ?")) {
                    ps.setBytes(1, hash(token.trim()));
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            UUID id = UUID.randomUUID();
                            insert(c, id, "bootstrap admin", Role.ADMIN, hash(token.trim()), null);
                            AuditLog.record(
                                    c,
                                    "srgan (bootstrap)",
                                    "token.created",
                                    id,
                                    "ADMIN token 'bootstrap admin' from srgan.bootstrap-admin-token");
                            inserted = true;
                        }
                    }
                }
                c.commit();
                return inserted;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static void insert(Connection c, UUID id, String name, Role role, byte[] hash, Integer maxActiveJobs)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO api_tokens (id, name, role, token_hash, max_active_jobs) VALUES (?, ?, ?, ?, ?)")) {
            ps.setObject(1, id);
            ps.setString(2, name);
            ps.setString(3, role.name());
            ps.setBytes(4, hash);
            ps.setObject(5, maxActiveJobs, java.sql.Types.INTEGER);
            ps.executeUpdate();
        }
    }
}
