package dev.srgan.api.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srgan.core.config.ApiConfig;
import dev.srgan.core.models.ModelComparisons;
import dev.srgan.core.models.ModelStore;
import dev.srgan.platform.blobs.BlobStore;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.UUID;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Registers the models that ship with the project ({@code models/*.srgan.zip}, listed in
 * {@code models/shipped.json}, packed into the api jar) at first start, with the evaluation
 * numbers measured by {@code ./srgan eval} (NIQE where the file has it, else null), so the first
 * upscale on a new machine works at 2x, 4x and 8x.
 *
 * <p>A model marked {@code "default": true} becomes its scale's default when the scale has none,
 * or when the default is an older shipped model (an upgrade brings a better one); a default the
 * user chose is kept. Each model is known by its file name and content hash, so a new version of a
 * file registers beside the old one. Runs once per database and version: a second start, or a
 * second api replica, finds them registered (an advisory lock orders replicas).
 */
@ApplicationScoped
public class ShippedModels {
    private static final Logger LOG = Logger.getLogger(ShippedModels.class);
    static final String INDEX = "shipped-models/shipped.json";
    private static final long LOCK = 0x5352_4741_4E4D_4F44L; // "SRGANMOD"

    @Inject
    ApiConfig config;

    static final String SOURCE_PREFIX = ModelStore.SHIPPED_SOURCE_PREFIX;

    @Inject
    DataSource dataSource;

    @Inject
    BlobStore blobs;

    @Inject
    ObjectMapper json;

    @Inject
    ModelComparisons comparisons;

    void onStart(@Observes StartupEvent event) {
        if (config.models().registerShipped()) {
            registerAll();
        }
    }

    /** Registers every shipped model that is not registered yet; a no-op for those that are. */
    public void registerAll() {
        try (InputStream index = Thread.currentThread().getContextClassLoader().getResourceAsStream(INDEX)) {
            if (index == null) {
                return;
            }
            for (JsonNode model : json.readTree(index).path("models")) {
                register(model);
            }
        } catch (IOException | SQLException e) {
            LOG.errorf("registering the shipped models failed: %s", e.getMessage());
        }
    }

    private void register(JsonNode m) throws SQLException, IOException {
        String file = m.path("file").asText();
        // shipped.json lists each file's hash (ship.py), so a start that finds the models registered reads none of them
        String listed = m.path("sha256").asText(null);
        byte[] bytes = listed == null ? read(file) : null;
        if (listed == null && bytes == null) {
            return;
        }
        String digest = listed != null ? listed : sha256(bytes);
        String source = SOURCE_PREFIX + file + " (sha256 " + digest.substring(0, 16) + ")";
        boolean wantsDefault = m.path("default").asBoolean(true);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_advisory_xact_lock(" + LOCK + ")");
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM models WHERE source = ?")) {
                ps.setString(1, source);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        c.rollback();
                        return;
                    }
                }
            }
            if (bytes == null) {
                bytes = read(file);
                if (bytes == null) {
                    c.rollback();
                    return;
                }
                if (!sha256(bytes).equals(listed)) {
                    LOG.errorf("shipped model %s does not match the sha256 shipped.json lists; not registered", file);
                    c.rollback();
                    return;
                }
            }
            BlobStore.Blob blob =
                    blobs.write(c, new java.io.ByteArrayInputStream(bytes), "application/zip", Long.MAX_VALUE);
            UUID id = UUID.randomUUID();
            int scale = m.path("scale").asInt();
            boolean isDefault = false;
            if (wantsDefault) {
                // take over from no default or from an older shipped one, never from the user's choice
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE models SET is_default = false WHERE scale = ? AND is_default AND source LIKE ? RETURNING id")) {
                    ps.setInt(1, scale);
                    ps.setString(2, SOURCE_PREFIX + "%");
                    ps.executeQuery().close();
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM models WHERE scale = ? AND is_default")) {
                    ps.setInt(1, scale);
                    try (ResultSet rs = ps.executeQuery()) {
                        isDefault = !rs.next();
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO models (id, name, format, scale, residual_blocks, source, blob_id, description, is_default)
                    VALUES (?, ?, 'CHECKPOINT', ?, ?, ?, ?, ?, ?)""")) {
                ps.setObject(1, id);
                ps.setString(2, m.path("name").asText(file));
                ps.setInt(3, scale);
                ps.setInt(4, m.path("residualBlocks").asInt());
                ps.setString(5, source);
                ps.setObject(6, blob.id());
                ps.setString(7, m.path("description").asText(null));
                ps.setBoolean(8, isDefault);
                ps.executeUpdate();
            }
            // measured again on other inputs (the default on degraded ones, the model for real photos on
            // clean ones), stored first: the evaluation shipped.json names is the model's newest
            for (JsonNode more : m.path("moreEvaluations")) {
                insertEvaluation(c, id, scale, more);
            }
            insertEvaluation(c, id, scale, m.path("evaluation"));
            JsonNode crop = m.path("comparison");
            if (crop.isObject()) {
                try (InputStream in = Thread.currentThread()
                        .getContextClassLoader()
                        .getResourceAsStream(
                                "shipped-models/" + crop.path("file").asText())) {
                    if (in == null) {
                        LOG.warnf("the comparison crop of %s is listed but not packaged", file);
                    } else {
                        comparisons.store(
                                c, id, in.readAllBytes(), crop.path("psnr").asDouble());
                    }
                }
            }
            c.commit();
            LOG.infof("registered the shipped model %s (%dx)", file, scale);
        }
    }

    /** Stores one evaluation of a shipped model (an {@code ./srgan eval --json} report as ship.py keeps it). */
    private static void insertEvaluation(Connection c, UUID id, int scale, JsonNode ev) throws SQLException {
        if (ev.isObject()) {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO model_evaluations (id, model_id, scale, image_count, psnr, ssim, bicubic_psnr, bicubic_ssim, ms_per_image, details,
                                                   niqe, bicubic_niqe, hr_niqe, degradation, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?::jsonb, clock_timestamp())""")) {
                ps.setObject(1, UUID.randomUUID());
                ps.setObject(2, id);
                ps.setInt(3, scale);
                ps.setInt(4, ev.path("images").size());
                ps.setDouble(5, ev.path("psnr").asDouble());
                ps.setDouble(6, ev.path("ssim").asDouble());
                ps.setDouble(7, ev.path("bicubicPsnr").asDouble());
                ps.setDouble(8, ev.path("bicubicSsim").asDouble());
                ps.setDouble(9, ev.path("msPerImage").asDouble());
                ps.setString(10, ev.path("images").toString());
                ps.setObject(11, number(ev, "niqe"), Types.DOUBLE);
                ps.setObject(12, number(ev, "bicubicNiqe"), Types.DOUBLE);
                ps.setObject(13, number(ev, "hrNiqe"), Types.DOUBLE);
                // a model for real photos is measured on inputs degraded as they are
                ps.setString(
                        14,
                        ev.path("degradation").isObject()
                                ? ev.path("degradation").toString()
                                : null);
                ps.executeUpdate();
            }
        }
    }

    /** A number of the evaluation, null when shipped.json has none (e.g. NIQE measured after the model shipped). */
    static Double number(JsonNode evaluation, String field) {
        JsonNode v = evaluation.path(field);
        return v.isNumber() ? v.asDouble() : null;
    }

    /** A packaged model file, or null (logged) when shipped.json lists one that is not packaged. */
    private static byte[] read(String file) throws IOException {
        try (InputStream in =
                Thread.currentThread().getContextClassLoader().getResourceAsStream("shipped-models/" + file)) {
            if (in == null) {
                LOG.warnf("shipped model %s is listed but not packaged", file);
                return null;
            }
            return in.readAllBytes();
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(
                            java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
