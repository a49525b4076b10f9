package dev.srgan.core.audit;

import dev.srgan.core.errors.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The audit log: deletions, and changes to tokens and models, with who made them. Each entry is
 * written on the connection of the change it records, before that transaction commits, so the
 * two exist together or not at all.
 */
@ApplicationScoped
public class AuditLog {
    /** The actions recorded, as {@code GET /api/audit?action=} takes them. */
    public static final Set<String> ACTIONS = Set.of(
            "job.deleted",
            "sweep.deleted",
            "model.deleted",
            "dataset.deleted",
            "model.registered",
            "model.default",
            "token.created",
            "token.revoked",
            "token.limit");

    /** Who the api itself is, for what it does on its own (retention). */
    public static final String SYSTEM = "srgan (retention)";

    @Inject
    DataSource dataSource;

    /** One entry. */
    @Schema(name = "AuditEntry")
    public record Entry(
            long id,
            OffsetDateTime at,

            @Schema(description = "the name of the token that made the change, or srgan (retention)")
            String actor,

            @Schema(description = "what was done, e.g. job.deleted, token.created")
            String action,

            @Schema(description = "the id of what it was done to")
            String target,

            @Schema(description = "what it was, in words, e.g. \"TRAINING 'faces' with 14 files (38.2 MiB)\"")
            String detail) {}

    /** A page of entries, newest first. */
    @Schema(name = "AuditPage")
    public record Page(List<Entry> items, int page, int size, long total) {}

    /** Records {@code action} on {@code target} by {@code actor} in the caller's transaction. */
    public static void record(Connection c, String actor, String action, Object target, String detail)
            throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("INSERT INTO audit_log (actor, action, target, detail) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, actor == null ? "anyone (authentication off)" : actor);
            ps.setString(2, action);
            ps.setString(3, target == null ? null : target.toString());
            ps.setString(4, detail);
            ps.executeUpdate();
        }
    }

    /** Entries newest first, optionally of one action and/or one actor; 400 for an unknown action. */
    public Page list(String action, String actor, int page, int size) throws SQLException {
        if (action != null && !ACTIONS.contains(action)) {
            throw ApiException.badRequest(
                    "action",
                    "action must be one of " + ACTIONS.stream().sorted().toList() + ", got '" + action + "'");
        }
        String where = " WHERE (?::text IS NULL OR action = ?) AND (?::text IS NULL OR actor = ?)";
        List<Entry> items = new ArrayList<>();
        long total;
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, at, actor, action, target, detail FROM audit_log"
                    + where + " ORDER BY id DESC LIMIT ? OFFSET ?")) {
                int i = bind(ps, action, actor);
                ps.setInt(i++, size);
                ps.setLong(i, (long) page * size);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        items.add(new Entry(
                                rs.getLong(1),
                                rs.getObject(2, OffsetDateTime.class),
                                rs.getString(3),
                                rs.getString(4),
                                rs.getString(5),
                                rs.getString(6)));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM audit_log" + where)) {
                bind(ps, action, actor);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    total = rs.getLong(1);
                }
            }
        }
        return new Page(items, page, size, total);
    }

    private static int bind(PreparedStatement ps, String action, String actor) throws SQLException {
        ps.setString(1, action);
        ps.setString(2, action);
        ps.setString(3, actor);
        ps.setString(4, actor);
        return 5;
    }
}
