package dev.srgan.platform.models;

import dev.srgan.platform.blobs.BlobStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/**
 * Writes a model's comparison crop ({@code model_comparisons}, one per model): the worker after an
 * EVALUATE job, the api for a shipped model. The crop replaces the model's earlier one, whose blob
 * is deleted in the same transaction.
 */
@ApplicationScoped
public class ModelComparisonStore {

    /** Where the crop was cut from: the photo's name and the square window. */
    public record Window(String photo, int x, int y, int size) {}

    @Inject
    BlobStore blobs;

    /** Stores the crop (PNG) and its PSNR(Y) against the original's window, on the caller's transaction. */
    public void store(Connection c, UUID modelId, Window window, byte[] png, double psnr)
            throws SQLException, IOException {
        BlobStore.Blob blob = blobs.write(c, new ByteArrayInputStream(png), "image/png", Long.MAX_VALUE);
        UUID previous = null;
        try (PreparedStatement old =
                c.prepareStatement("SELECT blob_id FROM model_comparisons WHERE model_id = ? FOR UPDATE")) {
            old.setObject(1, modelId);
            try (ResultSet rs = old.executeQuery()) {
                if (rs.next()) {
                    previous = rs.getObject(1, UUID.class);
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO model_comparisons (model_id, photo, x, y, size, psnr, blob_id) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (model_id) DO UPDATE SET photo = excluded.photo, x = excluded.x, y = excluded.y, size = excluded.size,
                                                     psnr = excluded.psnr, blob_id = excluded.blob_id, created_at = now()""")) {
            ps.setObject(1, modelId);
            ps.setString(2, window.photo());
            ps.setInt(3, window.x());
            ps.setInt(4, window.y());
            ps.setInt(5, window.size());
            ps.setDouble(6, psnr);
            ps.setObject(7, blob.id());
            ps.executeUpdate();
        }
        if (previous != null) {
            blobs.delete(c, previous);
        }
    }
}
