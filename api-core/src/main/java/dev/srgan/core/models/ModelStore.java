package dev.srgan.core.models;

import dev.srgan.core.errors.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/** Which model an upscale uses: the one asked for, or the default for the scale. */
@ApplicationScoped
public class ModelStore {
    /** How a shipped model's {@code source} begins ({@code ShippedModels} registers them). */
    public static final String SHIPPED_SOURCE_PREFIX = "shipped with SRGAN Cluster: models/";

    /** The model id for an upscale at {@code scale}; 4xx when it does not exist or does not fit. */
    public UUID resolveForUpscale(Connection c, UUID requested, int scale) throws SQLException {
        if (requested != null) {
            try (PreparedStatement ps = c.prepareStatement("SELECT scale, name FROM models WHERE id = ?")) {
                ps.setObject(1, requested);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw ApiException.unprocessable("modelId", "no model " + requested);
                    }
                    if (rs.getInt(1) != scale) {
                        throw ApiException.unprocessable(
                                "modelId",
                                "model '" + rs.getString(2) + "' upscales " + rs.getInt(1) + "x, not " + scale
                                        + "x; choose scale " + rs.getInt(1) + " or another model");
                    }
                    return requested;
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id FROM models WHERE scale = ? ORDER BY is_default DESC, created_at DESC LIMIT 1")) {
            ps.setInt(1, scale);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw ApiException.unprocessable(
                            "scale",
                            "no " + scale
                                    + "x model is registered; register one (POST /api/models) or choose another scale");
                }
                return rs.getObject(1, UUID.class);
            }
        }
    }

    /** Makes the model the default for its scale (the one default per scale), on the caller's transaction. */
    public static void makeDefault(Connection c, UUID id, int scale) throws SQLException {
        try (PreparedStatement clear =
                        c.prepareStatement("UPDATE models SET is_default = false WHERE scale = ? AND is_default");
                PreparedStatement set = c.prepareStatement("UPDATE models SET is_default = true WHERE id = ?")) {
            clear.setInt(1, scale);
            clear.executeUpdate();
            set.setObject(1, id);
            set.executeUpdate();
        }
    }

    /** Inserts a model row on the caller's transaction; 400 when the name is too long. */
    public static void insert(
            Connection c,
            UUID id,
            String name,
            String format,
            int scale,
            Integer blocks,
            String source,
            UUID jobId,
            UUID checkpointId,
            UUID blobId,
            String description)
            throws SQLException {
        if (name.length() > 200) {
            throw ApiException.badRequest("name", "name must be at most 200 characters");
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO models (id, name, format, scale, residual_blocks, source, source_job_id, source_checkpoint_id, blob_id, description)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            ps.setObject(1, id);
            ps.setString(2, name);
            ps.setString(3, format);
            ps.setInt(4, scale);
            ps.setObject(5, blocks);
            ps.setString(6, source);
            ps.setObject(7, jobId);
            ps.setObject(8, checkpointId);
            ps.setObject(9, blobId);
            ps.setString(10, description);
            ps.executeUpdate();
        }
    }
}
