package dev.srgan.api.models;

import dev.srgan.api.errors.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/** Which model an upscale uses: the one asked for, or the default for the scale. */
@ApplicationScoped
public class ModelStore {

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
}
