package dev.srgan.api.upscale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srgan.core.errors.ApiException;
import dev.srgan.domain.images.ImageFormat;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/**
 * The image of an earlier UPSCALE job, which a new upscale takes instead of an upload
 * ({@code sourceJobId}): the same photo with another model, blend or output, without sending it
 * again. The new job gets its own copy of the image (deleting either job leaves the other whole)
 * and records the first upscale of the photo as its {@code sourceJobId}, so every upscale of one
 * photo names the same one and the Upscale page can compare them.
 *
 * @param jobId the job asked for
 * @param rootJobId the first upscale of the photo: {@code jobId}, or the one it was made from
 * @param blobId the job's stored image
 */
record SourceImage(UUID jobId, UUID rootJobId, UUID blobId, String inputName, ImageInspector.ImageInfo info) {

    static final String FIELD = "sourceJobId";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The job id asked for, or null when none is; 400 for text that is not a UUID. */
    static UUID parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return UUID.fromString(text.trim());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(FIELD, FIELD + " must be a job id (UUID), got '" + text + "'");
        }
    }

    /**
     * Reads the job and its image on {@code c}; 422 on {@code sourceJobId} for no such job, one
     * that is not a single upscale, or one whose image is no longer stored.
     */
    static SourceImage find(Connection c, UUID id) throws SQLException {
        return find(c, id, null);
    }

    /**
     * Reads one job's image as {@link #find(Connection, UUID)} does; {@code batch} (e.g. "batch
     * &lt;id&gt;"), when not null, names the batch it was read for in the refusal of an image no longer
     * stored.
     */
    static SourceImage find(Connection c, UUID id, String batch) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT j.type, j.input_blob_id, j.input_name, j.params::text, b.content_type
                FROM jobs j LEFT JOIN blobs b ON b.id = j.input_blob_id AND b.complete
                WHERE j.id = ?""")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw ApiException.unprocessable(FIELD, "there is no job " + id);
                }
                String type = rs.getString(1);
                if (type.equals("BATCH")) {
                    throw ApiException.unprocessable(
                            FIELD,
                            "job " + id + " is a batch; send the job of one of its images (batch.images[].jobId),"
                                    + " or the batch as sourceJobId to POST /api/upscale/batch");
                }
                if (!type.equals("UPSCALE")) {
                    throw ApiException.unprocessable(FIELD, "job " + id + " is a " + type + " job, not an upscale");
                }
                UUID blob = rs.getObject(2, UUID.class);
                ImageFormat format = ImageFormat.byContentType(rs.getString(5)).orElse(null);
                if (blob == null || format == null) {
                    throw ApiException.unprocessable(
                            FIELD,
                            batch == null
                                    ? "the image of job " + id + " is no longer stored"
                                    : "the image '" + rs.getString(3) + "' of " + batch + " is no longer stored");
                }
                JsonNode params = params(rs.getString(4));
                String root = params.path(FIELD).asText("");
                return new SourceImage(
                        id,
                        root.isEmpty() ? id : UUID.fromString(root),
                        blob,
                        rs.getString(3) == null ? "image" : rs.getString(3),
                        new ImageInspector.ImageInfo(
                                format,
                                params.path("inputWidth").asInt(),
                                params.path("inputHeight").asInt()));
            }
        }
    }

    private static JsonNode params(String text) {
        try {
            return JSON.readTree(text == null ? "{}" : text);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }
}
