package dev.srgan.core.models;

import dev.srgan.domain.images.ModelBlend;
import dev.srgan.domain.images.OutputOptions;
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
     * of input ({@code evaluations}: on the bicubic shrink, then on each degradation); {@code
     * blendEvaluations} are those of the model blended with another, per blend and kind of input.
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
            List<Evaluation> blendEvaluations,
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
            String degradation,
            String blend) {}

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
                LEFT JOIN LATERAL (SELECT * FROM model_evaluations x WHERE x.model_id = m.id AND x.blend IS NULL
                                   ORDER BY x.created_at DESC LIMIT 1) e ON true
                WHERE (?::uuid IS NULL OR m.id = ?) ORDER BY m.is_default DESC, m.created_at DESC""")) {
            ps.setObject(1, only);
            ps.setObject(2, only);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Evaluation ev = rs.getObject("psnr") == null ? null : evaluation(rs, "evaluated_at", null);
                    List<Evaluation> all = byKind.getOrDefault(rs.getObject("id", UUID.class), List.of());
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
                            all.stream().filter(e -> e.blend() == null).toList(),
                            all.stream().filter(e -> e.blend() != null).toList(),
                            comparison(rs)));
                }
            }
        }
        return result;
    }

    /**
     * Each model's newest evaluation of each kind of input: on the bicubic shrink first, then on
     * each degradation it was measured on (by its words), so that a model measured on clean and on
     * degraded photos shows both; the model alone first, then each blend it was measured in.
     */
    private static Map<UUID, List<Evaluation>> evaluationsByKind(Connection c, UUID only) throws SQLException {
        Map<UUID, List<Evaluation>> result = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT DISTINCT ON (e.model_id, e.blend, e.degradation) e.model_id, e.image_count, e.psnr, e.ssim,
                       e.bicubic_psnr, e.bicubic_ssim, e.ms_per_image, e.created_at, e.niqe, e.bicubic_niqe, e.hr_niqe,
                       e.degradation::text AS degradation, e.blend ->> 'modelId' AS blend_model_id,
                       e.blend ->> 'weight' AS blend_weight, e.blend ->> 'mode' AS blend_mode, b.name AS blend_model_name
                FROM model_evaluations e LEFT JOIN models b ON b.id = (e.blend ->> 'modelId')::uuid
                WHERE (?::uuid IS NULL OR e.model_id = ?)
                ORDER BY e.model_id, e.blend NULLS FIRST, e.degradation NULLS FIRST, e.created_at DESC""")) {
            ps.setObject(1, only);
            ps.setObject(2, only);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Evaluation e = evaluation(
                            rs, "created_at", rs.getString("blend_model_id") == null ? null : blendWords(rs));
                    result.computeIfAbsent(rs.getObject("model_id", UUID.class), id -> new ArrayList<>())
                            .add(e);
                }
            }
        }
        return result;
    }

    private static Evaluation evaluation(ResultSet rs, String at, String blend) throws SQLException {
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
                degradation(rs.getString("degradation")),
                blend);
    }

    /** A stored blend in words: "blended 30% with SRResNet 4x (real photos)". */
    private static String blendWords(ResultSet rs) throws SQLException {
        String name = rs.getString("blend_model_name");
        ModelBlend blend;
        try {
            blend = ModelBlend.parse(
                    rs.getString("blend_model_id"), rs.getString("blend_weight"), rs.getString("blend_mode"));
        } catch (OutputOptions.InvalidOption ex) {
            throw new SQLException("model_evaluations.blend is not a blend: " + ex.getMessage(), ex);
        }
        return "blended " + blend.percent() + " with " + (name == null ? "a deleted model" : name) + blend.how();
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
