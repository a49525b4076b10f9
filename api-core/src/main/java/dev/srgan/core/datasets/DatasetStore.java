package dev.srgan.core.datasets;

import dev.srgan.core.errors.ApiException;
import dev.srgan.core.training.TrainingStore;
import dev.srgan.domain.datasets.ValidationSplit;
import dev.srgan.networks.training.TrainingConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The uploaded training datasets, as the API and the training pages read them. */
@ApplicationScoped
public class DatasetStore {

    @Inject
    DataSource dataSource;

    /**
     * A dataset: its name, how many images, its size, when it was uploaded, and the shortest side
     * over its images (null for datasets stored before it was measured).
     */
    public record DatasetView(
            UUID id,
            String name,
            int imageCount,
            long sizeBytes,
            OffsetDateTime createdAt,

            @Schema(
                    description = "the shortest side, in pixels, over the dataset's images: the largest hrCropSize"
                            + " a training run on it can use (null for a dataset uploaded before this was measured)")
            Integer smallestSide) {}

    private static final String COLUMNS = "id, name, image_count, size_bytes, created_at, smallest_side";

    private static DatasetView view(ResultSet rs) throws SQLException {
        return new DatasetView(
                rs.getObject(1, UUID.class),
                rs.getString(2),
                rs.getInt(3),
                rs.getLong(4),
                rs.getObject(5, OffsetDateTime.class),
                rs.getObject(6, Integer.class));
    }

