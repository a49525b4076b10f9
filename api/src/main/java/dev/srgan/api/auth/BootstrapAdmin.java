package dev.srgan.api.auth;

import dev.srgan.core.auth.TokenStore;
import dev.srgan.core.config.ApiConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.SQLException;
import org.jboss.logging.Logger;

/**
 * Registers the admin token that {@code ./srgan up} generated (or a deployment took from a
 * Secret) in {@code SRGAN_BOOTSTRAP_ADMIN_TOKEN}, so the first admin can sign in and create
 * everyone else's tokens. Runs after Flyway; does nothing once an admin token exists.
 */
@ApplicationScoped
public class BootstrapAdmin {
    private static final Logger LOG = Logger.getLogger(BootstrapAdmin.class);

    @Inject
    ApiConfig config;

    @Inject
    TokenStore tokens;

    void onStart(@Observes StartupEvent event) throws SQLException {
        if (!config.auth().enabled()) {
            LOG.warn("srgan.auth.enabled=false: the api and the dashboard accept every request without a token");
            return;
        }
        if (config.bootstrapAdminToken().isEmpty()
                || config.bootstrapAdminToken().get().isBlank()) {
            return;
        }
        if (config.bootstrapAdminToken().get().trim().length() < 20) {
            throw new IllegalStateException(
                    "SRGAN_BOOTSTRAP_ADMIN_TOKEN is too short (at least 20 characters; ./srgan up generates 256-bit ones)");
        }
        if (tokens.bootstrapAdmin(config.bootstrapAdminToken().get())) {
            LOG.info("registered the bootstrap admin token from SRGAN_BOOTSTRAP_ADMIN_TOKEN");
        }
    }
}
