package dev.srgan.api.events;

import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestStreamElementType;

import java.time.Duration;

/**
 * {@code GET /api/events}: server-sent events of job changes, progress, new loss points,
 * checkpoints, validations and workers, as JSON ({@code {"kind": "job" | "losses" | ...}}).
 * {@code ?jobId=} keeps only one job's events. A comment line every 15 s keeps proxies from
 * closing an idle stream.
 */
@Path("/api/events")
public class EventResource {
    @Inject
    EventHub hub;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.TEXT_PLAIN)
    public Multi<String> stream(@QueryParam("jobId") String jobId) {
        Multi<String> events = hub.events();
        if (jobId != null && !jobId.isBlank()) {
            String needle = "\"jobId\" : \"" + jobId.trim() + "\"";
            String compact = "\"jobId\":\"" + jobId.trim() + "\"";
            events = events.filter(e -> e.contains(needle) || e.contains(compact));
        }
        Multi<String> keepAlive = Multi.createFrom().ticks().every(Duration.ofSeconds(15)).map(t -> "{\"kind\":\"ping\"}");
        return Multi.createBy().merging().streams(events, keepAlive);
    }
}
