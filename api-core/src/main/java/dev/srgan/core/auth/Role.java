package dev.srgan.core.auth;

/**
 * What a token may do. Each role includes the ones before it: a viewer reads; an operator also
 * submits, cancels, retries and downloads checkpoints; an admin also manages models, workers and tokens.
 */
public enum Role {
    VIEWER,
    OPERATOR,
    ADMIN;

    /** Whether a token with this role may call an endpoint that needs {@code needed}. */
    public boolean includes(Role needed) {
        return compareTo(needed) >= 0;
    }
}
