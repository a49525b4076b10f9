package dev.srgan.worker.upscale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.domain.jobs.JobType;
import dev.srgan.embedded.EmbeddedServicesTestResource;
import dev.srgan.platform.KafkaSettings;
import dev.srgan.platform.blobs.BlobStore;
import dev.srgan.worker.JobFixtures;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import javax.imageio.ImageIO;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class UpscaleJobTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static byte[] checkpointX4;

    @Inject
    DataSource dataSource;

    @Inject
    BlobStore blobs;

    @Inject
    KafkaSettings kafka;

    @Inject
    JobFixtures fixtures;

    UUID modelX4;

    @BeforeEach
    void setUp() throws Exception {
        if (checkpointX4 == null) {
            checkpointX4 = JobFixtures.randomCheckpoint(4, 1);
        }
        modelX4 = fixtures.model("CHECKPOINT", 4, 1, checkpointX4);
    }

    @Test
    void upscaleStoresOnePngFourTimesTheInputSizeKeepingAlpha() throws Exception {
        UUID job = fixtures.upscaleJob(modelX4, 4, JobFixtures.png(JobFixtures.image(40, 24, true, 3)), "ramp.png");
        fixtures.publish(job, JobType.UPSCALE, 1);

        assertEquals("SUCCEEDED", fixtures.awaitFinal(job, TIMEOUT));
        assertEquals(1, fixtures.number("SELECT count(*) FROM results WHERE job_id = ?", job));
        assertEquals(160L, fixtures.number("SELECT width FROM results WHERE job_id = ?", job));
        assertEquals(96L, fixtures.number("SELECT height FROM results WHERE job_id = ?", job));
        assertEquals("image/png", fixtures.text("SELECT content_type FROM results WHERE job_id = ?", job));
        assertTrue(fixtures.number("SELECT total_ms FROM results WHERE job_id = ?", job)
                >= fixtures.number("SELECT model_ms FROM results WHERE job_id = ?", job));
        assertEquals("1.0", fixtures.text("SELECT progress FROM jobs WHERE id = ?", job));

        UUID blob = (UUID) fixtures.value("SELECT blob_id FROM results WHERE job_id = ?", job);
        BufferedImage result = ImageIO.read(new ByteArrayInputStream(fixtures.readBlob(blob)));
        assertEquals(160, result.getWidth());
        assertEquals(96, result.getHeight());
        assertTrue(result.getColorModel().hasAlpha(), "the input's alpha is kept");
        assertEquals(0, result.getRGB(0, 48) >>> 24, "transparent left edge stays transparent");
        assertEquals(255, result.getRGB(159, 48) >>> 24, "opaque right edge stays opaque");
    }

    /**
     * A WebP (lossy with alpha; a phone's, turned by its EXIF orientation) upscales to the very
     * pixels of an upscale of libwebp's own decode of it, stored as a PNG: the worker reads WebP as
     * browsers do.
     */
    @Test
    void aWebpUpscalesExactlyAsLibwebpsDecodeOfIt() throws Exception {
        Path dir = Path.of("../domain/src/test/resources/webp");
        for (String name : new String[] {"lossy-alpha", "rotated-exif6"}) {
            UUID webp = this.fixtures.upscaleJob(
                    modelX4, 4, Files.readAllBytes(dir.resolve(name + ".webp")), name + ".webp");
            UUID reference =
                    this.fixtures.upscaleJob(modelX4, 4, Files.readAllBytes(dir.resolve(name + ".png")), name + ".png");
            this.fixtures.publish(webp, JobType.UPSCALE, 1);
            this.fixtures.publish(reference, JobType.UPSCALE, 1);
            assertEquals("SUCCEEDED", this.fixtures.awaitFinal(webp, TIMEOUT));
            assertEquals("SUCCEEDED", this.fixtures.awaitFinal(reference, TIMEOUT));
            BufferedImage fromWebp = result(webp);
            BufferedImage fromPng = result(reference);
            assertEquals(fromPng.getWidth(), fromWebp.getWidth(), name);
            assertEquals(fromPng.getHeight(), fromWebp.getHeight(), name);
            assertEquals(
                    fromPng.getColorModel().hasAlpha(), fromWebp.getColorModel().hasAlpha(), name);
            int w = fromPng.getWidth();
            int h = fromPng.getHeight();
            org.junit.jupiter.api.Assertions.assertArrayEquals(
                    fromPng.getRGB(0, 0, w, h, null, 0, w), fromWebp.getRGB(0, 0, w, h, null, 0, w), name);
        }
        assertEquals(
                96L,
                this.fixtures.number("SELECT width FROM results r JOIN jobs j ON j.id = r.job_id"
                        + " WHERE j.input_name = 'rotated-exif6.webp'"),
                "24 px wide as shown, 4x");
    }

    /** A TIFF scan upscales to the very pixels of the same picture sent as a PNG. */
    @Test
    void aTiffUpscalesAsThePngOfItsPicture() throws Exception {
        BufferedImage picture = JobFixtures.image(36, 28, false, 12);
        UUID tiff = fixtures.upscaleJob(modelX4, 4, JobFixtures.tiff(picture), "scan.tif");
        UUID png = fixtures.upscaleJob(modelX4, 4, JobFixtures.png(picture), "scan.png");
        fixtures.publish(tiff, JobType.UPSCALE, 1);
        fixtures.publish(png, JobType.UPSCALE, 1);
        assertEquals("SUCCEEDED", fixtures.awaitFinal(tiff, TIMEOUT));
        assertEquals("SUCCEEDED", fixtures.awaitFinal(png, TIMEOUT));
        BufferedImage a = result(tiff);
        BufferedImage b = result(png);
        org.junit.jupiter.api.Assertions.assertArrayEquals(
                b.getRGB(0, 0, 144, 112, null, 0, 144), a.getRGB(0, 0, 144, 112, null, 0, 144));
    }

    private BufferedImage result(UUID job) throws Exception {
        UUID blob = (UUID) fixtures.value("SELECT blob_id FROM results WHERE job_id = ?", job);
        return ImageIO.read(new ByteArrayInputStream(fixtures.readBlob(blob)));
    }

    @Test
    void redeliveredMessageOfSucceededJobDoesNotRunItAgain() throws Exception {
        UUID job = fixtures.upscaleJob(modelX4, 4, JobFixtures.png(JobFixtures.image(20, 20, false, 4)), "small.png");
        fixtures.publish(job, JobType.UPSCALE, 1);
        assertEquals("SUCCEEDED", fixtures.awaitFinal(job, TIMEOUT));
        Object resultBlob = fixtures.value("SELECT blob_id FROM results WHERE job_id = ?", job);
        Object finishedAt = fixtures.value("SELECT finished_at FROM jobs WHERE id = ?", job);

        RecordMetadata again = fixtures.publish(job, JobType.UPSCALE, 1);
        fixtures.awaitConsumed(JobType.UPSCALE, again, TIMEOUT);

        assertEquals("SUCCEEDED", fixtures.text("SELECT status FROM jobs WHERE id = ?", job));
        assertEquals(1, fixtures.number("SELECT attempts FROM jobs WHERE id = ?", job));
        assertEquals(finishedAt, fixtures.value("SELECT finished_at FROM jobs WHERE id = ?", job));
        assertEquals(1, fixtures.number("SELECT count(*) FROM results WHERE job_id = ?", job));
        assertEquals(resultBlob, fixtures.value("SELECT blob_id FROM results WHERE job_id = ?", job));
        assertEquals(
                1, fixtures.number("SELECT count(*) FROM job_events WHERE job_id = ? AND status = 'RUNNING'", job));
    }

    @Test
    void aResultLeftWithoutSucceededIsReplacedByTheRerunsOwnInItsSucceededTransaction() throws Exception {
        UUID job = fixtures.upscaleJob(modelX4, 4, JobFixtures.png(JobFixtures.image(20, 20, false, 9)), "again.png");
        // a result row without SUCCEEDED: what a version that wrote the two apart left when its
        // worker died between them (results and SUCCEEDED now commit together, fenced)
        UUID stored = fixtures.blob(JobFixtures.png(JobFixtures.image(80, 80, false, 9)), "image/png");
        fixtures.exec(
                "INSERT INTO results (job_id, blob_id, width, height, content_type) VALUES (?, ?, 80, 80, 'image/png')",
                job,
                stored);
        fixtures.exec("UPDATE jobs SET attempts = 1 WHERE id = ?", job);
        fixtures.publish(job, JobType.UPSCALE, 2);

        assertEquals("SUCCEEDED", fixtures.awaitFinal(job, TIMEOUT));
        assertEquals(2, fixtures.number("SELECT attempts FROM jobs WHERE id = ?", job));
        assertEquals(1, fixtures.number("SELECT count(*) FROM results WHERE job_id = ?", job));
        assertNotEquals(
                stored, fixtures.value("SELECT blob_id FROM results WHERE job_id = ?", job), "the re-run's own result");
        assertEquals(
                0,
                fixtures.number("SELECT count(*) FROM blobs WHERE id = ?", stored),
                "the stale blob is gone with its row");
    }

    @Test
    void corruptImageFailsAtOnceWithAReadableError() throws Exception {
        byte[] png = JobFixtures.png(JobFixtures.image(64, 64, false, 5));
        UUID job = fixtures.upscaleJob(modelX4, 4, JobFixtures.truncated(png, png.length / 2), "broken.png");
        fixtures.publish(job, JobType.UPSCALE, 1);

        assertEquals("FAILED", fixtures.awaitFinal(job, TIMEOUT));
        assertEquals(
                1, fixtures.number("SELECT attempts FROM jobs WHERE id = ?", job), "a corrupt image is not retried");
        String error = fixtures.text("SELECT error FROM jobs WHERE id = ?", job);
        assertTrue(error.startsWith("the input is not a readable PNG, JPEG, WebP or TIFF image"), error);
        assertEquals(0, fixtures.number("SELECT count(*) FROM results WHERE job_id = ?", job));
        assertEquals(
                0,
                fixtures.number("SELECT count(*) FROM outbox WHERE message_key = ?", job.toString()),
                "no retry was queued");
    }

    @Test
    void bytesThatAreNoImageFailWithTheSameMessage() throws Exception {
        UUID job = fixtures.upscaleJob(modelX4, 4, "this is a text file".getBytes(), "notes.png");
        fixtures.publish(job, JobType.UPSCALE, 1);

        assertEquals("FAILED", fixtures.awaitFinal(job, TIMEOUT));
        assertEquals(
                "the input is not a readable PNG, JPEG, WebP or TIFF image (it is not an image format we know)",
                fixtures.text("SELECT error FROM jobs WHERE id = ?", job));
    }

    @Test
    void cancellingARunningUpscaleStopsItBetweenTileBatches() throws Exception {
        // 640x640 in 64 px tiles (test profile): 100 batches, seconds of work to cancel in the middle of
        UUID job = fixtures.upscaleJob(modelX4, 4, JobFixtures.png(JobFixtures.image(640, 640, false, 6)), "large.png");
        fixtures.publish(job, JobType.UPSCALE, 1);
        fixtures.await(
                "the first tile batches",
                TIMEOUT,
                "SELECT status = 'RUNNING' AND progress > 0 AND progress_message LIKE 'tile batch % of 100' FROM jobs WHERE id = ?",
                job);

        fixtures.exec("UPDATE jobs SET cancel_requested = true WHERE id = ?", job);

        assertEquals("CANCELLED", fixtures.awaitFinal(job, Duration.ofSeconds(30)));
        assertEquals(0, fixtures.number("SELECT count(*) FROM results WHERE job_id = ?", job));
        assertTrue(
                Double.parseDouble(fixtures.text("SELECT progress FROM jobs WHERE id = ?", job)) < 1,
                "stopped before the last batch");
    }

    @Test
    void torchScriptModelUpscalesByItsScale() throws Exception {
        byte[] traced;
        try (InputStream in = getClass().getResourceAsStream("/models/seed-generator-x2.pt")) {
            assertNotNull(in, "test resource models/seed-generator-x2.pt");
            traced = in.readAllBytes();
        }
        UUID model = fixtures.model("TORCHSCRIPT", 2, 2, traced);
        UUID job = fixtures.upscaleJob(model, 2, JobFixtures.png(JobFixtures.image(30, 20, false, 7)), "photo.png");
        fixtures.publish(job, JobType.UPSCALE, 1);

        assertEquals("SUCCEEDED", fixtures.awaitFinal(job, TIMEOUT), () -> "error: " + text(job));
        assertEquals(60L, fixtures.number("SELECT width FROM results WHERE job_id = ?", job));
        assertEquals(40L, fixtures.number("SELECT height FROM results WHERE job_id = ?", job));
    }

    @Test
    void jobAskingForAnotherScaleThanItsModelFailsWithAReason() throws Exception {
        UUID job = fixtures.upscaleJob(modelX4, 2, JobFixtures.png(JobFixtures.image(16, 16, false, 8)), "small.png");
        fixtures.publish(job, JobType.UPSCALE, 1);

        assertEquals("FAILED", fixtures.awaitFinal(job, TIMEOUT));
        assertEquals(
                "the model upscales by 4, the job asks for 2",
                fixtures.text("SELECT error FROM jobs WHERE id = ?", job));
    }

    private String text(UUID job) {
        try {
            return fixtures.text("SELECT error FROM jobs WHERE id = ?", job);
        } catch (Exception e) {
            return e.getMessage();
        }
    }
}
