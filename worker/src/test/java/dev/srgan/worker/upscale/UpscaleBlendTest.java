package dev.srgan.worker.upscale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.domain.jobs.JobType;
import dev.srgan.embedded.EmbeddedServicesTestResource;
import dev.srgan.networks.checkpoint.Checkpoint;
import dev.srgan.networks.inference.Upscaler;
import dev.srgan.worker.JobFixtures;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An upscale that blends its model with a second one (params blendModelId and blendWeight) runs the
 * blended generator, exactly {@link Checkpoint#blend}'s, or with blendMode pixels mixes the two
 * models' outputs ({@link Upscaler#mix}), on real PostgreSQL and Kafka; a blend the worker cannot
 * make fails at once with the reason.
 */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class UpscaleBlendTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static byte[] base;
    private static byte[] tuned;
    private static byte[] deeper;

    @Inject
    JobFixtures fixtures;

    @Inject
    ModelCache cache;

    UUID baseModel;
    UUID tunedModel;

    @BeforeEach
    void setUp() throws Exception {
        if (base == null) {
            base = JobFixtures.randomCheckpoint(2, 1);
            tuned = JobFixtures.fineTuned(base);
            deeper = JobFixtures.randomCheckpoint(2, 2);
        }
        baseModel = fixtures.model("CHECKPOINT", 2, 1, base);
        tunedModel = fixtures.model("CHECKPOINT", 2, 1, tuned);
    }

    private UUID run(UUID model, String blend, BufferedImage input) throws Exception {
        UUID job = fixtures.upscaleJob(
                model, "{\"scale\": 2, \"format\": \"png\"" + blend + "}", JobFixtures.png(input), "in.png");
        fixtures.publish(job, JobType.UPSCALE, 1);
        fixtures.awaitFinal(job, TIMEOUT);
        return job;
    }

    private int[] pixels(UUID job) throws Exception {
        String error = fixtures.text("SELECT coalesce(error, '') FROM jobs WHERE id = ?", job);
        assertEquals("SUCCEEDED", fixtures.text("SELECT status FROM jobs WHERE id = ?", job), error);
        UUID blob = (UUID) fixtures.value("SELECT blob_id FROM results WHERE job_id = ?", job);
        return pixels(ImageIO.read(new ByteArrayInputStream(fixtures.readBlob(blob))));
    }

    private static int[] pixels(BufferedImage image) {
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }

    private int[] expected(double weight, BufferedImage input) throws Exception {
        Checkpoint blend = Checkpoint.blend(
                Checkpoint.read(new ByteArrayInputStream(base)),
                Checkpoint.read(new ByteArrayInputStream(tuned)),
                weight);
        try (Upscaler upscaler = Upscaler.fromCheckpoint(blend, cache.precision())) {
            return pixels(upscaler.upscale(input));
        }
    }

    private String blend(UUID model, double weight) {
        return ", \"blendModelId\": \"" + model + "\", \"blendWeight\": " + weight;
    }

    @Test
    void aBlendedUpscaleRunsTheBlendOfTheTwoModels() throws Exception {
        BufferedImage input = JobFixtures.image(24, 18, false, 31);
        int[] alone = pixels(run(baseModel, "", input));
        int[] half = pixels(run(baseModel, blend(tunedModel, 0.5), input));
        int[] full = pixels(run(baseModel, blend(tunedModel, 1), input));

        assertArrayEquals(expected(0.5, input), half, "the worker's blend is Checkpoint.blend's");
        assertArrayEquals(expected(1, input), full);
        assertFalse(java.util.Arrays.equals(alone, half), "the blend changes the result");
        assertFalse(java.util.Arrays.equals(half, full));
        assertArrayEquals(expected(0, input), alone, "weight 0 is the model alone");
    }

    @Test
    void aBlendOfPixelsMixesTheTwoModelsOutputsEvenOfModelsTrainedApart() throws Exception {
        // a deeper model trained apart: a blend of weights refuses it, a blend of outputs takes it
        UUID deeperModel = fixtures.model("CHECKPOINT", 2, 2, deeper);
        BufferedImage input = JobFixtures.image(30, 20, false, 33);
        int[] alone = pixels(run(baseModel, "", input));
        int[] other = pixels(run(deeperModel, "", input));
        int[] mixed = pixels(run(baseModel, blend(deeperModel, 0.25) + ", \"blendMode\": \"pixels\"", input));
        int worst = 0;
        for (int i = 0; i < mixed.length; i++) {
            for (int shift = 0; shift <= 16; shift += 8) {
                double mean = 0.75 * ((alone[i] >> shift) & 0xff) + 0.25 * ((other[i] >> shift) & 0xff);
                worst = Math.max(worst, (int) Math.ceil(Math.abs(((mixed[i] >> shift) & 0xff) - mean)));
            }
        }
        assertTrue(worst <= 1, worst + " levels from 0.75 x the model's output + 0.25 x the other's");
        assertFalse(java.util.Arrays.equals(alone, mixed), "the blend changes the result");
    }

    @Test
    void aBlendTheWorkerCannotMakeFailsAtOnceWithTheReason() throws Exception {
        BufferedImage input = JobFixtures.image(16, 16, false, 32);
        UUID deeperModel = fixtures.model("CHECKPOINT", 2, 2, deeper);
        UUID job = run(baseModel, blend(deeperModel, 0.5), input);
        assertEquals("FAILED", fixtures.text("SELECT status FROM jobs WHERE id = ?", job));
        String error = fixtures.text("SELECT error FROM jobs WHERE id = ?", job);
        assertTrue(error.contains("the models do not blend: only models of the same network blend"), error);
        assertEquals(1, fixtures.number("SELECT attempts FROM jobs WHERE id = ?", job), "not retried");

        UUID gone = UUID.randomUUID();
        UUID missing = run(baseModel, blend(gone, 0.5), input);
        assertEquals("FAILED", fixtures.text("SELECT status FROM jobs WHERE id = ?", missing));
        assertEquals(
                "the job's blend model " + gone + " no longer exists",
                fixtures.text("SELECT error FROM jobs WHERE id = ?", missing));
    }
}
