package dev.srgan.api.workers;

import dev.srgan.core.workers.WorkerStore;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The worker registry: every worker that has run, newest first, with its heartbeat and current job. */
@Path("/api/workers")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Workers", description = "The worker registry")
public class WorkerResource {
    @Inject
    WorkerStore workers;

    @GET
    @Operation(
            operationId = "listWorkers",
            summary = "Every worker that has run, newest first, with its heartbeat, state and current job")
    @APIResponse(responseCode = "200", description = "workers")
    public List<WorkerStore.WorkerView> list() throws SQLException {
        return workers.list();
    }
}
