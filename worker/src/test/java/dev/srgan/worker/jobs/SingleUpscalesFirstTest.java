package dev.srgan.worker.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.domain.jobs.JobType;
import dev.srgan.embedded.EmbeddedServicesTestResource;
import dev.srgan.platform.KafkaSettings;
import dev.srgan.worker.JobFixtures;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A batch's images travel on the bulk topic, and a worker takes a single upscale waiting on its
 * partitions before the next image of a batch: one user's batch does not hold up everyone's single
 * upscale. The worker here runs one job at a time, as in production (srgan.worker.concurrency 1).
 */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class SingleUpscalesFirstTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int IMAGES = 24;

    @Inject
    JobFixtures fixtures;

    @Inject
    KafkaSettings kafka;

    @Test
    void aSingleUpscaleOvertakesTheImagesOfABatchQueuedBeforeIt() throws Exception {
        UUID model = fixtures.model("CHECKPOINT", 2, 1, JobFixtures.randomCheckpoint(2, 1));
        byte[] photo = JobFixtures.png(JobFixtures.image(192, 192, false, 21));
        List<UUID> images = new ArrayList<>();
        for (int i = 0; i < IMAGES; i++) {
            UUID image = fixtures.upscaleJob(model, 2, photo, "image-" + i + ".png");
            fixtures.publish(image, JobType.UPSCALE, 1, kafka.topic(JobType.UPSCALE, true));
            images.add(image);
        }
        String[] batch = images.stream().map(UUID::toString).toArray(String[]::new);
        fixtures.await(
                "the worker on the batch's images",
                TIMEOUT,
                "SELECT count(*) >= 2 FROM jobs WHERE id = ANY (?::uuid[]) AND status <> 'QUEUED'",
                (Object) batch);
        Object queuedAt = fixtures.value("SELECT clock_timestamp()");
        UUID single = fixtures.upscaleJob(model, 2, JobFixtures.png(JobFixtures.image(32, 32, false, 22)), "one.png");
        fixtures.publish(single, JobType.UPSCALE, 1);

        assertEquals("SUCCEEDED", fixtures.awaitFinal(single, TIMEOUT));
        long overtaken = fixtures.number(
                "SELECT count(*) FROM jobs WHERE id = ANY (?::uuid[]) AND (status = 'QUEUED' OR started_at > "
                        + "(SELECT started_at FROM jobs WHERE id = ?))",
                batch,
                single);
        long startedMeanwhile = fixtures.number(
                "SELECT count(*) FROM jobs WHERE id = ANY (?::uuid[]) AND started_at > ? AND started_at < "
                        + "(SELECT started_at FROM jobs WHERE id = ?)",
                batch,
                queuedAt,
                single);
        assertTrue(
                startedMeanwhile <= 1,
                "at most the image in hand when the single upscale came is finished first; " + startedMeanwhile
                        + " images started in between (" + overtaken + " of " + IMAGES + " were still to start)");
        assertTrue(overtaken >= IMAGES / 2, "the batch was still running: " + overtaken + " images overtaken");
        for (UUID image : images) {
            assertEquals("SUCCEEDED", fixtures.awaitFinal(image, TIMEOUT), "every image still runs");
        }
    }
}