    /** Every dataset, newest first. */
    public List<DatasetView> list() throws SQLException {
        List<DatasetView> result = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("SELECT " + COLUMNS + " FROM datasets ORDER BY created_at DESC");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                result.add(view(rs));
            }
        }
        return result;
    }

    /** One dataset, on the caller's connection; 404 when there is none. */
    /** The dataset, or a 404 naming it. */
    public DatasetView find(UUID id) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return find(c, id);
        }
    }

    public DatasetView find(Connection c, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM datasets WHERE id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw ApiException.notFound("no dataset " + id);
                }
                return view(rs);
            }
        }
    }

    /**
     * Inserts a dataset row for a stored zip blob on the caller's transaction; returns its view.
     *
     * @param smallestSide the shortest side over its images, {@code smallestImage} the one that has it
     */
    /** An image of a dataset as its upload found it: its name in the zip, size and bytes. */
    public record ImageEntry(String name, int width, int height, long sizeBytes) {}

    /**
     * An image of a dataset as {@code GET /api/datasets/{id}/images} shows it, with its part in a run
     * that holds out the dataset's own validation images ({@link ValidationSplit}).
     */
    @Schema(name = "DatasetImage")
    public record DatasetImage(
            String name,
            int width,
            int height,
            long sizeBytes,

            @Schema(
                    enumeration = {"training", "validation", "both"},
                    description = "its part when a run validates on the dataset's own last tenth by"
                            + " name; \"both\" for the single image of a one-image dataset; a run with a"
                            + " validationDatasetId trains on every image")
            String split) {}

    /** The images of a dataset, ordered by name as a training run orders them. */
    @Schema(name = "DatasetImages")
    public record Images(UUID datasetId, String name, int count, int heldOut, List<DatasetImage> images) {}

    public DatasetView insert(
            Connection c,
            String name,
            int images,
            long sizeBytes,
            UUID blobId,
            int smallestSide,
            String smallestImage,
            List<ImageEntry> entries)
            throws SQLException {
        UUID id = UUID.randomUUID();
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO datasets (id, name, image_count, size_bytes, blob_id, smallest_side, smallest_image)
                VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING created_at""")) {
            ps.setObject(1, id);
            ps.setString(2, name);
            ps.setInt(3, images);
            ps.setLong(4, sizeBytes);
            ps.setObject(5, blobId);
            ps.setInt(6, smallestSide);
            ps.setString(7, smallestImage);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                insertImages(c, id, entries);
                return new DatasetView(
                        id, name, images, sizeBytes, rs.getObject(1, OffsetDateTime.class), smallestSide);
            }
        }
    }

    /** The stored zip of a dataset; 404 for no such dataset. */
    public UUID blobId(UUID id) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT blob_id FROM datasets WHERE id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw ApiException.notFound("no dataset " + id);
                }
                return rs.getObject(1, UUID.class);
            }
        }
    }

    /** Records a dataset's images, in the zip's order, on the caller's transaction. */
    public void insertImages(Connection c, UUID datasetId, List<ImageEntry> entries) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO dataset_images (dataset_id, ordinal, name, width, height, size_bytes)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""")) {
            for (int i = 0; i < entries.size(); i++) {
                ImageEntry e = entries.get(i);
                ps.setObject(1, datasetId);
                ps.setInt(2, i);
                ps.setString(3, e.name());
                ps.setInt(4, e.width());
                ps.setInt(5, e.height());
                ps.setLong(6, e.sizeBytes());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** A job that uses a dataset: a run that trains or validates on it, an evaluation on it. */
    public record User(UUID id, String type, String name, String status, String use) {}

    /** The jobs that use the dataset, newest first, at most {@code limit}: what deleting it would touch. */
    public List<User> users(UUID id, int limit) throws SQLException {
        List<User> users = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                        SELECT j.id, j.type, j.name, j.status,
                               CASE WHEN j.dataset_id = ? AND j.type = 'TRAINING' THEN 'trains on it'
                                    WHEN j.dataset_id = ? THEN 'evaluates on it' ELSE 'validates on it' END
                        FROM jobs j LEFT JOIN training_runs t ON t.job_id = j.id
                        WHERE j.dataset_id = ? OR t.validation_dataset_id = ?
                        ORDER BY j.created_at DESC, j.id LIMIT ?""")) {
            for (int i = 1; i <= 4; i++) {
                ps.setObject(i, id);
            }
            ps.setInt(5, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    users.add(new User(
                            rs.getObject(1, UUID.class),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getString(5)));
                }
            }
        }
        return users;
    }

    /**
     * The dataset's images ordered by name (as a run orders them, Java's string order) with the
     * part each plays when a run holds out the dataset's own validation images; empty when the
     * dataset has none recorded (uploaded before they were), 404 for no such dataset.
     */
    public Optional<Images> images(UUID id) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            String name;
            try (PreparedStatement ps = c.prepareStatement("SELECT name FROM datasets WHERE id = ?")) {
                ps.setObject(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw ApiException.notFound("no dataset " + id);
                    }
                    name = rs.getString(1);
                }
            }
            List<ImageEntry> entries = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT name, width, height, size_bytes FROM dataset_images WHERE dataset_id = ? ORDER BY ordinal")) {
                ps.setObject(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        entries.add(new ImageEntry(rs.getString(1), rs.getInt(2), rs.getInt(3), rs.getLong(4)));
                    }
                }
            }
            if (entries.isEmpty()) {
                return Optional.empty();
            }
            entries.sort(java.util.Comparator.comparing(ImageEntry::name));
            int n = entries.size();
            List<DatasetImage> images = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ImageEntry e = entries.get(i);
                String split = n == 1 ? "both" : ValidationSplit.validates(i, n) ? "validation" : "training";
                images.add(new DatasetImage(e.name(), e.width(), e.height(), e.sizeBytes(), split));
            }
            return Optional.of(new Images(id, name, n, ValidationSplit.heldOut(n), images));
        }
    }

    /** A dataset's name, on the caller's transaction; 422 naming {@code field} when there is no such dataset. */
    public String requireName(Connection c, UUID id, String field) throws SQLException {
        return requireUsable(c, id, field, List.of());
    }

    /**
     * A dataset to validate runs of {@code scale} on, on the caller's transaction: 422 naming
     * {@code field} when there is no such dataset, or when an image is too small to validate on (the
     * image named; SSIM's window needs 11 + 2 x scale pixels a side after the border).
     */
    public TrainingStore.ValidationDataset requireValidation(Connection c, UUID id, String field, int scale)
            throws SQLException {
        Smallest d = smallest(c, id, field);
        int minimum = TrainingConfig.minimumValidationSide(scale);
        if (d.side() != null && d.side() < minimum) {
            throw ApiException.unprocessable(
                    field,
                    "'" + d.image() + "' in dataset '" + d.name() + "' is " + d.side()
                            + " pixels on its short side; validating at " + scale + "x needs at least " + minimum);
        }
        return new TrainingStore.ValidationDataset(id, d.name());
    }

    /** A dataset's name and its smallest image (null for datasets from before it was measured). */
    private record Smallest(String name, Integer side, String image) {}

    /** 422 naming {@code field} when there is no such dataset. */
    private static Smallest smallest(Connection c, UUID id, String field) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT name, smallest_side, smallest_image FROM datasets WHERE id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw ApiException.unprocessable(field, "no dataset " + id);
                }
                return new Smallest(rs.getString(1), rs.getObject(2, Integer.class), rs.getString(3));
            }
        }
    }

    /**
     * A dataset's name, on the caller's transaction, once every {@code hrCropSize} can be cut from
     * each of its images: 422 naming {@code field} when there is no such dataset, 422 naming
     * hrCropSize (and the image) when a crop is larger than its smallest image.
     */
    public String requireUsable(Connection c, UUID id, String field, Collection<Integer> hrCropSizes)
            throws SQLException {
        Smallest d = smallest(c, id, field);
        int crop = hrCropSizes.stream().max(Integer::compare).orElse(0);
        if (d.side() != null && crop > d.side()) {
            throw ApiException.unprocessable(
                    "hrCropSize",
                    "hrCropSize " + crop + " does not fit in every image of dataset '" + d.name() + "': '" + d.image()
                            + "' is " + d.side() + " pixels on its short side; use an hrCropSize of at most "
                            + d.side() + " (a multiple of the scale), or a dataset without that image");
        }
        return d.name();
    }
}
