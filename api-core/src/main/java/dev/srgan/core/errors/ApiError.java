package dev.srgan.core.errors;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The body of every API error: a message a person can act on and, when one input is at fault, its name. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(description = "Every 4xx answer: what went wrong and what to do, and the input at fault when there is one")
public record ApiError(
        @Schema(required = true, examples = "scale must be 2, 4 or 8, got '3'")
        String error,

        @Schema(examples = "scale") String field) {}
