package dev.srgan.worker.jobs;

import dev.srgan.platform.blobs.BlobStore;
import dev.srgan.worker.config.WorkerConfig;
import dev.srgan.worker.training.DatasetArchive;
import dev.srgan.worker.upscale.ModelCache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/** What jobs read before they run: the model a job names, and its dataset unpacked to a scratch folder. */
@ApplicationScoped
public class JobInputs {
    @Inject
    WorkerConfig config;

    @Inject
    DataSource dataSource;

    @Inject
    BlobStore blobs;

    /** The model row a job names; a permanent failure when it is gone. */
    public ModelCache.Model model(UUID modelId) throws SQLException, JobFailure {
        return model(modelId, "model");
    }

    /**
     * The model row a job names as {@code role} ("model", "blend model"); a permanent failure when
     * it is gone.
     */
    public ModelCache.Model model(UUID modelId, String role) throws SQLException, JobFailure {
        if (modelId == null) {
            throw JobFailure.permanent("the job has no " + role + ": it was deleted");
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("SELECT format, scale, residual_blocks, blob_id FROM models WHERE id = ?")) {
            ps.setObject(1, modelId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw JobFailure.permanent("the job's " + role + " " + modelId + " no longer exists");
                }
                return new ModelCache.Model(
                        modelId, rs.getString(1), rs.getInt(2), (Integer) rs.getObject(3), rs.getObject(4, UUID.class));
            }
        }
    }

    /** Streams the dataset blob to a scratch file (never whole in the heap), then unpacks its images into {@code dir}. */
    public List<DatasetArchive.Image> unpackDataset(UUID datasetId, Path dir)
            throws SQLException, IOException, JobFailure {
        if (datasetId == null) {
            throw JobFailure.permanent("the job has no dataset: it was deleted");
        }
        UUID blobId;
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT blob_id FROM datasets WHERE id = ?")) {
            ps.setObject(1, datasetId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw JobFailure.permanent("the job's dataset " + datasetId + " no longer exists");
                }
                blobId = rs.getObject(1, UUID.class);
            }
        }
        Path zip = dir.resolve("dataset.zip");
        try (Connection c = dataSource.getConnection();
                OutputStream out = Files.newOutputStream(zip)) {
            if (blobs.find(c, blobId).isEmpty()) {
                throw JobFailure.permanent("the dataset was not stored completely; upload it again");
            }
            blobs.copyTo(c, blobId, out);
        }
        Path images = Files.createDirectory(dir.resolve("images"));
        try {
            return DatasetArchive.extract(zip, images, config.maxDatasetBytes());
        } finally {
            Files.deleteIfExists(zip);
        }
    }
}
