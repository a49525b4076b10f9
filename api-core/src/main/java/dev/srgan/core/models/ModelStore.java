package dev.srgan.core.models;

import dev.srgan.core.errors.ApiException;
import dev.srgan.networks.training.TrainingConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.UUID;

/**
 * Which model a job uses: for an upscale the one asked for or the default for the scale, for a
 * training run the model it starts from.
 */
@ApplicationScoped
public class ModelStore {
    /** How a shipped model's {@code source} begins ({@code ShippedModels} registers them). */
    public static final String SHIPPED_SOURCE_PREFIX = "shipped with SRGAN Cluster: models/";

    /** The request field that names the model a training run starts from. */
    public static final String BASE_MODEL_FIELD = "baseModelId";

    /** The model id for an upscale at {@code scale}; 4xx when it does not exist or does not fit. */
    public UUID resolveForUpscale(Connection c, UUID requested, int scale) throws SQLException {
        if (requested != null) {
            // FOR KEY SHARE: a concurrent delete of the model waits for this job, then sees it queued
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT scale, name FROM models WHERE id = ? FOR KEY SHARE")) {
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
                "SELECT id FROM models WHERE scale = ? ORDER BY is_default DESC, created_at DESC LIMIT 1 FOR KEY SHARE")) {
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

    /** A registered model a training run starts from (fine-tuning). */
    public record BaseModel(UUID id, String name, int scale, int residualBlocks) {}

    /**
     * The model {@code id} as the starting point of training runs with {@code configs} (one run, or
     * a sweep's grid points), on the caller's transaction, locked against deletion until it
     * commits. 422 naming {@code baseModelId} when there is no such model, when it is a TorchScript
     * file (its layers cannot be mapped onto the generator), when a run trains another scale, or
     * when a run's generator has fewer residual blocks than the model's (a run may have more: the
     * added blocks start as identities, see {@code GeneratorGrowth}).
     */
    public BaseModel requireBase(Connection c, UUID id, Collection<TrainingConfig> configs) throws SQLException {
        BaseModel base;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT name, format, scale, residual_blocks FROM models WHERE id = ? FOR KEY SHARE")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw ApiException.unprocessable(BASE_MODEL_FIELD, "no model " + id);
                }
                String name = rs.getString(1);
                if (!rs.getString(2).equals("CHECKPOINT") || rs.getObject(4) == null) {
                    throw ApiException.unprocessable(
                            BASE_MODEL_FIELD,
                            "model '" + name + "' is a TorchScript file, whose layers cannot be mapped onto the"
                                    + " generator; start from a model in the SRGAN checkpoint format (trained here,"
                                    + " uploaded as .srgan.zip, or made by ./srgan import-weights)");
                }
                base = new BaseModel(id, name, rs.getInt(3), rs.getInt(4));
            }
        }
        for (TrainingConfig config : configs) {
            if (config.scale() != base.scale()) {
                throw ApiException.unprocessable(
                        BASE_MODEL_FIELD,
                        "model '" + base.name() + "' upscales " + base.scale() + "x and the run trains "
                                + config.scale() + "x; set scale " + base.scale() + " or start from a "
                                + config.scale() + "x model");
            }
            if (config.residualBlocks() < base.residualBlocks()) {
                throw ApiException.unprocessable(
                        BASE_MODEL_FIELD,
                        "model '" + base.name() + "' has " + base.residualBlocks()
                                + " residual blocks and the run's generator " + config.residualBlocks()
                                + "; a run that starts from it needs residualBlocks of at least "
                                + base.residualBlocks());
            }
        }
        return base;
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
