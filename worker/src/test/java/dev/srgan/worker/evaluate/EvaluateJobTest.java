package dev.srgan.worker.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.domain.jobs.JobType;
import dev.srgan.embedded.EmbeddedServicesTestResource;
import dev.srgan.networks.evaluation.Comparison;
import dev.srgan.networks.image.Images;
import dev.srgan.platform.KafkaSettings;
import dev.srgan.platform.blobs.BlobStore;
import dev.srgan.worker.JobFixtures;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class EvaluateJobTest {
    @Inject
    DataSource dataSource;

    @Inject
    BlobStore blobs;

    @Inject
    KafkaSettings kafka;

    @Inject
    JobFixtures fixtures;

    /**
     * The first photo is large enough for NIQE (192x192 after a 2-pixel border at 2x), the others
     * are not; the third is a WebP (the domain module's lossy fixture, 64x48).
     */
    static byte[] photos(int count) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (int i = 0; i < count; i++) {
                if (i == 2) {
                    zip.putNextEntry(new ZipEntry("eval/photo-2.webp"));
                    zip.write(java.nio.file.Files.readAllBytes(
                            java.nio.file.Path.of("../domain/src/test/resources/webp/lossy.webp")));
                    zip.closeEntry();
                    continue;
                }
                zip.putNextEntry(new ZipEntry("eval/photo-" + i + ".png"));
                zip.write(JobFixtures.png(
                        i == 0 ? JobFixtures.image(200, 198, false, 300) : JobFixtures.image(50, 44, false, 300 + i)));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    @Test
    void evaluationStoresPerImageAndMeanPsnrSsimNiqeAgainstBicubicOnce() throws Exception {
        UUID model = fixtures.model("CHECKPOINT", 2, 1, JobFixtures.randomCheckpoint(2, 1));
        UUID dataset = fixtures.dataset(photos(3), 3);
        UUID job = UUID.randomUUID();
        fixtures.exec(
                "INSERT INTO jobs (id, type, status, params, model_id, dataset_id) VALUES (?, 'EVALUATE', 'QUEUED', '{\"scale\":2}'::jsonb, ?, ?)",
                job,
                model,
                dataset);
        fixtures.publish(job, JobType.EVALUATE, 1);
        assertEquals("SUCCEEDED", fixtures.awaitFinal(job, Duration.ofSeconds(120)));

        assertEquals(1, fixtures.number("SELECT count(*) FROM model_evaluations WHERE job_id = ?", job));
        assertEquals(3, fixtures.number("SELECT image_count FROM model_evaluations WHERE job_id = ?", job));
        assertEquals(
                3, fixtures.number("SELECT jsonb_array_length(details) FROM model_evaluations WHERE job_id = ?", job));
        double bicubic = ((Number) fixtures.value("SELECT bicubic_psnr FROM model_evaluations WHERE job_id = ?", job))
                .doubleValue();
        assertTrue(bicubic > 15 && bicubic < 60, "bicubic PSNR is a real measurement: " + bicubic);
        assertEquals(model, fixtures.value("SELECT model_id FROM model_evaluations WHERE job_id = ?", job));
        Object webp = fixtures.value(
                "SELECT (d->>'psnr')::float8 FROM model_evaluations e, jsonb_array_elements(e.details) d "
                        + "WHERE e.job_id = ? AND d->>'name' LIKE '%photo-2.webp'",
                job);
        assertTrue(((Number) webp).doubleValue() > 10, "the WebP photo is measured: " + webp);

        // NIQE: only the 200x198 photo can be scored, so the means are its numbers; the small ones have none
        assertEquals(
                2,
                fixtures.number(
                        "SELECT count(*) FROM model_evaluations e, jsonb_array_elements(e.details) d "
                                + "WHERE e.job_id = ? AND d->>'niqe' IS NULL AND d->>'bicubicNiqe' IS NULL AND d->>'hrNiqe' IS NULL",
                        job));
        for (String[] column :
                new String[][] {{"niqe", "niqe"}, {"bicubic_niqe", "bicubicNiqe"}, {"hr_niqe", "hrNiqe"}}) {
            Object mean = fixtures.value("SELECT " + column[0] + " FROM model_evaluations WHERE job_id = ?", job);
            assertNotNull(mean, column[0] + " is stored");
            Object photo = fixtures.value(
                    "SELECT (d->>'" + column[1]
                            + "')::float8 FROM model_evaluations e, jsonb_array_elements(e.details) d "
                            + "WHERE e.job_id = ? AND d->>'name' LIKE '%photo-0.png'",
                    job);
            assertEquals(((Number) photo).doubleValue(), ((Number) mean).doubleValue(), 1e-9, column[0]);
            assertTrue(((Number) mean).doubleValue() > 0, column[0] + " = " + mean);
        }

        // the comparison crop of the Models page: the same window of the same photo as every model's
        assertEquals(
                1,
                fixtures.number(
                        "SELECT count(*) FROM model_comparisons WHERE model_id = ? AND photo = ? AND size = ?",
                        model,
                        Comparison.PHOTO,
                        Comparison.SIZE));
        UUID blob = (UUID) fixtures.value("SELECT blob_id FROM model_comparisons WHERE model_id = ?", model);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        blobs.copyTo(dataSource, blob, png);
        BufferedImage crop = Images.decode(png.toByteArray());
        assertEquals(Comparison.SIZE, crop.getWidth());
        assertEquals(Comparison.SIZE, crop.getHeight());
        double psnr =
                ((Number) fixtures.value("SELECT psnr FROM model_comparisons WHERE model_id = ?", model)).doubleValue();
        assertEquals(Comparison.psnr(crop), psnr, 1e-9, "the stored PSNR is the crop's");
    }

    @Test
    void aDegradedEvaluationMeasuresTheDegradedInputsAndRecordsHow() throws Exception {
        UUID model = fixtures.model("CHECKPOINT", 2, 1, JobFixtures.randomCheckpoint(2, 1));
        UUID dataset = fixtures.dataset(photos(2), 2);
        UUID clean = UUID.randomUUID();
        UUID degraded = UUID.randomUUID();
        fixtures.exec(
                "INSERT INTO jobs (id, type, status, params, model_id, dataset_id) VALUES (?, 'EVALUATE', 'QUEUED', '{\"scale\":2}'::jsonb, ?, ?)",
                clean,
                model,
                dataset);
        fixtures.exec(
                "INSERT INTO jobs (id, type, status, params, model_id, dataset_id) VALUES (?, 'EVALUATE', 'QUEUED',"
                        + " '{\"scale\":2,\"degradation\":{\"blurSigma\":1.0,\"noiseSigma\":12.0,\"jpegQuality\":30}}'::jsonb, ?, ?)",
                degraded,
                model,
                dataset);
        fixtures.publish(clean, JobType.EVALUATE, 1);
        fixtures.publish(degraded, JobType.EVALUATE, 1);
        assertEquals("SUCCEEDED", fixtures.awaitFinal(clean, Duration.ofSeconds(120)));
        assertEquals("SUCCEEDED", fixtures.awaitFinal(degraded, Duration.ofSeconds(120)));

        assertEquals(null, fixtures.value("SELECT degradation::text FROM model_evaluations WHERE job_id = ?", clean));
        assertEquals(
                "{\"blurSigma\": 1.0, \"noiseSigma\": 12.0, \"jpegQuality\": 30}",
                fixtures.value("SELECT degradation::text FROM model_evaluations WHERE job_id = ?", degraded));
        double cleanBicubic = ((Number)
                        fixtures.value("SELECT bicubic_psnr FROM model_evaluations WHERE job_id = ?", clean))
                .doubleValue();
        double degradedBicubic = ((Number)
                        fixtures.value("SELECT bicubic_psnr FROM model_evaluations WHERE job_id = ?", degraded))
                .doubleValue();
        assertTrue(
                degradedBicubic < cleanBicubic - 0.3,
                "bicubic upscales the blurred, noisy, compressed inputs: " + degradedBicubic + " vs " + cleanBicubic);
    }

    @Test
    void anEvaluationOfABlendMeasuresTheBlendAndRecordsItApartFromTheModel() throws Exception {
        // blended 100% by their outputs, the model is the other one exactly
        UUID model = fixtures.model("CHECKPOINT", 2, 1, JobFixtures.randomCheckpoint(2, 1));
        UUID other = fixtures.model("CHECKPOINT", 2, 2, JobFixtures.randomCheckpoint(2, 2));
        UUID dataset = fixtures.dataset(photos(2), 2);
        UUID alone = UUID.randomUUID();
        UUID blended = UUID.randomUUID();
        fixtures.exec(
                "INSERT INTO jobs (id, type, status, params, model_id, dataset_id) VALUES (?, 'EVALUATE', 'QUEUED', '{\"scale\":2}'::jsonb, ?, ?)",
                alone,
                other,
                dataset);
        fixtures.exec(
                "INSERT INTO jobs (id, type, status, params, model_id, dataset_id) VALUES (?, 'EVALUATE', 'QUEUED',"
                        + " ?::jsonb, ?, ?)",
                blended,
                "{\"scale\":2,\"blendModelId\":\"" + other + "\",\"blendWeight\":1,\"blendMode\":\"pixels\"}",
                model,
                dataset);
        fixtures.publish(alone, JobType.EVALUATE, 1);
        fixtures.publish(blended, JobType.EVALUATE, 1);
        assertEquals("SUCCEEDED", fixtures.awaitFinal(alone, Duration.ofSeconds(120)));
        assertEquals("SUCCEEDED", fixtures.awaitFinal(blended, Duration.ofSeconds(120)));

        assertEquals(
                fixtures.value("SELECT psnr FROM model_evaluations WHERE job_id = ?", alone),
                fixtures.value("SELECT psnr FROM model_evaluations WHERE job_id = ?", blended),
                "the blend was measured, not the model alone");
        assertEquals(model, fixtures.value("SELECT model_id FROM model_evaluations WHERE job_id = ?", blended));
        assertEquals(
                "{\"mode\": \"pixels\", \"weight\": 1.0, \"modelId\": \"" + other + "\"}",
                fixtures.value("SELECT blend::text FROM model_evaluations WHERE job_id = ?", blended));
        assertEquals(null, fixtures.value("SELECT blend::text FROM model_evaluations WHERE job_id = ?", alone));
        assertEquals(
                0,
                fixtures.number("SELECT count(*) FROM model_comparisons WHERE model_id = ?", model),
                "the model's comparison crop is its own, not a blend's");
    }
}
