package dev.srgan.core.models;

import dev.srgan.networks.image.Degradation;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The registered models as the API and the pages show them: where each came from, its latest
 * evaluations and its comparison crop. The one place that reads them; {@code ModelResource}, the
 * Models page and the Upscale page all ask it.
 */
@ApplicationScoped
public class ModelCatalog {

    @Inject
    DataSource dataSource;

    /**
     * A model with where it came from, its latest evaluation, and its latest evaluation of each kind
     * of input ({@code evaluations}: on the bicubic shrink, then on each degradation).
     */
    public record ModelView(
            UUID id,
            String name,
            String format,
            int scale,
            Integer residualBlocks,
            String source,
            UUID sourceJobId,
            UUID sourceCheckpointId,
            boolean isDefault,
            String description,
            long sizeBytes,
            OffsetDateTime createdAt,
            Evaluation evaluation,
            List<Evaluation> evaluations,
            ComparisonView comparison) {

        /** True for a model that ships with the project (registered again at every start if deleted). */
        public boolean shipped() {
            return source != null && source.startsWith(ModelStore.SHIPPED_SOURCE_PREFIX);
        }
    }

    /**
     * The model's crop of the comparison photo (the same window for every model; null until an
     * EVALUATE job or the shipping made it): its PSNR(Y) against the original's window, and where
     * to get it, the original's and bicubic's.
     */
    public record ComparisonView(
            String photo, int x, int y, int size, double psnr, String url, String bicubicUrl, String originalUrl) {}

    /**
     * The newest evaluation of a model (EVALUATE jobs). {@code niqe}, {@code bicubicNiqe} and {@code
     * hrNiqe} are the mean NIQE (no reference, lower is more natural) of the model's output, of
     * bicubic and of the original photos; null when no photo was large enough to score, or the
     * evaluation predates NIQE.
     */
    public record Evaluation(
            int imageCount,
            double psnr,
            double ssim,
            double bicubicPsnr,
            double bicubicSsim,
            double msPerImage,
            OffsetDateTime at,
            Double niqe,
            Double bicubicNiqe,
            Double hrNiqe,
            String degradation) {}

    /** Every model, the defaults first, then the newest. */
    public List<ModelView> list() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return query(c, null);
        }
    }

    /** One model, if it exists. */
    public Optional<ModelView> find(UUID id) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return query(c, id).stream().findFirst();
        }
    }

    private List<ModelView> query(Connection c, UUID only) throws SQLException {
        List<ModelView> result = new ArrayList<>();
        Map<UUID, List<Evaluation>> byKind = evaluationsByKind(c, only);
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT m.id, m.name, m.format, m.scale, m.residual_blocks, m.source, m.source_job_id, m.source_checkpoint_id,
                       m.is_default, m.description, b.size_bytes, m.created_at,
                       e.image_count, e.psnr, e.ssim, e.bicubic_psnr, e.bicubic_ssim, e.ms_per_image, e.created_at AS evaluated_at,
                       e.niqe, e.bicubic_niqe, e.hr_niqe, e.degradation::text AS degradation,
                       k.photo AS crop_photo, k.x AS crop_x, k.y AS crop_y, k.size AS crop_size, k.psnr AS crop_psnr
                FROM models m JOIN blobs b ON b.id = m.blob_id
                LEFT JOIN model_comparisons k ON k.model_id = m.id
                LEFT JOIN LATERAL (SELECT * FROM model_evaluations x WHERE x.model_id = m.id ORDER BY x.created_at DESC LIMIT 1) e ON true
                WHERE (?::uuid IS NULL OR m.id = ?) ORDER BY m.is_default DESC, m.created_at DESC""")) {
            ps.setObject(1, only);
            ps.setObject(2, only);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Evaluation ev = rs.getObject("psnr") == null ? null : evaluation(rs, "evaluated_at");
                    result.add(new ModelView(
                            rs.getObject("id", UUID.class),
                            rs.getString("name"),
                            rs.getString("format"),
                            rs.getInt("scale"),
                            (Integer) rs.getObject("residual_blocks"),
                            rs.getString("source"),
                            rs.getObject("source_job_id", UUID.class),
                            rs.getObject("source_checkpoint_id", UUID.class),
                            rs.getBoolean("is_default"),
                            rs.getString("description"),
                            rs.getLong("size_bytes"),
                            rs.getObject("created_at", OffsetDateTime.class),
                            ev,
                            byKind.getOrDefault(rs.getObject("id", UUID.class), List.of()),
                            comparison(rs)));
                }
            }
        }
        return result;
    }

    /**
     * Each model's newest evaluation of each kind of input: on the bicubic shrink first, then on
     * each degradation it was measured on (by its words), so that a model measured on clean and on
     * degraded photos shows both.
     */
    private static Map<UUID, List<Evaluation>> evaluationsByKind(Connection c, UUID only) throws SQLException {
        Map<UUID, List<Evaluation>> result = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT DISTINCT ON (model_id, degradation) model_id, image_count, psnr, ssim, bicubic_psnr, bicubic_ssim,
                       ms_per_image, created_at, niqe, bicubic_niqe, hr_niqe, degradation::text AS degradation
                FROM model_evaluations
                WHERE (?::uuid IS NULL OR model_id = ?)
                ORDER BY model_id, degradation NULLS FIRST, created_at DESC""")) {
            ps.setObject(1, only);
            ps.setObject(2, only);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.computeIfAbsent(rs.getObject("model_id", UUID.class), id -> new ArrayList<>())
                            .add(evaluation(rs, "created_at"));
                }
            }
        }
        return result;
    }

    private static Evaluation evaluation(ResultSet rs, String at) throws SQLException {
        return new Evaluation(
                rs.getInt("image_count"),
                rs.getDouble("psnr"),
                rs.getDouble("ssim"),
                rs.getDouble("bicubic_psnr"),
                rs.getDouble("bicubic_ssim"),
                rs.getDouble("ms_per_image"),
                rs.getObject(at, OffsetDateTime.class),
                rs.getObject("niqe", Double.class),
                rs.getObject("bicubic_niqe", Double.class),
                rs.getObject("hr_niqe", Double.class),
                degradation(rs.getString("degradation")));
    }

    /** A stored degradation in words ("blur σ 1.5 px, noise σ 5 levels, JPEG quality 67"), null for none. */
    private static String degradation(String json) throws SQLException {
        if (json == null) {
            return null;
        }
        try {
            return DEGRADATION.readValue(json, Degradation.class).describe();
        } catch (java.io.IOException e) {
            throw new SQLException("model_evaluations.degradation is not a degradation: " + json, e);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper DEGRADATION =
            new com.fasterxml.jackson.databind.ObjectMapper();

    private static ComparisonView comparison(ResultSet rs) throws SQLException {
        String photo = rs.getString("crop_photo");
        if (photo == null) {
            return null;
        }
        UUID id = rs.getObject("id", UUID.class);
        int scale = rs.getInt("scale");
        return new ComparisonView(
                photo,
                rs.getInt("crop_x"),
                rs.getInt("crop_y"),
                rs.getInt("crop_size"),
                rs.getDouble("crop_psnr"),
                "/api/models/" + id + "/comparison",
                "/api/models/comparison/bicubic?scale=" + scale,
                "/api/models/comparison/original");
    }
}
