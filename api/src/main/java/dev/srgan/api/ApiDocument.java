package dev.srgan.api;

import dev.srgan.api.idempotency.IdempotencyKeys;
import dev.srgan.core.errors.ApiError;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * What the OpenAPI document ({@code /q/openapi}, docs/api.md) says of every operation, so no
 * resource repeats it: every operation needs the bearer token (see {@code package-info.java};
 * health and the document itself are open and no operations here), so it can answer 401; one
 * that takes a body answers 415 to a body of another Content-Type; one that takes an
 * Idempotency-Key answers 409 while the first request with that key is still running; and every 4xx answer has the
 * body that {@code ApiExceptionMapper} and {@code AuthFilter} write, {@link ApiError}. Each
 * resource lists its own answers with {@code @APIResponse}. Runs at build time, so the document
 * stored in {@code api/target/openapi}, from which the system tests generate a client, is the one
 * served. The dashboard's pages are left out by {@code mp.openapi.scan.exclude.packages}
 * (application.properties).
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.BUILD)
public class ApiDocument implements OASFilter {
    public static final String BEARER = "bearer";
    public static final String ERROR = "ApiError";
    /** The Idempotency-Key header of the submissions that take one. */
    public static final String IDEMPOTENCY_KEY =
            "1 to 255 characters: the same key with the same request answers with what the first "
                    + "created and stores nothing; with another request, 422. Keys belong to the token and are kept "
                    + IdempotencyKeys.KEEP + ".";

    @Override
    public Operation filterOperation(Operation operation) {
        APIResponses responses = operation.getResponses();
        if (responses == null) {
            return operation;
        }
        boolean open =
                operation.getSecurity() != null && operation.getSecurity().isEmpty();
        if (!open && !responses.hasAPIResponse("401")) {
            responses.addAPIResponse(
                    "401",
                    OASFactory.createAPIResponse()
                            .description("no token, or an unknown or revoked one (WWW-Authenticate: Bearer)"));
        }
        if (operation.getRequestBody() != null && !responses.hasAPIResponse("415")) {
            // answered before the token is checked: the request matches no operation
            responses.addAPIResponse(
                    "415",
                    OASFactory.createAPIResponse()
                            .description("the body's Content-Type is not one this operation takes"));
        }
        if (takesIdempotencyKey(operation) && !responses.hasAPIResponse("409")) {
            responses.addAPIResponse(
                    "409",
                    OASFactory.createAPIResponse()
                            .description("the Idempotency-Key belongs to a request still in progress; send it again"));
        }
        for (var entry : responses.getAPIResponses().entrySet()) {
            APIResponse response = entry.getValue();
            if (entry.getKey().startsWith("4") && response.getRef() == null && response.getContent() == null) {
                response.setContent(errorBody());
            }
        }
        return operation;
    }

    private static boolean takesIdempotencyKey(Operation operation) {
        return operation.getParameters() != null
                && operation.getParameters().stream()
                        .anyMatch(p -> p.getIn() == Parameter.In.HEADER && IdempotencyKeys.HEADER.equals(p.getName()));
    }

    private static Content errorBody() {
        MediaType json =
                OASFactory.createMediaType().schema(OASFactory.createSchema().ref(ERROR));
        return OASFactory.createContent().addMediaType(jakarta.ws.rs.core.MediaType.APPLICATION_JSON, json);
    }
}
