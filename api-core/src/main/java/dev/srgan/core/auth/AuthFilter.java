package dev.srgan.core.auth;

import dev.srgan.core.config.ApiConfig;
import dev.srgan.core.errors.ApiError;
import jakarta.inject.Inject;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The one place that decides who may call what, for every REST endpoint and dashboard page.
 * Credentials: {@code Authorization: Bearer <token>} (API clients) or the dashboard's session
 * cookie. The role an endpoint needs comes from {@link Requires} on its method or class; without
 * it, GET needs {@link Role#VIEWER} and anything else {@link Role#ADMIN} (closed by default).
 * Requests authenticated by the cookie that change state must also carry the CSRF token in
 * {@value #CSRF_HEADER}: a cookie is sent by the browser on its own, a header only by our script.
 *
 * <p>Not covered, on purpose: static assets, {@code /q/health/*} and {@code /q/openapi} (open),
 * and {@code /q/metrics} ({@code MetricsGuard} in the api).
 */
public class AuthFilter {
    @Inject
    ApiConfig config;

    public static final String SESSION_COOKIE = "srgan_session";
    public static final String CSRF_COOKIE = "srgan_csrf";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    private static final Set<String> SAFE_METHODS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

    @Inject
    TokenStore tokens;

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public Optional<Response> authorize(ContainerRequestContext request, ResourceInfo resource) throws SQLException {
        Method method = resource.getResourceMethod();
        Class<?> type = resource.getResourceClass();
        if (method == null
                || method.isAnnotationPresent(PublicEndpoint.class)
                || (type != null && type.isAnnotationPresent(PublicEndpoint.class))) {
            return Optional.empty();
        }
        if (!config.auth().enabled()) {
            request.setProperty(
                    Caller.PROPERTY, new Caller(null, "anyone (srgan.auth.enabled=false)", Role.ADMIN, false));
            return Optional.empty();
        }
        Role needed = needed(method, type, request.getMethod());

        String bearer = bearer(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        Cookie session = request.getCookies().get(SESSION_COOKIE);
        Optional<Caller> caller;
        if (bearer != null) {
            caller = tokens.authenticate(bearer, false);
        } else if (session != null) {
            caller = tokens.authenticate(session.getValue(), true);
        } else {
            caller = Optional.empty();
        }
        if (caller.isEmpty()) {
            if (isPage(request)) {
                String next = request.getUriInfo().getRequestUri().getRawPath();
                String query = request.getUriInfo().getRequestUri().getRawQuery();
                String target = "/login?next="
                        + URLEncoder.encode(query == null ? next : next + "?" + query, StandardCharsets.UTF_8);
                return Optional.of(
                        Response.seeOther(java.net.URI.create(target)).build());
            }
            String why = bearer != null || session != null
                    ? "the token is not valid (unknown or revoked); ask an admin for a new one"
                    : "sign in: send 'Authorization: Bearer <token>' (./srgan up prints the admin token and writes it to data/admin-token)";
            return Optional.of(error(401, why)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"srgan\"")
                    .build());
        }
        Caller who = caller.get();
        if (!who.role().includes(needed)) {
            return Optional.of(error(
                            403,
                            "this needs the " + needed.name().toLowerCase() + " role; the token '" + who.name()
                                    + "' has the " + who.role().name().toLowerCase() + " role")
                    .build());
        }
        if (who.viaSession()
                && !SAFE_METHODS.contains(request.getMethod())
                && !csrfMatches(request, session.getValue())) {
            return Optional.of(error(
                            403,
                            "missing or wrong CSRF token (" + CSRF_HEADER + " header); reload the page and try again")
                    .build());
        }
        request.setProperty(Caller.PROPERTY, who);
        return Optional.empty();
    }

    static Role needed(Method method, Class<?> type, String httpMethod) {
        Requires r = method.getAnnotation(Requires.class);
        if (r == null && type != null) {
            r = type.getAnnotation(Requires.class);
        }
        if (r != null) {
            return r.value();
        }
        return SAFE_METHODS.contains(httpMethod) ? Role.VIEWER : Role.ADMIN;
    }

    private static String bearer(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = header.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    private static boolean csrfMatches(ContainerRequestContext request, String sessionToken) {
        String sent = request.getHeaderString(CSRF_HEADER);
        return sent != null
                && MessageDigest.isEqual(
                        sent.trim().getBytes(StandardCharsets.UTF_8),
                        TokenStore.csrfFor(sessionToken).getBytes(StandardCharsets.UTF_8));
    }

    /** A browser asking for a dashboard page is sent to the login page; everything else gets JSON. */
    private static boolean isPage(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        return HttpMethod.GET.equals(request.getMethod())
                && !path.startsWith("/api/")
                && request.getAcceptableMediaTypes().stream()
                        .anyMatch(m -> m.isCompatible(MediaType.TEXT_HTML_TYPE) && !m.isWildcardType());
    }

    private static Response.ResponseBuilder error(int status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new ApiError(message, null));
    }
}
