package dev.srgan.api.errors;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The body of every API error: a message a person can act on and, when one input is at fault, its name. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String error, String field) {}
