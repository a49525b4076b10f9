package dev.srgan.api.auth;

import dev.srgan.core.auth.Caller;
import dev.srgan.core.auth.Quotas;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /api/me}: the token a request came with, by name and role (what jobs record as submittedBy). */
@Path("/api/me")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Tokens", description = "API tokens (admin)")
public class MeResource {
    @Inject
    Quotas quotas;

    /** The caller. */
    @Schema(name = "Me")
    public record Me(
            @Schema(description = "the token's name, as jobs record it in submittedBy")
            String name,

            @Schema(enumeration = {"VIEWER", "OPERATOR", "ADMIN"})
            String role,

            @Schema(
                    description = "the most jobs it may have queued or running at once (its token's own, else the"
                            + " cluster's); null: no limit")
            Integer maxActiveJobs,

            @Schema(description = "its jobs queued or running now, an image of a batch and a run of a sweep each one")
            long activeJobs) {}

    @GET
    @Operation(
            operationId = "me",
            summary = "The token this request came with: its name, role, limit of active jobs and how many it has")
    @APIResponse(responseCode = "200", description = "the caller")
    public Me me(@Context ContainerRequestContext http) throws SQLException {
        Caller caller = (Caller) http.getProperty(Caller.PROPERTY);
        Quotas.Usage usage = quotas.usage(caller);
        return new Me(caller.name(), caller.role().name(), usage.maxActiveJobs(), usage.activeJobs());
    }
}
