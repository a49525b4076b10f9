package dev.srgan.api.auth;

import dev.srgan.core.auth.Caller;
import dev.srgan.core.auth.Requires;
import dev.srgan.core.auth.Role;
import dev.srgan.core.auth.TokenStore;
import dev.srgan.core.errors.ApiException;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code /api/tokens}: admins create (with a role and a name), list and revoke API tokens. */
@Path("/api/tokens")
@Produces(MediaType.APPLICATION_JSON)
@Requires(Role.ADMIN)
@Tag(name = "Tokens", description = "API tokens (admin)")
@APIResponse(responseCode = "403", description = "the token's role is below ADMIN")
public class TokenResource {
    @Inject
    TokenStore tokens;

    /** What {@code POST /api/tokens} takes. */
    public record TokenRequest(
            String name,
            String role,

            @Schema(
                    description = "the most jobs its holder may have queued or running at once (0 to 1000000);"
                            + " absent: the cluster's srgan.quota.active-jobs")
            Integer maxActiveJobs) {}

    /** What {@code PATCH /api/tokens/{id}} takes. */
    public record TokenUpdate(
            @Schema(description = "the token's own limit of active jobs; null: the cluster's srgan.quota.active-jobs")
            Integer maxActiveJobs) {}

    @GET
    @Operation(
            operationId = "listTokens",
            summary = "The tokens: id, name, role, created and revoked (never the token)")
    @APIResponse(responseCode = "200", description = "tokens")
    public List<TokenStore.TokenView> list() throws SQLException {
        return tokens.list();
    }

    /** 201 with the raw token: the only time it is shown. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "createToken",
            summary = "Create a token with a name and a role; the answer is the only time the token is shown")
    @APIResponse(
            responseCode = "201",
            description = "the token",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = TokenStore.NewToken.class)))
    @APIResponse(
            responseCode = "400",
            description =
                    "a body that is not JSON, no name or one over 100 characters, a role not VIEWER, OPERATOR or ADMIN, "
                            + "a maxActiveJobs out of 0..1000000")
    public Response create(TokenRequest request, @Context ContainerRequestContext http) throws SQLException {
        if (request == null) {
            throw ApiException.badRequest(null, "send a JSON body: {\"name\": \"ci\", \"role\": \"OPERATOR\"}");
        }
        return Response.status(201)
                .entity(tokens.create(request.name(), request.role(), request.maxActiveJobs(), Caller.name(http)))
                .build();
    }

    @PATCH
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "updateToken",
            summary = "Change a token's limit of active jobs (maxActiveJobs; null for the cluster's)")
    @APIResponse(responseCode = "200", description = "the token")
    @APIResponse(responseCode = "400", description = "a body that is not JSON, a maxActiveJobs out of 0..1000000")
    @APIResponse(responseCode = "404", description = "no such token")
    public TokenStore.TokenView update(
            @PathParam("id") String id, TokenUpdate request, @Context ContainerRequestContext http)
            throws SQLException {
        if (request == null) {
            throw ApiException.badRequest(null, "send a JSON body: {\"maxActiveJobs\": 20}");
        }
        return tokens.limit(id(id), request.maxActiveJobs(), Caller.name(http));
    }

    @POST
    @Path("/{id}/revoke")
    @Operation(operationId = "revokeToken", summary = "Revoke a token: its next request gets 401")
    @APIResponse(responseCode = "200", description = "the token, revoked")
    @APIResponse(responseCode = "404", description = "no such token")
    public TokenStore.TokenView revoke(@PathParam("id") String id, @Context ContainerRequestContext http)
            throws SQLException {
        return tokens.revoke(id(id), Caller.name(http));
    }

    @DELETE
    @Path("/{id}")
    @Operation(operationId = "deleteToken", summary = "Revoke a token, as POST /api/tokens/{id}/revoke")
    @APIResponse(responseCode = "200", description = "the token, revoked")
    @APIResponse(responseCode = "404", description = "no such token")
    public TokenStore.TokenView delete(@PathParam("id") String id, @Context ContainerRequestContext http)
            throws SQLException {
        return tokens.revoke(id(id), Caller.name(http));
    }

    private static UUID id(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("no token " + id);
        }
    }
}
