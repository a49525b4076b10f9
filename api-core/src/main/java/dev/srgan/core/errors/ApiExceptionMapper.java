package dev.srgan.core.errors;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.srgan.domain.jobs.IllegalJobTransitionException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** One place that turns every error into {@code {"error": "...", "field": "..."}} with the right status. */
public class ApiExceptionMapper {
    private static final Logger LOG = Logger.getLogger(ApiExceptionMapper.class);

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return json(e.status(), new ApiError(e.getMessage(), e.field()));
    }

    @ServerExceptionMapper
    public Response transition(IllegalJobTransitionException e) {
        return json(409, new ApiError(e.getMessage(), null));
    }

    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e) {
        return json(400, new ApiError("the request body is not valid JSON: " + e.getOriginalMessage(), null));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status == 400 && findCause(e, JsonProcessingException.class) != null) {
            return json(
                    400,
                    new ApiError(
                            "the request body is not valid JSON: "
                                    + findCause(e, JsonProcessingException.class)
                                            .getOriginalMessage(),
                            null));
        }
        String message = switch (status) {
            case 400 -> "the request could not be read: " + e.getMessage();
            case 404 -> "not found";
            case 405 -> "method not allowed";
            case 401 -> "sign in: send 'Authorization: Bearer <token>'";
            case 403 -> "not allowed";
            case 413 -> "the upload is larger than the limit (srgan.upload.max-bytes)";
            case 415 -> "unsupported content type";
            default -> e.getMessage();
        };
        return json(status, new ApiError(message, null));
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("unexpected error", e);
        return json(500, new ApiError("internal error: " + e.getClass().getSimpleName(), null));
    }

    static <T extends Throwable> T findCause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    static Response json(int status, ApiError error) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(error)
                .build();
    }
}
