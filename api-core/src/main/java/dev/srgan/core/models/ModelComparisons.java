package dev.srgan.core.models;

import dev.srgan.core.errors.ApiException;
import dev.srgan.networks.evaluation.Comparison;
import dev.srgan.networks.image.Images;
import dev.srgan.platform.models.ModelComparisonStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * The comparison crops of the Models page (networks {@link Comparison}): each model's crop, made
 * where the model ran (an EVALUATE job, or at ship time) and kept in {@code model_comparisons}; the
 * original's and bicubic's crops, rendered here from the photo on first use and kept in memory.
 */
@ApplicationScoped
public class ModelComparisons {

    /** A model's crop: where it was cut, and its PSNR(Y) against the original's. */
    public record Crop(String photo, int x, int y, int size, double psnr, UUID blobId) {}

    /** A reference crop (original or bicubic) as PNG, with its PSNR (null for the original). */
    public record Reference(byte[] png, Double psnr) {}

    @Inject
    DataSource dataSource;

    @Inject
    ModelComparisonStore writer;

    private final Map<String, Reference> references = new ConcurrentHashMap<>();

    /** The model's crop, if it has one. */
    public Optional<Crop> find(Connection c, UUID modelId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT photo, x, y, size, psnr, blob_id FROM model_comparisons WHERE model_id = ?")) {
            ps.setObject(1, modelId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? Optional.of(new Crop(
                                rs.getString(1),
                                rs.getInt(2),
                                rs.getInt(3),
                                rs.getInt(4),
                                rs.getDouble(5),
                                rs.getObject(6, UUID.class)))
                        : Optional.empty();
            }
        }
    }

    /** Stores a model's crop (a shipped model's, read from the api jar), replacing any earlier one. */
    public void store(Connection c, UUID modelId, byte[] png, double psnr) throws SQLException, IOException {
        writer.store(
                c,
                modelId,
                new ModelComparisonStore.Window(Comparison.PHOTO, Comparison.X, Comparison.Y, Comparison.SIZE),
                png,
                psnr);
    }

    /**
     * The original's crop ({@code kind} "original") or bicubic's at a scale ("bicubic").
     *
     * @throws ApiException 404 for another kind, 400 for a scale other than 2, 4 or 8
     */
    public Reference reference(String kind, int scale) {
        if (!kind.equals("original") && !kind.equals("bicubic")) {
            throw ApiException.notFound("no comparison crop '" + kind + "': original or bicubic");
        }
        if (scale != 2 && scale != 4 && scale != 8) {
            throw ApiException.badRequest("scale", "scale must be 2, 4 or 8, got " + scale);
        }
        return references.computeIfAbsent(kind.equals("original") ? kind : kind + scale, k -> {
            if (kind.equals("original")) {
                return new Reference(Images.png(Comparison.original()), null);
            }
            var crop = Comparison.bicubic(scale);
            return new Reference(Images.png(crop), Comparison.psnr(crop));
        });
    }
}
