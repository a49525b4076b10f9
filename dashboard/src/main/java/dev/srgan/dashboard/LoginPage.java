package dev.srgan.dashboard;

import dev.srgan.core.auth.AuthFilter;
import dev.srgan.core.auth.Caller;
import dev.srgan.core.auth.PublicEndpoint;
import dev.srgan.core.auth.Requires;
import dev.srgan.core.auth.Role;
import dev.srgan.core.auth.TokenStore;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.sql.SQLException;
import java.util.Optional;
import org.jboss.resteasy.reactive.RestForm;

/**
 * Signing in to the dashboard: paste a token, get a session cookie. The cookie holds the token
 * itself (HttpOnly, so page scripts cannot read it; SameSite=Strict, so other sites cannot make the
 * browser send it); revoking the token ends every session made with it. A second cookie, readable
 * by srgan.js, holds the CSRF token derived from it.
 */
@Path("/")
public class LoginPage {
    @Inject
    TokenStore tokens;

    @CheckedTemplate(basePath = "dashboard")
    static class Templates {
        static native TemplateInstance login(String next, String error);
    }

    @GET
    @Path("login")
    @Produces(MediaType.TEXT_HTML)
    @PublicEndpoint
    public TemplateInstance page(@QueryParam("next") String next) {
        return Templates.login(safeNext(next), null);
    }

    @POST
    @Path("login")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    @PublicEndpoint
    public Response login(@RestForm("token") String token, @RestForm("next") String next, @Context UriInfo uri)
            throws SQLException {
        Optional<Caller> caller = token == null ? Optional.empty() : tokens.authenticate(token.trim(), true);
        if (caller.isEmpty()) {
            return Response.status(401)
                    .entity(Templates.login(safeNext(next), "That token is not valid (unknown or revoked)."))
                    .build();
        }
        boolean secure = "https".equals(uri.getRequestUri().getScheme());
        String t = token.trim();
        return Response.seeOther(URI.create(safeNext(next)))
                .cookie(
                        cookie(AuthFilter.SESSION_COOKIE, t, true, secure, -1),
                        cookie(AuthFilter.CSRF_COOKIE, TokenStore.csrfFor(t), false, secure, -1))
                .build();
    }

    /** Ends the session (a POST with the CSRF token, like every other dashboard action). */
    @POST
    @Path("logout")
    @Produces(MediaType.APPLICATION_JSON)
    @Requires(Role.VIEWER)
    public Response logout(@Context UriInfo uri) {
        boolean secure = "https".equals(uri.getRequestUri().getScheme());
        return Response.ok("{}")
                .cookie(
                        cookie(AuthFilter.SESSION_COOKIE, "", true, secure, 0),
                        cookie(AuthFilter.CSRF_COOKIE, "", false, secure, 0))
                .build();
    }

    private static NewCookie cookie(String name, String value, boolean httpOnly, boolean secure, int maxAge) {
        return new NewCookie.Builder(name)
                .value(value)
                .path("/")
                .httpOnly(httpOnly)
                .secure(secure)
                .sameSite(NewCookie.SameSite.STRICT)
                .maxAge(maxAge)
                .build();
    }

    /** Only a path on this site: a login link cannot send the user elsewhere. */
    static String safeNext(String next) {
        if (next == null
                || !next.startsWith("/")
                || next.startsWith("//")
                || next.startsWith("/\\")
                || next.startsWith("/login")) {
            return "/";
        }
        return next;
    }
}
