package dev.srgan.dashboard;

import dev.srgan.core.datasets.DatasetStore;
import dev.srgan.core.models.ModelCatalog;
import dev.srgan.core.models.ModelComparisons;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Registered upscale models: where each came from, how it evaluated against bicubic, and the
 * same crop of one evaluation photo per model, beside bicubic's and the original's; a form that
 * evaluates a model on a dataset, its inputs clean or degraded as real photos are.
 */
@Path("/models")
@Produces(MediaType.TEXT_HTML)
public class ModelsPage {
    @Inject
    ModelCatalog models;

    @Inject
    ModelComparisons comparisons;

    @Inject
    DatasetStore datasets;

    /** The crops of one scale: bicubic, each model that has one, the original. */
    public record ScaleComparison(
            int scale,
            String bicubicUrl,
            double bicubicPsnr,
            String originalUrl,
            List<ModelCatalog.ModelView> models) {}

    @CheckedTemplate(basePath = "dashboard")
    static class Templates {
        static native TemplateInstance models(
                List<ModelCatalog.ModelView> models,
                List<ScaleComparison> comparisons,
                List<DatasetStore.DatasetView> datasets);
    }

    @GET
    public TemplateInstance page() throws SQLException {
        List<ModelCatalog.ModelView> all = models.list();
        List<ScaleComparison> byScale = new ArrayList<>();
        for (int scale : new int[] {2, 4, 8}) {
            List<ModelCatalog.ModelView> withCrop = all.stream()
                    .filter(m -> m.scale() == scale && m.comparison() != null)
                    .toList();
            if (!withCrop.isEmpty()) {
                byScale.add(new ScaleComparison(
                        scale,
                        withCrop.get(0).comparison().bicubicUrl(),
                        comparisons.reference("bicubic", scale).psnr(),
                        withCrop.get(0).comparison().originalUrl(),
                        withCrop));
            }
        }
        return Templates.models(all, byScale, datasets.list());
    }
}
