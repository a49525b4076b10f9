package dev.srgan.dashboard;

import dev.srgan.core.auth.Requires;
import dev.srgan.core.auth.Role;
import dev.srgan.core.auth.TokenStore;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.util.List;

/** Token management for admins: create a token with a role and a name, list them, revoke. */
@Path("/admin")
@Produces(MediaType.TEXT_HTML)
@Requires(Role.ADMIN)
public class AdminPage {
    @Inject
    TokenStore tokens;

    @CheckedTemplate(basePath = "dashboard")
    static class Templates {
        static native TemplateInstance admin(List<TokenStore.TokenView> tokens);
    }

    @GET
    public TemplateInstance page() throws SQLException {
        return Templates.admin(tokens.list());
    }
}
