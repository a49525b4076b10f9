package dev.srgan.dashboard;

import dev.srgan.core.auth.Requires;
import dev.srgan.core.auth.Role;
import dev.srgan.core.auth.TokenStore;
import dev.srgan.core.config.ApiConfig;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.util.List;

/**
 * Token management for admins: create a token with a role, a name and its own limit of active
 * jobs, list them, change a limit, revoke.
 */
@Path("/admin")
@Produces(MediaType.TEXT_HTML)
@Requires(Role.ADMIN)
public class AdminPage {
    @Inject
    TokenStore tokens;

    @Inject
    ApiConfig config;

    @CheckedTemplate(basePath = "dashboard")
    static class Templates {
        static native TemplateInstance admin(List<TokenStore.TokenView> tokens, Integer clusterLimit);
    }

    @GET
    public TemplateInstance page() throws SQLException {
        return Templates.admin(tokens.list(), config.quota().activeJobs().orElse(null));
    }
}
