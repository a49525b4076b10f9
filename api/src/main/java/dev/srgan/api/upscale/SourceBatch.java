package dev.srgan.api.upscale;

import dev.srgan.core.errors.ApiException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The images of an earlier BATCH job, which a new batch takes instead of uploads ({@code
 * sourceJobId} on {@code POST /api/upscale/batch}): the same photos with another model, blend or
 * output, without sending them again. Each image of the new batch gets its own copy (as {@link
 * SourceImage} does for one) and records the first upscale of its photo, so the Upscale page of
 * any of them compares it with its upscales in other batches.
 *
 * @param jobId the batch asked for
 * @param rootJobId the first batch of these photos: {@code jobId}, or the one it was made from
 * @param name the batch's name, which the new batch takes
 * @param zipName the zip it was uploaded as, or null
 * @param images its images, in its order
 */
record SourceBatch(UUID jobId, UUID rootJobId, String name, String zipName, List<SourceImage> images) {

    /**
     * Reads the batch and its images on {@code c}; 422 on {@code sourceJobId} for no such job, one
     * that is not a batch, or a batch whose images are no longer stored.
     */
    static SourceBatch find(Connection c, UUID id) throws SQLException {
        String name;
        String zipName;
        UUID root;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT type, name, input_name, params->>'" + SourceImage.FIELD + "' FROM jobs WHERE id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw ApiException.unprocessable(SourceImage.FIELD, "there is no job " + id);
                }
                String type = rs.getString(1);
                if (type.equals("UPSCALE")) {
                    throw ApiException.unprocessable(
                            SourceImage.FIELD,
                            "job " + id + " is a single upscale; send it as sourceJobId to POST /api/upscale");
                }
                if (!type.equals("BATCH")) {
                    throw ApiException.unprocessable(
                            SourceImage.FIELD, "job " + id + " is a " + type + " job, not a batch of upscales");
                }
                name = rs.getString(2);
                zipName = rs.getString(3);
                root = rs.getString(4) == null ? id : UUID.fromString(rs.getString(4));
            }
        }
        List<SourceImage> images = new ArrayList<>();
        // one query for all of them: a batch of 100 run again reads its images at once
        try (PreparedStatement ps =
                c.prepareStatement(SourceImage.SELECT + "WHERE j.batch_id = ? ORDER BY j.batch_index")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    images.add(SourceImage.read(rs, "batch " + id));
                }
            }
        }
        if (images.isEmpty()) { // a batch is never stored without images; one may be mid-deletion
            throw ApiException.unprocessable(SourceImage.FIELD, "the images of batch " + id + " are no longer stored");
        }
        return new SourceBatch(id, root, name, zipName, images);
    }
}
