package dev.srgan.api.models;

import dev.srgan.core.errors.ApiException;
import dev.srgan.networks.checkpoint.Checkpoint;
import dev.srgan.networks.export.DjlParameters;
import dev.srgan.networks.export.OnnxExport;
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
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * A registered model's generator as an ONNX file (networks {@link OnnxExport}), made from its
 * SRGAN model zip on request: the parameters are read without DJL ({@link DjlParameters}), so the
 * api needs no native engine. TorchScript uploads cannot be exported here.
 */
@ApplicationScoped
public class ModelExports {

    /** The file and the name to download it as. */
    public record Export(byte[] bytes, String filename) {}

    @Inject
    DataSource dataSource;

    @Inject
    BlobStore blobs;

    /**
     * @throws ApiException 400 for a format other than onnx, 404 for no such model, 422 for a model
     *     that cannot be exported (TorchScript, or a zip that is not a generator)
     */
    public Export export(UUID modelId, String format) throws SQLException, IOException {
        if (format == null || !format.equalsIgnoreCase("onnx")) {
            throw ApiException.badRequest("format", "format must be onnx, got '" + format + "'");
        }
        String name;
        String modelFormat;
        int scale;
        UUID blobId;
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("SELECT name, format, scale, blob_id FROM models WHERE id = ?")) {
            ps.setObject(1, modelId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw ApiException.notFound("no model " + modelId);
                }
                name = rs.getString(1);
                modelFormat = rs.getString(2);
                scale = rs.getInt(3);
                blobId = rs.getObject(4, UUID.class);
            }
        }
        if (!"CHECKPOINT".equals(modelFormat)) {
            throw ApiException.unprocessable(
                    "format",
                    "model " + modelId + " is a TorchScript upload; only SRGAN models "
                            + "(.srgan.zip) export to ONNX here (export a PyTorch module with torch.onnx.export)");
        }
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        blobs.copyTo(dataSource, blobId, zip);
        byte[] onnx;
        try {
            Checkpoint cp = Checkpoint.read(new ByteArrayInputStream(zip.toByteArray()));
            onnx = OnnxExport.generator(
                    DjlParameters.read(cp.inferenceGeneratorParameters()),
                    cp.config().scale(),
                    cp.config().residualBlocks(),
                    name);
        } catch (IOException | IllegalArgumentException e) {
            throw ApiException.unprocessable("modelId", "model " + modelId + " cannot be exported: " + e.getMessage());
        }
        String base = name.replaceAll("[^A-Za-z0-9._-]+", "-")
                .replaceAll("(^-+|-+$)", "")
                .toLowerCase(Locale.ROOT);
        return new Export(onnx, (base.isEmpty() ? "model" : base) + "-x" + scale + ".onnx");
    }
}
