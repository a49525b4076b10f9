package dev.srgan.api.audit;

import dev.srgan.api.PageRequest;
import dev.srgan.core.audit.AuditLog;
import dev.srgan.core.auth.Requires;
import dev.srgan.core.auth.Role;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /api/audit}: who deleted what, and who changed tokens and models (admin). */
@Path("/api/audit")
@Produces(MediaType.APPLICATION_JSON)
@Requires(Role.ADMIN)
@Tag(name = "Tokens", description = "API tokens (admin)")
public class AuditResource {
    @Inject
    AuditLog audit;

    @GET
    @Operation(
            operationId = "listAudit",
            summary = "The audit log, newest first: deletions and changes to tokens and models, with who made them")
    @APIResponse(responseCode = "200", description = "a page of entries")
    @APIResponse(responseCode = "400", description = "an unknown action, a page below 0, a size out of 1..200")
    @APIResponse(responseCode = "403", description = "the token's role is below ADMIN")
    public AuditLog.Page list(
            @QueryParam("action")
                    @Parameter(
                            description =
                                    "only this action: job.deleted, sweep.deleted, model.deleted, dataset.deleted, "
                                            + "model.registered, model.default, token.created, token.revoked, token.limit")
                    String action,
            @QueryParam("actor") @Parameter(description = "only changes by this token name") String actor,
            @QueryParam("page") Integer page,
            @QueryParam("size") Integer size)
            throws SQLException {
        PageRequest paging = PageRequest.of(page, size, 50);
        return audit.list(blank(action), blank(actor), paging.page(), paging.size());
    }

    private static String blank(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
