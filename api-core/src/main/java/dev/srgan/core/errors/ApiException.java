package dev.srgan.core.errors;

/**
 * An error the client can fix, with its HTTP status and, where it concerns one input, the field.
 * The {@link ApiExceptionMapper} turns it into {@code {"error": "...", "field": "..."}}.
 */
public class ApiException extends RuntimeException {
    private final int status;
    private final String field;

    public ApiException(int status, String message, String field) {
        super(message);
        this.status = status;
        this.field = field;
    }

    public static ApiException badRequest(String field, String message) {
        return new ApiException(400, message, field);
    }

    public static ApiException notFound(String what) {
        return new ApiException(404, what, null);
    }

    public static ApiException conflict(String message) {
        return new ApiException(409, message, null);
    }

    public static ApiException tooLarge(String field, String message) {
        return new ApiException(413, message, field);
    }

    public static ApiException unsupportedType(String field, String message) {
        return new ApiException(415, message, field);
    }

    /** 429: the caller has as much running as it may; it can try again once some has finished. */
    public static ApiException tooManyRequests(String message) {
        return new ApiException(429, message, null);
    }

    public static ApiException unprocessable(String field, String message) {
        return new ApiException(422, message, field);
    }

    public int status() {
        return status;
    }

    public String field() {
        return field;
    }
}
