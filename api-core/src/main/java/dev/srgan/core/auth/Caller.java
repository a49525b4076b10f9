package dev.srgan.core.auth;

import java.util.UUID;

/**
 * Who made the request: the token's id, name and role, and whether it came in the dashboard's
 * session cookie (then state-changing requests must also carry the CSRF token).
 */
public record Caller(UUID tokenId, String name, Role role, boolean viaSession) {
    /** The request property {@link AuthFilter} stores the caller under. */
    public static final String PROPERTY = "srgan.caller";

    /** The name of the request's caller, recorded as who submitted a job; null when unknown. */
    public static String name(jakarta.ws.rs.container.ContainerRequestContext request) {
        return request == null || !(request.getProperty(PROPERTY) instanceof Caller caller) ? null : caller.name();
    }

    /** The name of this caller, or null for none. */
    public static String name(Caller caller) {
        return caller == null ? null : caller.name();
    }
}
