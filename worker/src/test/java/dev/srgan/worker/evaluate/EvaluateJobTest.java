package dev.srgan.worker.evaluate;

import dev.srgan.domain.jobs.JobType;
import dev.srgan.embedded.EmbeddedServicesTestResource;
import dev.srgan.platform.KafkaSettings;
import dev.srgan.platform.blobs.BlobStore;
import dev.srgan.worker.JobFixtures;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@QuarkusTestResource(EmbeddedServicesTestResource.class)
class EvaluateJobTest {
    @Inject
    DataSource dataSource;

    @Inject
    BlobStore blobs;

    @Inject
    KafkaSettings kafka;

    JobFixtures fixtures;

    @BeforeEach
    void setUp() {
        fixtures = new JobFixtures(dataSource, blobs, kafka);
    }

    static byte[] photos(int count) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (int i = 0; i < count; i++) {
                zip.putNextEntry(new ZipEntry("eval/photo-" + i + ".png"));
                zip.write(JobFixtures.png(JobFixtures.image(50, 44, false, 300 + i)));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    @Test
    void evaluationStoresPerImageAndMeanPsnrSsimAgainstBicubicOnce() throws Exception {
        UUID model = fixtures.model("CHECKPOINT", 2, 1, JobFixtures.randomCheckpoint(2, 1));
        UUID dataset = fixtures.dataset(photos(3), 3);
        UUID job = UUID.randomUUID();
        fixtures.exec("INSERT INTO jobs (id, type, status, params, model_id, dataset_id) VALUES (?, 'EVALUATE', 'QUEUED', '{\"scale\":2}'::jsonb, ?, ?)",
                job, model, dataset);
        fixtures.publish(job, JobType.EVALUATE, 1);
        assertEquals("SUCCEEDED", fixtures.awaitFinal(job, Duration.ofSeconds(120)));

        assertEquals(1, fixtures.number("SELECT count(*) FROM model_evaluations WHERE job_id = ?", job));
        assertEquals(3, fixtures.number("SELECT image_count FROM model_evaluations WHERE job_id = ?", job));
        assertEquals(3, fixtures.number("SELECT jsonb_array_length(details) FROM model_evaluations WHERE job_id = ?", job));
        double bicubic = ((Number) fixtures.value("SELECT bicubic_psnr FROM model_evaluations WHERE job_id = ?", job)).doubleValue();
        assertTrue(bicubic > 15 && bicubic < 60, "bicubic PSNR is a real measurement: " + bicubic);
        assertEquals(model, fixtures.value("SELECT model_id FROM model_evaluations WHERE job_id = ?", job));
    }
}
