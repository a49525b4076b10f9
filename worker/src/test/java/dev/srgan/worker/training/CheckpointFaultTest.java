package dev.srgan.worker.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.domain.jobs.JobType;
import dev.srgan.embedded.EmbeddedServicesTestResource;
import dev.srgan.networks.checkpoint.Checkpoint;
import dev.srgan.networks.training.TrainingConfig;
import dev.srgan.platform.KafkaSettings;
import dev.srgan.platform.blobs.BlobStore;
import dev.srgan.worker.JobFixtures;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The database failing while a checkpoint is written, the way PostgreSQL fails: a trigger that
 * raises what a full disk raises (SQLSTATE 53100, "could not extend file ...: No space left on
 * device"), in the middle of the blob's chunks or at the checkpoint's row, and a session that the
 * server ends in the middle of the write (SQLSTATE 57P01, the connection closed).
 */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class CheckpointFaultTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String DISK_FULL = "the database is out of disk space (SQLSTATE 53100: "
            + "could not extend file \"base/16384/16385\": No space left on device)";

    @Inject
    DataSource dataSource;

    @Inject
    BlobStore blobs;

    @Inject
    KafkaSettings kafka;

    @Inject
    JobFixtures fixtures;

    @BeforeEach
    void setUp() throws Exception {
        fixtures.exec("""
                CREATE OR REPLACE FUNCTION srgan_test_disk_full() RETURNS trigger AS $$
                BEGIN
                    IF TG_NARGS > 0 AND (SELECT count(*) FROM checkpoints WHERE job_id = TG_ARGV[0]::uuid) < 2 THEN
                        RETURN NEW;
                    END IF;
                    RAISE EXCEPTION 'could not extend file "base/16384/16385": No space left on device'
                        USING ERRCODE = '53100', HINT = 'Check free disk space.';
                END;
                $$ LANGUAGE plpgsql""");
    }

    @AfterEach
    void removeFaults() throws Exception {
        fixtures.exec("DROP TRIGGER IF EXISTS srgan_test_fault ON checkpoints");
        fixtures.exec("DROP TRIGGER IF EXISTS srgan_test_fault ON blob_chunks");
    }

    /** Fifteen pre-training steps, a checkpoint every five (at 5, 10 and 15), validations at 0 and 15. */
    private static TrainingConfig config() {
        return TrainingConfig.builder()
                .scale(2)
                .residualBlocks(1)
                .batchSize(2)
                .hrCropSize(24)
                .learningRate(1e-3)
                .seed(7)
                .validationSamples(1)
                .pretrainSteps(15)
                .ganSteps(0)
                .validateEvery(100)
                .checkpointEvery(5)
                .build();
    }

    private UUID trainingJob() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (int i = 0; i < 4; i++) {
                zip.putNextEntry(new ZipEntry("photos/img-" + i + ".png"));
                zip.write(JobFixtures.png(JobFixtures.image(48, 40, false, 200 + i)));
                zip.closeEntry();
            }
        }
        return fixtures.trainingJob(config(), fixtures.dataset(bytes.toByteArray(), 4));
    }

    @Test
    void diskFullAtACheckpointEndsTheAttemptAndTheRetryResumesFromThePreviousOne() throws Exception {
        Timestamp since = now();
        UUID job = trainingJob();
        fixtures.exec("CREATE TRIGGER srgan_test_fault BEFORE INSERT ON checkpoints FOR EACH ROW "
                + "WHEN (NEW.job_id = '" + job + "' AND NEW.step > 10) EXECUTE FUNCTION srgan_test_disk_full()");
        fixtures.publish(job, JobType.TRAINING, 1);

        fixtures.await(
                "attempt 1 to fail and the job to be queued again",
                TIMEOUT,
                "SELECT status = 'QUEUED' AND attempts = 1 FROM jobs WHERE id = ?",
                job);
        String expected = "attempt 1 failed: the checkpoint at step 15 could not be saved: " + DISK_FULL
                + "; the run resumes from the checkpoint at step 10";
        assertEquals(expected, fixtures.text("SELECT error FROM jobs WHERE id = ?", job));
        assertEquals(
                expected, fixtures.text("SELECT message FROM job_events WHERE job_id = ? AND status = 'QUEUED'", job));
        assertEquals(
                List.of(5L, 10L), fixtures.numbers("SELECT step FROM checkpoints WHERE job_id = ? ORDER BY step", job));
        assertFullAndLoadable(job, 5);
        assertFullAndLoadable(job, 10);
        assertNoBlobLeftBehind(since);

        // the disk has room again; the losses recorded so far are marked to tell kept ones from recomputed ones
        fixtures.exec("DROP TRIGGER srgan_test_fault ON checkpoints");
        fixtures.exec("UPDATE loss_points SET seconds_per_step = -1 WHERE job_id = ?", job);
        fixtures.publish(job, JobType.TRAINING, 2);

        assertEquals("SUCCEEDED", fixtures.awaitFinal(job, TIMEOUT), () -> error(job));
        assertEquals(2, fixtures.number("SELECT attempts FROM jobs WHERE id = ?", job));
        assertEquals(null, fixtures.value("SELECT error FROM jobs WHERE id = ?", job));
        assertEquals(
                LongStream.rangeClosed(1, 15).boxed().toList(),
                fixtures.numbers("SELECT step FROM loss_points WHERE job_id = ? ORDER BY step", job),
                "each step once");
        assertEquals(
                LongStream.rangeClosed(1, 10).boxed().toList(),
                fixtures.numbers(
                        "SELECT step FROM loss_points WHERE job_id = ? AND seconds_per_step = -1 ORDER BY step", job),
                "attempt 2 resumed from the checkpoint at step 10: it kept the steps up to it and computed the ones after");
        assertEquals(
                List.of(0L, 15L),
                fixtures.numbers("SELECT step FROM validation_metrics WHERE job_id = ? ORDER BY step", job));
        assertEquals(
                List.of(5L, 10L, 15L),
                fixtures.numbers("SELECT step FROM checkpoints WHERE job_id = ? ORDER BY step", job));
        assertFullAndLoadable(job, 15);
        assertNoBlobLeftBehind(since);
    }

    @Test
    void diskFullInTheMiddleOfEveryCheckpointFailsTheJobAfterItsAttemptsAndKeepsTheEarlierCheckpoints()
            throws Exception {
        Timestamp since = now();
        UUID job = trainingJob();
        fixtures.exec("UPDATE jobs SET max_attempts = 2 WHERE id = ?", job);
        // from the job's third checkpoint on, the disk fills up after the first 1 MiB chunk of any blob
        fixtures.exec("CREATE TRIGGER srgan_test_fault BEFORE INSERT ON blob_chunks FOR EACH ROW WHEN (NEW.seq >= 1) "
                + "EXECUTE FUNCTION srgan_test_disk_full('" + job + "')");
        fixtures.publish(job, JobType.TRAINING, 1);

        fixtures.await(
                "attempt 1 to fail and the job to be queued again",
                TIMEOUT,
                "SELECT status = 'QUEUED' AND attempts = 1 FROM jobs WHERE id = ?",
                job);
        assertTrue(
                fixtures.number("SELECT size_bytes FROM checkpoints WHERE job_id = ? AND step = 10", job)
                        > BlobStore.CHUNK,
                "a checkpoint takes more than one chunk, so the fault came in the middle of its blob");
        fixtures.publish(job, JobType.TRAINING, 2);

        assertEquals("FAILED", fixtures.awaitFinal(job, TIMEOUT));
        String expected = "the checkpoint at step 15 could not be saved: " + DISK_FULL
                + "; that was the last of 2 attempts; the checkpoints up to step 10 are kept";
        assertEquals(expected, fixtures.text("SELECT error FROM jobs WHERE id = ?", job));
        assertEquals(
                List.of(
                        "QUEUED: attempt 1 failed: the checkpoint at step 15 could not be saved: " + DISK_FULL
                                + "; the run resumes from the checkpoint at step 10",
                        "FAILED: " + expected),
                texts(
                        "SELECT status || ': ' || message FROM job_events WHERE job_id = ? AND status IN ('QUEUED', 'FAILED') ORDER BY id",
                        job));
        assertEquals(
                List.of(5L, 10L), fixtures.numbers("SELECT step FROM checkpoints WHERE job_id = ? ORDER BY step", job));
        assertFullAndLoadable(job, 5);
        assertFullAndLoadable(job, 10);
        assertEquals(
                LongStream.rangeClosed(1, 15).boxed().toList(),
                fixtures.numbers("SELECT step FROM loss_points WHERE job_id = ? ORDER BY step", job),
                "each step once");
        assertNoBlobLeftBehind(since);
    }

    @Test
    void sessionEndedByTheServerInTheMiddleOfACheckpointIsWrittenAgainInPlace() throws Exception {
        Timestamp since = now();
        UUID job = trainingJob();
        // the first time the checkpoint of step 10 is written, the server ends the session
        // (what a restart or pg_terminate_backend does: SQLSTATE 57P01, the connection closed)
        fixtures.exec("DROP SEQUENCE IF EXISTS srgan_test_ended_sessions");
        fixtures.exec("CREATE SEQUENCE srgan_test_ended_sessions");
        fixtures.exec("""
                CREATE OR REPLACE FUNCTION srgan_test_end_session() RETURNS trigger AS $$
                BEGIN
                    IF nextval('srgan_test_ended_sessions') = 1 THEN
                        PERFORM pg_terminate_backend(pg_backend_pid());
                        PERFORM pg_sleep(10);
                    END IF;
                    RETURN NEW;
                END;
                $$ LANGUAGE plpgsql""");
        fixtures.exec("CREATE TRIGGER srgan_test_fault BEFORE INSERT ON checkpoints FOR EACH ROW "
                + "WHEN (NEW.job_id = '" + job + "' AND NEW.step = 10) EXECUTE FUNCTION srgan_test_end_session()");
        fixtures.publish(job, JobType.TRAINING, 1);

        assertEquals("SUCCEEDED", fixtures.awaitFinal(job, TIMEOUT), () -> error(job));
        assertEquals(
                2,
                fixtures.number("SELECT last_value FROM srgan_test_ended_sessions"),
                "the write was tried a second time");
        assertEquals(
                1,
                fixtures.number("SELECT attempts FROM jobs WHERE id = ?", job),
                "without a second attempt of the job");
        assertEquals(0, fixtures.number("SELECT count(*) FROM job_events WHERE job_id = ? AND status = 'QUEUED'", job));
        assertEquals(
                List.of(5L, 10L, 15L),
                fixtures.numbers("SELECT step FROM checkpoints WHERE job_id = ? ORDER BY step", job));
        assertFullAndLoadable(job, 10);
        assertFullAndLoadable(job, 15);
        assertNoBlobLeftBehind(since);
    }

    /** The checkpoint's row, its complete blob with the recorded size and SHA-256, and a full checkpoint of that step in it. */
    private void assertFullAndLoadable(UUID job, long step) throws Exception {
        UUID blob =
                (UUID) fixtures.value("SELECT blob_id FROM checkpoints WHERE job_id = ? AND step = ?", job, (int) step);
        assertEquals(
                "application/zip",
                fixtures.text("SELECT content_type FROM blobs WHERE id = ? AND complete", blob),
                "still full, not reduced");
        byte[] bytes = fixtures.readBlob(blob);
        assertEquals(fixtures.number("SELECT size_bytes FROM checkpoints WHERE blob_id = ?", blob), bytes.length);
        assertEquals(
                fixtures.text("SELECT sha256 FROM blobs WHERE id = ?", blob),
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        Checkpoint checkpoint = Checkpoint.read(new ByteArrayInputStream(bytes));
        assertEquals(step, checkpoint.step());
        assertFalse(checkpoint.isGeneratorOnly(), "it can resume a run");
    }

    /** Every blob written since {@code since} is complete and belongs to a dataset, a checkpoint or a sample. */
    private void assertNoBlobLeftBehind(Timestamp since) throws Exception {
        assertEquals(0, fixtures.number("""
                SELECT count(*) FROM blobs b WHERE b.created_at >= ? AND (NOT b.complete OR (
                    NOT EXISTS (SELECT 1 FROM checkpoints k WHERE k.blob_id = b.id)
                    AND NOT EXISTS (SELECT 1 FROM sample_images s WHERE s.blob_id = b.id)
                    AND NOT EXISTS (SELECT 1 FROM datasets d WHERE d.blob_id = b.id)))""", since), "blobs left behind");
    }

    private Timestamp now() throws Exception {
        return (Timestamp) fixtures.value("SELECT now()");
    }

    private List<String> texts(String sql, Object... params) throws Exception {
        List<String> values = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
            }
        }
        return values;
    }

    private String error(UUID job) {
        try {
            return "error: " + fixtures.text("SELECT error FROM jobs WHERE id = ?", job);
        } catch (Exception e) {
            return e.getMessage();
        }
    }
}
