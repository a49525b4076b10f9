package dev.srgan.api.workers;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.util.List;

/** The worker registry: every worker that has run, newest first, with its heartbeat and current job. */
@Path("/api/workers")
@Produces(MediaType.APPLICATION_JSON)
public class WorkerResource {
    @Inject
    WorkerStore workers;

    @GET
    public List<WorkerStore.WorkerView> list() throws SQLException {
        return workers.list();
    }
}
