/**
 * The api: REST resources by feature ({@code upscale}, {@code jobs}, {@code training}, ...), the
 * dashboard's page controllers ({@code pages}), authentication ({@code auth}) and the outbox relay.
 *
 * <p>The OpenAPI document's global parts live here, where MicroProfile OpenAPI reads them: the
 * bearer scheme, required by every operation ({@code AuthFilter}), and the error body.
 */
@OpenAPIDefinition(
        // the build replaces the version with its own (quarkus.smallrye-openapi.info-version)
        info =
                @Info(
                        title = "SRGAN Cluster API",
                        version = "0.1.0",
                        description = "Upscale images, train, sweep and compare SRGAN models on a cluster of workers. "
                                + "Every endpoint with its status codes: docs/api.md."),
        servers = @Server(url = "http://localhost:8080", description = "the api as ./srgan up starts it"),
        security = @SecurityRequirement(name = ApiDocument.BEARER),
        components =
                @Components(
                        securitySchemes =
                                @SecurityScheme(
                                        securitySchemeName = ApiDocument.BEARER,
                                        type = SecuritySchemeType.HTTP,
                                        scheme = "bearer",
                                        description =
                                                "Authorization: Bearer <token>: an API token (POST /api/tokens; ./srgan up writes the admin's to "
                                                        + "data/admin-token). VIEWER may read, OPERATOR also submit, cancel and retry, ADMIN also manage models and tokens."),
                        schemas = @Schema(name = ApiDocument.ERROR, implementation = ApiError.class)))
package dev.srgan.api;

import dev.srgan.core.errors.ApiError;
import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.servers.Server;
