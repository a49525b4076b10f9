package dev.srgan.worker.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.domain.jobs.JobType;
import dev.srgan.embedded.EmbeddedServicesTestResource;
import dev.srgan.platform.KafkaSettings;
import dev.srgan.platform.blobs.BlobStore;
import dev.srgan.worker.JobFixtures;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class WorkerMetricsTest {
    private static final Pattern FAILED_UPSCALES = Pattern.compile(
            "(?m)^srgan_job_duration_seconds_count\\{[^}]*outcome=\"failed\"[^}]*type=\"UPSCALE\"[^}]*} ([0-9.]+)");

    @Inject
    DataSource dataSource;

    @Inject
    JobFixtures fixtures;

    @Inject
    BlobStore blobs;

    @Inject
    KafkaSettings kafka;

    @Test
    void metricsEndpointShowsUtilisationJobDurationsAndTrainingSteps() {
        given().when()
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .body(containsString("srgan_worker_busy_ratio{device=\"cpu\"}"))
                .body(containsString("srgan_worker_busy_seconds_total{device=\"cpu\"}"))
                .body(containsString("srgan_job_duration_seconds_bucket{"))
                .body(containsString("srgan_training_step_seconds_count{phase=\"gan\"}"))
                .body(containsString("srgan_training_step_seconds_count{phase=\"pretrain\"}"));
    }

    @Test
    void aFinishedJobIsTimedWithItsOutcome() throws Exception {
        double before = failedUpscales();
        UUID model = fixtures.model("CHECKPOINT", 4, 1, JobFixtures.randomCheckpoint(4, 1));
        // a corrupt image fails at once, without retries: the quickest job with a known outcome
        UUID job = fixtures.upscaleJob(model, 4, "not an image".getBytes(), "notes.png");
        fixtures.publish(job, JobType.UPSCALE, 1);
        assertEquals("FAILED", fixtures.awaitFinal(job, Duration.ofSeconds(90)));

        // the duration is recorded when the attempt ends, just after its final state is written
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (failedUpscales() < before + 1 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(before + 1, failedUpscales());
    }

    private static double failedUpscales() {
        String body = given().when()
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        Matcher m = FAILED_UPSCALES.matcher(body);
        assertTrue(m.find(), "failed UPSCALE duration count in the scrape");
        return Double.parseDouble(m.group(1));
    }
}
