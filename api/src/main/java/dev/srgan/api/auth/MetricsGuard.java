package dev.srgan.api.auth;

import dev.srgan.core.auth.AuthFilter;
import dev.srgan.core.auth.Caller;
import dev.srgan.core.auth.TokenStore;
import dev.srgan.core.config.ApiConfig;
import dev.srgan.core.errors.ApiError;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Optional;

/**
 * {@code /q/metrics} is served by Micrometer outside JAX-RS, so {@link AuthFilter} never sees it.
 * With {@code srgan.auth.metrics-public=false} this route in front of it asks for a bearer token
 * (any role), for scrapers that can send one; by default Prometheus scrapes without credentials.
 */
@ApplicationScoped
public class MetricsGuard {
    @Inject
    ApiConfig config;

    @Inject
    TokenStore tokens;

    void install(@Observes Router router) {
        if (!config.auth().enabled() || config.auth().metricsPublic()) {
            return;
        }
        router.route("/q/metrics*").order(-10).blockingHandler(this::check, false);
    }

    private void check(RoutingContext ctx) {
        String header = ctx.request().getHeader("Authorization");
        try {
            Optional<Caller> caller = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                    ? tokens.authenticate(header.substring(7).trim(), false)
                    : Optional.empty();
            if (caller.isPresent()) {
                ctx.next();
                return;
            }
        } catch (java.sql.SQLException e) {
            ctx.fail(e);
            return;
        }
        ctx.response()
                .setStatusCode(401)
                .putHeader("Content-Type", "application/json")
                .putHeader("WWW-Authenticate", "Bearer realm=\"srgan\"")
                .end(JsonObject.mapFrom(new ApiError(
                                "metrics need 'Authorization: Bearer <token>' (srgan.auth.metrics-public=false)", null))
                        .encode());
    }
}
