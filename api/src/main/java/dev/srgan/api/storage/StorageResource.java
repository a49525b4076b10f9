package dev.srgan.api.storage;

import dev.srgan.core.storage.StorageUsage;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** What the stored files take, by what uses them; the DELETE endpoints give the space back. */
@Path("/api/storage")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Storage", description = "What the stored files take in PostgreSQL")
public class StorageResource {
    @Inject
    StorageUsage usage;

    @GET
    @Operation(
            operationId = "getStorage",
            summary = "The stored files by what uses them (upscale inputs and results, checkpoints, samples,"
                    + " datasets, models), their total and the database's size on disk")
    @APIResponse(responseCode = "200", description = "the summary")
    public StorageUsage.Summary get() throws SQLException {
        return usage.summary();
    }
}
