package dev.srgan.core.storage;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What the stored files take in PostgreSQL, by what uses them: the numbers to decide what to delete
 * ({@link Deletions}). A file two things use (a model registered from a run's checkpoint) counts
 * under both; the total counts it once.
 */
@ApplicationScoped
public class StorageUsage {

    /** One kind of stored file. */
    public record Part(
            @Schema(description = "what uses the files") String what,
            @Schema(description = "how many files") long files,
            @Schema(description = "their bytes") long bytes) {}

    /** Every kind, the files' total, and the whole database on disk (tables, indexes, free space). */
    public record Summary(
            List<Part> parts,

            @Schema(description = "stored files, each counted once")
            long files,

            @Schema(description = "their bytes") long bytes,

            @Schema(description = "the database's size on disk, pg_database_size")
            long databaseBytes) {}

    @Inject
    DataSource dataSource;

    /** Reads the summary: one pass over the blobs per kind, on one connection. */
    public Summary summary() throws SQLException {
        List<Part> parts = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            for (BlobColumns.Column part : BlobColumns.ALL) {
                long[] sums = sums(
                        c,
                        "SELECT count(*), coalesce(sum(size_bytes), 0) FROM blobs WHERE id IN (SELECT " + part.column()
                                + " FROM " + part.table() + ")");
                parts.add(new Part(part.what(), sums[0], sums[1]));
            }
            long[] total = sums(c, "SELECT count(*), coalesce(sum(size_bytes), 0) FROM blobs");
            long database = sums(c, "SELECT pg_database_size(current_database()), 0")[0];
            return new Summary(parts, total[0], total[1], database);
        }
    }

    private static long[] sums(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }
}
