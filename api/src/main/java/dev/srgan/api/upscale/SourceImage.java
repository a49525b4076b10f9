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

    /** The columns {@link #read} takes, from {@code jobs j} and its input's blob {@code b}. */
    static final String SELECT = """
            SELECT j.id, j.type, j.input_blob_id, j.input_name, j.params::text, b.content_type
            FROM jobs j LEFT JOIN blobs b ON b.id = j.input_blob_id AND b.complete
            """;

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
        try (PreparedStatement ps = c.prepareStatement(SELECT + "WHERE j.id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw ApiException.unprocessable(FIELD, "there is no job " + id);
                }
                return read(rs, null);
            }
        }
    }

    /**
     * The image of the job on the current row of a query of {@link #SELECT}; 422 for a job that is
     * not a single upscale or whose image is no longer stored; {@code batch} (e.g. "batch
     * &lt;id&gt;"), when not null, names the batch it was read for in that refusal.
     */
    static SourceImage read(ResultSet rs, String batch) throws SQLException {
        UUID id = rs.getObject(1, UUID.class);
        String type = rs.getString(2);
        if (type.equals("BATCH")) {
            throw ApiException.unprocessable(
                    FIELD,
                    "job " + id + " is a batch; send the job of one of its images (batch.images[].jobId),"
                            + " or the batch as sourceJobId to POST /api/upscale/batch");
        }
        if (!type.equals("UPSCALE")) {
            throw ApiException.unprocessable(FIELD, "job " + id + " is a " + type + " job, not an upscale");
        }
        UUID blob = rs.getObject(3, UUID.class);
        String inputName = rs.getString(4);
        ImageFormat format = ImageFormat.byContentType(rs.getString(6)).orElse(null);
        if (blob == null || format == null) {
            throw ApiException.unprocessable(
                    FIELD,
                    batch == null
                            ? "the image of job " + id + " is no longer stored"
                            : "the image '" + inputName + "' of " + batch + " is no longer stored");
        }
        JsonNode params = params(rs.getString(5));
        String root = params.path(FIELD).asText("");
        return new SourceImage(
                id,
                root.isEmpty() ? id : UUID.fromString(root),
                blob,
                inputName == null ? "image" : inputName,
                new ImageInspector.ImageInfo(
                        format,
                        params.path("inputWidth").asInt(),
                        params.path("inputHeight").asInt()));
    }

    private static JsonNode params(String text) {
        try {
            return JSON.readTree(text == null ? "{}" : text);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }
}
