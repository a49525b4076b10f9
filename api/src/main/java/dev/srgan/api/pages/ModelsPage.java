package dev.srgan.api.pages;

import dev.srgan.api.models.ModelResource;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.sql.SQLException;
import java.util.List;

/** Registered upscale models: where each came from and how it evaluated against bicubic. */
@Path("/models")
@Produces(MediaType.TEXT_HTML)
public class ModelsPage {
    @Inject
    ModelResource models;

    @CheckedTemplate(basePath = "dashboard")
    static class Templates {
        static native TemplateInstance models(List<ModelResource.ModelView> models);
    }

    @GET
    public TemplateInstance page() throws SQLException {
        return Templates.models(models.list());
    }
}
