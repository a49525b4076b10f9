package dev.srgan.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srgan.core.config.ApiConfig;
import dev.srgan.core.datasets.DatasetStore;
import dev.srgan.core.models.ModelCatalog;
import dev.srgan.core.training.SweepStore;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.util.List;

/**
 * Hyperparameter sweeps in the browser: the sweeps and a form for a new one (each hyperparameter
 * takes one value or several, comma-separated; the several span the grid), and a sweep's page:
 * its runs in a table sortable by metric, their curves overlaid (the compare chart of the
 * training pages), a scatter of a swept parameter against a metric, and the best checkpoint to
 * register as a model.
 */
@Path("/training/sweeps")
@Produces(MediaType.TEXT_HTML)
public class SweepPage {
    static final int SWEEPS_PER_PAGE = 20;

    @Inject
    SweepStore sweeps;

    @Inject
    DatasetStore datasets;

    @Inject
    ApiConfig config;

    @Inject
    ObjectMapper json;

    @Inject
    ModelCatalog models;

    @CheckedTemplate(basePath = "dashboard")
    static class Templates {
        static native TemplateInstance sweeps(
                SweepStore.Page sweeps,
                long pages,
                List<DatasetStore.DatasetView> datasets,
                List<TrainingPage.Hyperparameter> hyperparameters,
                List<ModelCatalog.ModelView> baseModels,
                boolean vgg19,
                int maxRuns);

        static native TemplateInstance sweep(SweepStore.SweepView sweep);

        static native TemplateInstance sweep$runs(SweepStore.SweepView sweep);
    }

    @GET
    public TemplateInstance list(@QueryParam("page") Integer page) throws SQLException {
        int p = page == null || page < 1 ? 0 : page - 1;
        SweepStore.Page list = sweeps.list(p, SWEEPS_PER_PAGE);
        long pages = Math.max(1, (list.total() + SWEEPS_PER_PAGE - 1) / SWEEPS_PER_PAGE);
        return Templates.sweeps(
                list,
                pages,
                datasets.list(),
                TrainingPage.hyperparameters(json, config.training().vgg19Path().isPresent()),
                TrainingPage.baseModels(models),
                config.training().vgg19Path().isPresent(),
                config.training().sweep().maxRuns());
    }

    @GET
    @Path("{id}")
    public TemplateInstance sweep(@PathParam("id") String id) throws SQLException {
        return Templates.sweep(sweeps.require(SweepStore.id(id)));
    }

    /** The runs table alone, re-rendered as the runs' events arrive. */
    @GET
    @Path("{id}/runs")
    public TemplateInstance runs(@PathParam("id") String id) throws SQLException {
        return Templates.sweep$runs(sweeps.require(SweepStore.id(id)));
    }
}
