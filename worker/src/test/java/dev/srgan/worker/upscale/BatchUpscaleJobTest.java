package dev.srgan.worker.upscale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.domain.jobs.JobType;
import dev.srgan.embedded.EmbeddedServicesTestResource;
import dev.srgan.platform.KafkaSettings;
import dev.srgan.platform.blobs.BlobStore;
import dev.srgan.worker.JobFixtures;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A batch upscale on a real worker: each image is an ordinary UPSCALE job, and the batch follows
 * them (the roll-up trigger of migration V8, in the transaction of the worker's outcome). An image
 * whose pixel data is corrupt, though its structure passed the api's checks, fails with its reason
 * while the others finish, and the batch ends FAILED saying which and why.
 */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class BatchUpscaleJobTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static byte[] checkpointX2;

    @Inject
    DataSource dataSource;

    @Inject
    BlobStore blobs;

    @Inject
    KafkaSettings kafka;

    @Inject
    JobFixtures fixtures;

    UUID modelX2;

    @BeforeEach
    void setUp() throws Exception {
        if (checkpointX2 == null) {
            checkpointX2 = JobFixtures.randomCheckpoint(2, 1);
        }
        modelX2 = fixtures.model("CHECKPOINT", 2, 1, checkpointX2);
    }

    @Test
    void aBrokenImageFailsWithItsReasonWhileTheOthersFinishAndTheBatchSaysWhich() throws Exception {
        byte[] good = JobFixtures.png(JobFixtures.image(24, 16, false, 11));
        UUID batch = batch(3);
        List<UUID> images = List.of(
                image(batch, 0, good, "a.png"),
                image(batch, 1, scrambledPixels(JobFixtures.png(JobFixtures.image(24, 24, false, 12))), "broken.png"),
                image(batch, 2, JobFixtures.png(JobFixtures.image(16, 16, false, 13)), "c.png"));
        for (UUID image : images) {
            fixtures.publish(image, JobType.UPSCALE, 1);
        }

        assertEquals("FAILED", fixtures.awaitFinal(batch, TIMEOUT));
        assertEquals(List.of("SUCCEEDED", "FAILED", "SUCCEEDED"), statuses(images));
        assertEquals(
                1,
                fixtures.number("SELECT attempts FROM jobs WHERE id = ?", images.get(1)),
                "a corrupt image is not retried");
        String error = fixtures.text("SELECT error FROM jobs WHERE id = ?", batch);
        assertTrue(
                error.startsWith(
                        "1 of 3 images failed: broken.png: the input is not a readable PNG, JPEG, WebP or TIFF image"),
                error);
        assertEquals(
                error.substring("1 of 3 images failed: broken.png: ".length()),
                fixtures.text("SELECT error FROM jobs WHERE id = ?", images.get(1)),
                "the batch says the image's own reason");
        assertEquals(
                "3 of 3 images done (1 failed)",
                fixtures.text("SELECT progress_message FROM jobs WHERE id = ?", batch));
        assertEquals("1.0", fixtures.text("SELECT progress FROM jobs WHERE id = ?", batch));
        assertEquals(
                List.of(2L, 1L, 0L),
                fixtures.numbers(
                        "SELECT unnest(ARRAY[succeeded, failed, cancelled]) FROM batches WHERE job_id = ?", batch));
        assertEquals(
                2,
                fixtures.number(
                        "SELECT count(*) FROM results r JOIN jobs j ON j.id = r.job_id WHERE j.batch_id = ?", batch));
        assertEquals(48L, fixtures.number("SELECT width FROM results WHERE job_id = ?", images.get(0)));
        assertTrue(fixtures.value("SELECT finished_at FROM jobs WHERE id = ?", batch) != null);
        // the batch's history: it ran, each image's end, and how it ended
        assertEquals(
                1, fixtures.number("SELECT count(*) FROM job_events WHERE job_id = ? AND status = 'RUNNING'", batch));
        assertEquals(3, fixtures.number("SELECT count(*) FROM job_events WHERE job_id = ? AND kind = 'IMAGE'", batch));
        assertEquals(
                1,
                fixtures.number(
                        "SELECT count(*) FROM job_events WHERE job_id = ? AND status = 'FAILED' AND kind = 'STATUS'",
                        batch));
        assertEquals(
                0,
                fixtures.number("SELECT count(*) FROM outbox WHERE message_key = ?", batch.toString()),
                "a batch is never queued itself");
    }

    @Test
    void aBatchWhoseImagesAllSucceedSucceeds() throws Exception {
        UUID batch = batch(2);
        List<UUID> images = List.of(
                image(batch, 0, JobFixtures.png(JobFixtures.image(12, 12, false, 14)), "x.png"),
                image(batch, 1, JobFixtures.png(JobFixtures.image(10, 14, false, 15)), "y.png"));
        for (UUID image : images) {
            fixtures.publish(image, JobType.UPSCALE, 1);
        }
        assertEquals("SUCCEEDED", fixtures.awaitFinal(batch, TIMEOUT));
        assertEquals(null, fixtures.value("SELECT error FROM jobs WHERE id = ?", batch));
        assertEquals("2 of 2 images done", fixtures.text("SELECT progress_message FROM jobs WHERE id = ?", batch));
        assertEquals(
                "all 2 images upscaled",
                fixtures.text(
                        "SELECT message FROM job_events WHERE job_id = ? AND kind = 'STATUS' ORDER BY id DESC LIMIT 1",
                        batch));
    }

    /**
     * Two images of one batch end at the same moment in two transactions (two workers): the second
     * roll-up waits for the first one's lock on the batch, then counts with the first committed, so
     * the batch ends SUCCEEDED instead of staying RUNNING with one image uncounted.
     */
    @Test
    void twoImagesEndingAtOnceAreBothCounted() throws Exception {
        UUID batch = batch(2);
        UUID a = image(batch, 0, JobFixtures.png(JobFixtures.image(8, 8, false, 16)), "a.png");
        UUID b = image(batch, 1, JobFixtures.png(JobFixtures.image(8, 8, false, 17)), "b.png");
        fixtures.exec("UPDATE jobs SET status = 'RUNNING' WHERE batch_id = ?", batch);
        assertEquals("RUNNING", fixtures.text("SELECT status FROM jobs WHERE id = ?", batch));

        try (Connection first = dataSource.getConnection();
                Connection second = dataSource.getConnection()) {
            first.setAutoCommit(false);
            second.setAutoCommit(false);
            succeed(first, a);
            CompletableFuture<Void> other = CompletableFuture.runAsync(() -> {
                try {
                    succeed(second, b);
                    second.commit();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(500);
            assertFalse(other.isDone(), "the second roll-up waits for the first one's lock on the batch");
            first.commit();
            other.get(30, TimeUnit.SECONDS);
        }
        assertEquals("SUCCEEDED", fixtures.text("SELECT status FROM jobs WHERE id = ?", batch));
        assertEquals(2L, fixtures.number("SELECT succeeded FROM batches WHERE job_id = ?", batch));
    }

    private static void succeed(Connection c, UUID job) throws Exception {
        try (PreparedStatement ps =
                c.prepareStatement("UPDATE jobs SET status = 'SUCCEEDED', finished_at = now() WHERE id = ?")) {
            ps.setObject(1, job);
            ps.executeUpdate();
        }
    }

    /** A QUEUED batch of {@code count} images at 2x, as the api writes it. */
    private UUID batch(int count) throws Exception {
        UUID id = UUID.randomUUID();
        fixtures.exec(
                "INSERT INTO jobs (id, type, status, params, model_id) VALUES (?, 'BATCH', 'QUEUED', ?::jsonb, ?)",
                id,
                "{\"scale\": 2, \"count\": " + count + "}",
                modelX2);
        fixtures.exec("INSERT INTO batches (job_id, image_count) VALUES (?, ?)", id, count);
        return id;
    }

    private UUID image(UUID batch, int index, byte[] png, String name) throws Exception {
        UUID job = fixtures.upscaleJob(modelX2, 2, png, name);
        fixtures.exec("UPDATE jobs SET batch_id = ?, batch_index = ? WHERE id = ?", batch, index, job);
        return job;
    }

    private List<String> statuses(List<UUID> jobs) throws Exception {
        List<String> statuses = new ArrayList<>();
        for (UUID job : jobs) {
            statuses.add(fixtures.text("SELECT status FROM jobs WHERE id = ?", job));
        }
        return statuses;
    }

    /**
     * The PNG with the data of its IDAT chunks replaced by noise and their CRCs made right again:
     * its structure is whole (what the api checks at submission), its pixels cannot be decoded.
     */
    static byte[] scrambledPixels(byte[] png) {
        byte[] out = png.clone();
        ByteBuffer b = ByteBuffer.wrap(out);
        int at = 8;
        while (at + 8 <= out.length) {
            int length = b.getInt(at);
            String type = new String(out, at + 4, 4, java.nio.charset.StandardCharsets.US_ASCII);
            if (type.equals("IDAT")) {
                for (int i = 0; i < length; i++) {
                    out[at + 8 + i] = (byte) (i * 37 + 11);
                }
                CRC32 crc = new CRC32();
                crc.update(out, at + 4, 4 + length);
                b.putInt(at + 8 + length, (int) crc.getValue());
            }
            at += 12 + length;
        }
        return out;
    }
}
