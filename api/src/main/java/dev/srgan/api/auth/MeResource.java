package dev.srgan.api.auth;

import dev.srgan.core.auth.Caller;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /api/me}: the token a request came with, by name and role (what jobs record as submittedBy). */
@Path("/api/me")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Tokens", description = "API tokens (admin)")
public class MeResource {
    /** The caller. */
    @Schema(name = "Me")
    public record Me(
            @Schema(description = "the token's name, as jobs record it in submittedBy")
            String name,

            @Schema(enumeration = {"VIEWER", "OPERATOR", "ADMIN"})
            String role) {}

    @GET
    @Operation(operationId = "me", summary = "The token this request came with: its name and role")
    @APIResponse(responseCode = "200", description = "the caller")
    public Me me(@Context ContainerRequestContext http) {
        Caller caller = (Caller) http.getProperty(Caller.PROPERTY);
        return new Me(caller.name(), caller.role().name());
    }
}
