package dev.srgan.core.models;

import dev.srgan.core.errors.ApiException;
import dev.srgan.domain.images.ModelBlend;
import dev.srgan.networks.checkpoint.Checkpoint;
import dev.srgan.networks.export.DjlParameters;
import dev.srgan.networks.training.TrainingConfig;
import dev.srgan.platform.blobs.BlobStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which model a job uses: for an upscale the one asked for or the default for the scale (and the
 * model it is blended with), for a training run the model it starts from.
 */
@ApplicationScoped
public class ModelStore {
    @Inject
    BlobStore blobs;

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

    /**
     * Checks an upscale's blend ({@link ModelBlend}) against the model it blends into, on the
     * caller's transaction, with the blend model locked against deletion until it commits. 422
     * naming {@code blendModelId} when there is no such model or the two differ in scale; for a
     * blend of weights ({@link ModelBlend.Mode#WEIGHTS}) also when either is a TorchScript file,
     * when the two are different networks (residual blocks), or when they were trained apart, so
     * that their blend would be noise ({@link DjlParameters#kinship} below {@link
     * Checkpoint#MIN_BLEND_KINSHIP}; measured once per pair of models, whose files never change).
     *
     * @return the blend model's name, null without a blend
     */
    public String requireBlendable(Connection c, UUID modelId, ModelBlend blend) throws SQLException, IOException {
        return blend == null ? null : blendable(c, modelId, blend).other().name();
    }

    /** The two models of a blend, checked and locked as {@link #requireBlendable} says. */
    private Pair blendable(Connection c, UUID modelId, ModelBlend blend) throws SQLException, IOException {
        Row model = row(c, modelId);
        Row other = row(c, blend.modelId());
        if (model == null || other == null) {
            throw ApiException.unprocessable(
                    ModelBlend.MODEL_FIELD, "no model " + (model == null ? modelId : blend.modelId()));
        }
        if (blend.mode() == ModelBlend.Mode.PIXELS) {
            if (model.scale() != other.scale()) {
                throw ApiException.unprocessable(
                        ModelBlend.MODEL_FIELD,
                        "model '" + model.name() + "' is " + model.scale() + "x and '" + other.name() + "' "
                                + other.scale() + "x: only models of one scale mix their outputs");
            }
            return new Pair(model, other);
        }
        for (Row r : List.of(model, other)) {
            if (r.blocks() == null || !r.format().equals("CHECKPOINT")) {
                throw ApiException.unprocessable(
                        ModelBlend.MODEL_FIELD,
                        "model '" + r.name() + "' is a TorchScript file; only models in the SRGAN checkpoint"
                                + " format blend");
            }
        }
        if (model.scale() != other.scale() || !model.blocks().equals(other.blocks())) {
            throw ApiException.unprocessable(
                    ModelBlend.MODEL_FIELD,
                    "model '" + model.name() + "' is " + model.scale() + "x with " + model.blocks()
                            + " residual blocks and '" + other.name() + "' " + other.scale() + "x with "
                            + other.blocks() + ": only models of the same network blend");
        }
        double kinship = kinship(c, model, other);
        if (kinship < Checkpoint.MIN_BLEND_KINSHIP) {
            throw ApiException.unprocessable(
                    ModelBlend.MODEL_FIELD,
                    String.format(
                            Locale.ROOT,
                            "'%s' and '%s' were trained apart (their weights' cosine is %.2f; a model and its"
                                    + " fine-tuned versions are above 0.99), so a blend of their weights would be"
                                    + " noise: blend a model with one fine-tuned from it, or blend their outputs"
                                    + " (blendMode pixels)",
                            model.name(),
                            other.name(),
                            kinship));
        }
        return new Pair(model, other);
    }

    private record Pair(Row model, Row other) {}

    /** A blend made into a model file: the two models' names and the blended generator. */
    public record Blended(String modelName, String blendModelName, Checkpoint checkpoint) {}

    /**
     * The model file of {@code modelId} blended with {@code blend} ({@link Checkpoint#blend}), checked
     * as {@link #requireBlendable} checks an upscale's blend, on the caller's transaction.
     */
    public Blended blend(Connection c, UUID modelId, ModelBlend blend) throws SQLException, IOException {
        Pair pair = blendable(c, modelId, blend);
        return new Blended(
                pair.model().name(),
                pair.other().name(),
                Checkpoint.blend(checkpoint(c, pair.model()), checkpoint(c, pair.other()), blend.weight()));
    }

    private record Row(UUID id, String name, String format, int scale, Integer blocks, UUID blobId) {}

    /** The model row, locked against deletion (FOR KEY SHARE) until the transaction ends; null if none. */
    private static Row row(Connection c, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT name, format, scale, residual_blocks, blob_id FROM models WHERE id = ? FOR KEY SHARE")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? new Row(
                                id,
                                rs.getString(1),
                                rs.getString(2),
                                rs.getInt(3),
                                (Integer) rs.getObject(4),
                                rs.getObject(5, UUID.class))
                        : null;
            }
        }
    }

    private final Map<List<UUID>, Double> kinships = new ConcurrentHashMap<>();

    private double kinship(Connection c, Row a, Row b) throws SQLException, IOException {
        if (a.id().equals(b.id())) {
            return 1;
        }
        List<UUID> pair = a.id().compareTo(b.id()) < 0 ? List.of(a.id(), b.id()) : List.of(b.id(), a.id());
        Double known = kinships.get(pair);
        if (known != null) {
            return known;
        }
        double kinship = DjlParameters.kinship(generator(c, a), generator(c, b));
        kinships.put(pair, kinship);
        return kinship;
    }

    private byte[] generator(Connection c, Row model) throws SQLException, IOException {
        return checkpoint(c, model).inferenceGeneratorParameters();
    }

    private Checkpoint checkpoint(Connection c, Row model) throws SQLException, IOException {
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        blobs.copyTo(c, model.blobId(), zip);
        return Checkpoint.read(new ByteArrayInputStream(zip.toByteArray()));
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
