package dev.srgan.api.upload;

import dev.srgan.core.config.ApiConfig;
import dev.srgan.core.errors.ApiError;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Answers an over-long request body with JSON before a byte of it is read. Quarkus enforces
 * {@code quarkus.http.limits.max-body-size} with a route of order -2 that ends the response with
 * an empty 413; this route (order -3) runs first and says the same in our error format. A body
 * without Content-Length (chunked) is cut off by Quarkus while streaming and reaches the
 * {@code ApiExceptionMapper} as a 413.
 */
@ApplicationScoped
public class BodyLimit {
    @Inject
    ApiConfig config;

    @ConfigProperty(name = "quarkus.http.limits.max-body-size")
    MemorySize maxBody;

    void install(@Observes Router router) {
        long limit = maxBody.asLongValue();
        router.route().order(-3).handler(ctx -> {
            String length = ctx.request().getHeader("Content-Length");
            long declared;
            try {
                declared = length == null ? -1 : Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                declared = -1;
            }
            if (declared > limit) {
                String body = JsonObject.mapFrom(new ApiError(
                                "the request is " + declared + " bytes; uploads may be at most "
                                        + config.upload().maxBytes() + " bytes (srgan.upload.max-bytes)",
                                null))
                        .encode();
                // the client may still be sending: close the connection once the answer is out, as Quarkus does
                ctx.response()
                        .setStatusCode(413)
                        .putHeader("Content-Type", "application/json")
                        .putHeader("Connection", "close")
                        .endHandler(v -> ctx.request().connection().close());
                ctx.response().end(body);
                return;
            }
            ctx.next();
        });
    }
}
