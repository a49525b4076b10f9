package dev.srgan.dashboard;

import dev.srgan.core.workers.WorkerStore;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.util.List;

/** Every worker: its device, current job, last heartbeat and jobs done; stale ones marked. */
@Path("/workers")
@Produces(MediaType.TEXT_HTML)
public class WorkersPage {
    @Inject
    WorkerStore workers;

    @CheckedTemplate(basePath = "dashboard")
    static class Templates {
        static native TemplateInstance workers(List<WorkerStore.WorkerView> workers);

        static native TemplateInstance workers$table(List<WorkerStore.WorkerView> workers);
    }

    @GET
    public TemplateInstance page() throws SQLException {
        return Templates.workers(workers.list());
    }

    @GET
    @Path("table")
    public TemplateInstance table() throws SQLException {
        return Templates.workers$table(workers.list());
    }
}
