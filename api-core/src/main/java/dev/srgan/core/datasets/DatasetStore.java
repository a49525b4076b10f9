package dev.srgan.core.datasets;

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
import java.util.UUID;
import javax.sql.DataSource;

/** The uploaded training datasets, as the API and the training pages read them. */
@ApplicationScoped
public class DatasetStore {

    @Inject
    DataSource dataSource;

    /** A dataset: its name, how many images, its size and when it was uploaded. */
    public record DatasetView(UUID id, String name, int imageCount, long sizeBytes, OffsetDateTime createdAt) {}

    /** Every dataset, newest first. */
    public List<DatasetView> list() throws SQLException {
        List<DatasetView> result = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT id, name, image_count, size_bytes, created_at FROM datasets ORDER BY created_at DESC");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                result.add(new DatasetView(
                        rs.getObject(1, UUID.class),
                        rs.getString(2),
                        rs.getInt(3),
                        rs.getLong(4),
                        rs.getObject(5, OffsetDateTime.class)));
            }
        }
        return result;
    }

    /** One dataset, on the caller's connection; 404 when there is none. */
    public DatasetView find(Connection c, UUID id) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT id, name, image_count, size_bytes, created_at FROM datasets WHERE id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw ApiException.notFound("no dataset " + id);
                }
                return new DatasetView(
                        rs.getObject(1, UUID.class),
                        rs.getString(2),
                        rs.getInt(3),
                        rs.getLong(4),
                        rs.getObject(5, OffsetDateTime.class));
            }
        }
    }

    /** Inserts a dataset row for a stored zip blob on the caller's transaction; returns its view. */
    public DatasetView insert(Connection c, String name, int images, long sizeBytes, UUID blobId) throws SQLException {
        UUID id = UUID.randomUUID();
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO datasets (id, name, image_count, size_bytes, blob_id) VALUES (?, ?, ?, ?, ?) RETURNING created_at")) {
            ps.setObject(1, id);
            ps.setString(2, name);
            ps.setInt(3, images);
            ps.setLong(4, sizeBytes);
            ps.setObject(5, blobId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new DatasetView(id, name, images, sizeBytes, rs.getObject(1, OffsetDateTime.class));
            }
        }
    }

    /** A dataset's name, on the caller's transaction; 422 naming {@code field} when there is no such dataset. */
    public String requireName(Connection c, UUID id, String field) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT name FROM datasets WHERE id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw ApiException.unprocessable(field, "no dataset " + id);
                }
                return rs.getString(1);
            }
        }
    }
}
