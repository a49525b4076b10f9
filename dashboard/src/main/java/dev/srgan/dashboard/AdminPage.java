package dev.srgan.dashboard;

import dev.srgan.core.audit.AuditLog;
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
 * jobs, list them, change a limit, revoke; and the audit log's latest entries.
 */
@Path("/admin")
@Produces(MediaType.TEXT_HTML)
@Requires(Role.ADMIN)
public class AdminPage {
    static final int AUDIT_SHOWN = 50;

    @Inject
    TokenStore tokens;

    @Inject
    ApiConfig config;

    @Inject
    AuditLog audit;

    @CheckedTemplate(basePath = "dashboard")
    static class Templates {
        static native TemplateInstance admin(
                List<TokenStore.TokenView> tokens, Integer clusterLimit, AuditLog.Page audit);
    }

    @GET
    public TemplateInstance page() throws SQLException {
        return Templates.admin(
                tokens.list(), config.quota().activeJobs().orElse(null), audit.list(null, null, 0, AUDIT_SHOWN));
    }
}
