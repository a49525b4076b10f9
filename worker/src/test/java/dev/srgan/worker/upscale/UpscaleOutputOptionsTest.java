package dev.srgan.worker.upscale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.domain.jobs.JobType;
import dev.srgan.embedded.EmbeddedServicesTestResource;
import dev.srgan.worker.JobFixtures;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Output options on the worker: the model upscales by its scale, the result is resized to the size
 * the job's params ask for (outscale or width) and stored as PNG, JPEG or WebP with its content type,
 * and the result row records the final size.
 */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class UpscaleOutputOptionsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static byte[] checkpointX4;

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

    private BufferedImage result(UUID job) throws Exception {
        UUID blob = (UUID) fixtures.value("SELECT blob_id FROM results WHERE job_id = ?", job);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(fixtures.readBlob(blob)));
        assertEquals(
                fixtures.number("SELECT width FROM results WHERE job_id = ?", job),
                image.getWidth(),
                "the recorded width is the file's");
        assertEquals(fixtures.number("SELECT height FROM results WHERE job_id = ?", job), image.getHeight());
        return image;
    }

    private String error(UUID job) {
        try {
            return fixtures.text("SELECT error FROM jobs WHERE id = ?", job);
        } catch (Exception e) {
            return e.getMessage();
        }
    }

    @Test
    void outscaleThreeWithTheFourTimesModelGivesAJpegOfExactlyThreeTimesTheSize() throws Exception {
        UUID job = fixtures.upscaleJob(
                modelX4,
                "{\"scale\": 4, \"format\": \"jpeg\", \"quality\": 90, \"outscale\": 3}",
                JobFixtures.png(JobFixtures.image(33, 25, false, 21)),
                "odd.png");
        fixtures.publish(job, JobType.UPSCALE, 1);

        assertEquals("SUCCEEDED", fixtures.awaitFinal(job, TIMEOUT), () -> error(job));
        assertEquals("image/jpeg", fixtures.text("SELECT content_type FROM results WHERE job_id = ?", job));
        assertEquals(
                "image/jpeg",
                fixtures.text(
                        "SELECT b.content_type FROM results r JOIN blobs b ON b.id = r.blob_id WHERE r.job_id = ?",
                        job));
        UUID blob = (UUID) fixtures.value("SELECT blob_id FROM results WHERE job_id = ?", job);
        byte[] bytes = fixtures.readBlob(blob);
        assertEquals(0xffd8, (bytes[0] & 0xff) << 8 | (bytes[1] & 0xff), "a JPEG file");
        BufferedImage image = result(job);
        assertEquals(99, image.getWidth(), "round(33 * 3)");
        assertEquals(75, image.getHeight(), "round(25 * 3)");
        assertFalse(image.getColorModel().hasAlpha());
    }

    @Test
    void outscaleTwoAndAHalfAsPngKeepsAlphaAtTheRoundedSize() throws Exception {
        UUID job = fixtures.upscaleJob(
                modelX4,
                "{\"scale\": 4, \"format\": \"png\", \"outscale\": 2.5}",
                JobFixtures.png(JobFixtures.image(21, 15, true, 22)),
                "alpha.png");
        fixtures.publish(job, JobType.UPSCALE, 1);

        assertEquals("SUCCEEDED", fixtures.awaitFinal(job, TIMEOUT), () -> error(job));
        assertEquals("image/png", fixtures.text("SELECT content_type FROM results WHERE job_id = ?", job));
        BufferedImage image = result(job);
        assertEquals(53, image.getWidth(), "round(52.5)");
        assertEquals(38, image.getHeight(), "round(37.5)");
        assertTrue(image.getColorModel().hasAlpha());
        assertEquals(0, image.getRGB(0, 19) >>> 24, "the transparent edge stays transparent");
        assertEquals(255, image.getRGB(52, 19) >>> 24, "the opaque edge stays opaque");
    }

    @Test
    void widthGivesThatWidthAndKeepsTheAspectRatio() throws Exception {
        UUID job = fixtures.upscaleJob(
                modelX4,
                "{\"scale\": 4, \"format\": \"png\", \"width\": 100}",
                JobFixtures.png(JobFixtures.image(40, 24, false, 23)),
                "wide.png");
        fixtures.publish(job, JobType.UPSCALE, 1);

        assertEquals("SUCCEEDED", fixtures.awaitFinal(job, TIMEOUT), () -> error(job));
        BufferedImage image = result(job);
        assertEquals(100, image.getWidth());
        assertEquals(60, image.getHeight(), "24 * 100 / 40");
    }

    @Test
    void transparencyInAJpegResultIsCompositedOnWhite() throws Exception {
        // alpha ramps from 0 at the left edge to 255 at the right
        UUID job = fixtures.upscaleJob(
                modelX4,
                "{\"scale\": 4, \"format\": \"jpeg\", \"quality\": 95}",
                JobFixtures.png(JobFixtures.image(24, 16, true, 24)),
                "ramp.png");
        fixtures.publish(job, JobType.UPSCALE, 1);

        assertEquals("SUCCEEDED", fixtures.awaitFinal(job, TIMEOUT), () -> error(job));
        assertEquals("image/jpeg", fixtures.text("SELECT content_type FROM results WHERE job_id = ?", job));
        BufferedImage image = result(job);
        assertEquals(96, image.getWidth(), "no size asked for: the model's 4x");
        assertEquals(64, image.getHeight());
        assertFalse(image.getColorModel().hasAlpha());
        for (int y = 8; y < 56; y += 8) {
            int p = image.getRGB(0, y);
            for (int shift = 0; shift <= 16; shift += 8) {
                int v = (p >> shift) & 0xff;
                assertTrue(
                        v >= 245, "the transparent left edge is white, got " + Integer.toHexString(p) + " at y " + y);
            }
        }
    }

    @Test
    void aWebpResultHasThePngsPixelsAlphaIncluded() throws Exception {
        byte[] input = JobFixtures.png(JobFixtures.image(19, 13, true, 26));
        UUID png = fixtures.upscaleJob(modelX4, "{\"scale\": 4, \"format\": \"png\"}", input, "alpha.png");
        UUID webp = fixtures.upscaleJob(modelX4, "{\"scale\": 4, \"format\": \"webp\"}", input, "alpha.png");
        fixtures.publish(png, JobType.UPSCALE, 1);
        fixtures.publish(webp, JobType.UPSCALE, 1);

        assertEquals("SUCCEEDED", fixtures.awaitFinal(png, TIMEOUT), () -> error(png));
        assertEquals("SUCCEEDED", fixtures.awaitFinal(webp, TIMEOUT), () -> error(webp));
        assertEquals("image/webp", fixtures.text("SELECT content_type FROM results WHERE job_id = ?", webp));
        UUID blob = (UUID) fixtures.value("SELECT blob_id FROM results WHERE job_id = ?", webp);
        byte[] bytes = fixtures.readBlob(blob);
        assertEquals("RIFF", new String(bytes, 0, 4, StandardCharsets.US_ASCII));
        assertEquals("WEBPVP8L", new String(bytes, 8, 8, StandardCharsets.US_ASCII), "lossless");
        BufferedImage lossless = result(png);
        BufferedImage read = result(webp);
        assertEquals(76, read.getWidth());
        assertTrue(read.getColorModel().hasAlpha());
        for (int y = 0; y < read.getHeight(); y++) {
            for (int x = 0; x < read.getWidth(); x++) {
                int expected = lossless.getRGB(x, y);
                int actual = read.getRGB(x, y);
                int xx = x;
                int yy = y;
                assertEquals(expected, actual, () -> "pixel " + xx + "," + yy + " differs from the PNG's");
            }
        }
    }

    @Test
    void anOutscaleTheModelCannotReachFailsWithTheReason() throws Exception {
        UUID job = fixtures.upscaleJob(
                modelX4,
                "{\"scale\": 4, \"format\": \"png\", \"outscale\": 6}",
                JobFixtures.png(JobFixtures.image(8, 8, false, 25)),
                "far.png");
        fixtures.publish(job, JobType.UPSCALE, 1);

        assertEquals("FAILED", fixtures.awaitFinal(job, TIMEOUT));
        assertTrue(error(job).startsWith("outscale 6 is more than the 4x model upscales"), error(job));
        assertEquals(0, fixtures.number("SELECT count(*) FROM results WHERE job_id = ?", job));
    }
}
