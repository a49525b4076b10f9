package dev.srgan.api;

import jakarta.ws.rs.core.Response;

/** A download: a body served as an attachment under a file name (a CSV, a checkpoint, an ONNX model). */
public final class Attachment {
    private Attachment() {}

    /**
     * A 200 whose body a browser saves as {@code fileName} instead of showing it.
     *
     * @param body the entity (bytes, or a {@code StreamingOutput})
     * @param contentType its media type
     * @param fileName the name to save it as, without quotes or path
     * @return the response, to add headers to and build
     */
    public static Response.ResponseBuilder of(Object body, String contentType, String fileName) {
        return Response.ok(body, contentType)
                .header("Content-Disposition", "attachment; filename=\"" + fileName + "\"");
    }
}
