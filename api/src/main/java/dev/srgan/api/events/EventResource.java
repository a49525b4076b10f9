package dev.srgan.api.events;

import dev.srgan.core.auth.Caller;
import dev.srgan.core.auth.TokenStore;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestStreamElementType;

/**
 * {@code GET /api/events}: server-sent events of job changes, progress, new loss points,
 * checkpoints, validations and workers, as JSON ({@code {"kind": "job" | "losses" | ...}}).
 * {@code ?jobId=} keeps only one job's events; {@code ?sourceJobId=} only the job events of the
 * upscales of one photo (the first upscale of it and those made from its image, whose events name
 * it as {@code sourceJobId}); with both, the events of either (what an Upscale page follows, on one
 * connection: a browser holds at most six per host over HTTP/1.1). A comment line every 15 s keeps proxies from
 * closing an idle stream. A stream ends (after a {@code {"kind": "revoked"}} event) within
 * {@link #TOKEN_CHECK} of its token's revocation.
 */
@Path("/api/events")
@Tag(name = "Events", description = "Live changes as server-sent events")
public class EventResource {
    /** How often an open stream checks that its token still stands. */
    static final Duration TOKEN_CHECK = Duration.ofSeconds(2);

    private static final String REVOKED = "{\"kind\":\"revoked\"}";

    @Inject
    EventHub hub;

    @Inject
    TokenStore tokens;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.TEXT_PLAIN)
    @Operation(
            operationId = "streamEvents",
            summary =
                    "Server-sent events of job changes, progress, loss points, checkpoints, validations and workers (jobId: one job's)")
    @APIResponse(
            responseCode = "200",
            description =
                    "an open stream; each event's data is one JSON object, {\"kind\": \"job\" | \"losses\" | "
                            + "\"checkpoint\" | \"validation\" | \"worker\" | \"webhook\" | \"ping\" | \"revoked\", ...}; it ends after \"revoked\" once its token is revoked",
            content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(type = SchemaType.STRING)))
    public Multi<String> stream(
            @QueryParam("jobId") String jobId,
            @QueryParam("sourceJobId")
                    @Parameter(
                            description = "only the job events of the upscales of one photo: this job and those"
                                    + " made from its image; with jobId, the events of either")
                    String sourceJobId,
            @Context ContainerRequestContext request) {
        Caller caller = (Caller) request.getProperty(Caller.PROPERTY);
        // each filter given lets its events through; with both, an event of either passes, so an
        // Upscale page follows its job and the photo's other upscales on one connection
        List<String> needles = new ArrayList<>();
        if (jobId != null && !jobId.isBlank()) {
            needles.addAll(member("jobId", jobId.trim()));
        }
        if (sourceJobId != null && !sourceJobId.isBlank()) {
            needles.addAll(member("jobId", sourceJobId.trim()));
            needles.addAll(member("sourceJobId", sourceJobId.trim()));
        }
        Multi<String> events = hub.events();
        if (!needles.isEmpty()) {
            events = events.filter(e -> needles.stream().anyMatch(e::contains));
        }
        Multi<String> keepAlive =
                Multi.createFrom().ticks().every(Duration.ofSeconds(15)).map(t -> "{\"kind\":\"ping\"}");
        if (caller == null || caller.tokenId() == null) {
            return Multi.createBy().merging().streams(events, keepAlive);
        }
        // a stream lives only as long as its token: once it is revoked, one last event and the end
        UUID token = caller.tokenId();
        Multi<String> revoked = Multi.createFrom()
                .ticks()
                .every(TOKEN_CHECK)
                .onItem()
                .transformToUniAndConcatenate(t -> Uni.createFrom()
                        .item(() -> active(token))
                        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
                .select()
                .where(active -> !active)
                .map(x -> REVOKED);
        Multi<String> all = Multi.createBy().merging().streams(events, keepAlive, revoked);
        return all.select().first(e -> !e.equals(REVOKED)).onCompletion().continueWith(REVOKED);
    }

    /** A JSON member as the events write it, pretty ({@code "a" : "b"}) or compact. */
    private static List<String> member(String name, String value) {
        return List.of("\"" + name + "\" : \"" + value + "\"", "\"" + name + "\":\"" + value + "\"");
    }

    private boolean active(UUID token) {
        try {
            return tokens.isActive(token);
        } catch (java.sql.SQLException e) {
            return true; // the database is away for a moment: keep the stream, check again
        }
    }
}
