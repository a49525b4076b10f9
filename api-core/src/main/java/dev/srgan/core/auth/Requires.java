package dev.srgan.core.auth;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The role an endpoint needs, on the method or its class. Without it {@link AuthFilter} applies
 * the default: GET needs {@link Role#VIEWER}, any other method {@link Role#ADMIN}, so a new
 * write endpoint is closed until someone decides who may call it.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Requires {
    Role value();
}
