package dev.srgan.api.auth;

import dev.srgan.api.errors.ApiException;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

/** {@code /api/tokens}: admins create (with a role and a name), list and revoke API tokens. */
@Path("/api/tokens")
@Produces(MediaType.APPLICATION_JSON)
@Requires(Role.ADMIN)
public class TokenResource {
    @Inject
    TokenStore tokens;

    /** What {@code POST /api/tokens} takes. */
    public record TokenRequest(String name, String role) {}

    @GET
    public List<TokenStore.TokenView> list() throws SQLException {
        return tokens.list();
    }

    /** 201 with the raw token: the only time it is shown. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(TokenRequest request) throws SQLException {
        if (request == null) {
            throw ApiException.badRequest(null, "send a JSON body: {\"name\": \"ci\", \"role\": \"OPERATOR\"}");
        }
        return Response.status(201)
                .entity(tokens.create(request.name(), request.role()))
                .build();
    }

    @POST
    @Path("/{id}/revoke")
    public TokenStore.TokenView revoke(@PathParam("id") String id) throws SQLException {
        return tokens.revoke(id(id));
    }

    @DELETE
    @Path("/{id}")
    public TokenStore.TokenView delete(@PathParam("id") String id) throws SQLException {
        return tokens.revoke(id(id));
    }

    private static UUID id(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("no token " + id);
        }
    }
}
