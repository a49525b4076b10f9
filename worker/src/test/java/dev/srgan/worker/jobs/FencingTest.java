package dev.srgan.worker.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.domain.jobs.JobMessage;
import dev.srgan.domain.jobs.JobStatus;
import dev.srgan.domain.jobs.JobType;
import dev.srgan.embedded.EmbeddedServicesTestResource;
import dev.srgan.networks.training.TrainingConfig;
import dev.srgan.platform.KafkaSettings;
import dev.srgan.platform.blobs.BlobStore;
import dev.srgan.platform.jobs.ClaimedJob;
import dev.srgan.platform.jobs.JobLease;
import dev.srgan.platform.jobs.LeaseLost;
import dev.srgan.worker.JobFixtures;
import dev.srgan.worker.workers.WorkerIdentity;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Fencing: every write of an attempt carries the lease epoch of its claim and applies only while
 * the job is RUNNING under that epoch. An attempt that lost its job stops and writes nothing more.
 */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class FencingTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @Inject
    DataSource dataSource;

    @Inject
    BlobStore blobs;

    @Inject
    KafkaSettings kafka;

    @Inject
    JobRunner runner;

    @Inject
    WorkerIdentity identity;

    @Inject
    MeterRegistry meters;

    @Inject
    JobFixtures fixtures;

    private UUID trainingJob(int steps) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (int i = 0; i < 4; i++) {
                zip.putNextEntry(new ZipEntry("img-" + i + ".png"));
                zip.write(JobFixtures.png(JobFixtures.image(48, 40, false, 300 + i)));
                zip.closeEntry();
            }
        }
        TrainingConfig config = TrainingConfig.builder()
                .scale(2)
                .residualBlocks(1)
                .batchSize(2)
                .hrCropSize(24)
                .learningRate(1e-3)
                .seed(5)
                .validationSamples(0)
                .pretrainSteps(steps)
                .ganSteps(0)
                .validateEvery(100_000)
                .checkpointEvery(5)
                .build();
        return fixtures.trainingJob(config, fixtures.dataset(bytes.toByteArray(), 4));
    }

    private double rejected() {
        return meters.find("srgan.fenced.writes.rejected").counters().stream()
                .mapToDouble(c -> c.count())
                .sum();
    }

    @Test
    void anAttemptWhoseJobWasTakenStopsWithinAStepAndWritesNothingMore() throws Exception {
        UUID job = trainingJob(1_000_000);
        fixtures.publish(job, JobType.TRAINING, 1);
        fixtures.await("a first checkpoint", TIMEOUT, "SELECT count(*) > 0 FROM checkpoints WHERE job_id = ?", job);

        // what the reaper and another worker's claim do to a job whose worker was frozen past its
        // lease; it waits for any fenced write in flight, so everything after it is refused
        fixtures.exec(
                "UPDATE jobs SET status = 'RUNNING', worker_id = 'another-worker', lease_epoch = lease_epoch + 1, "
                        + "lease_expires_at = now() + interval '1 hour' WHERE id = ?",
                job);
        long steps = fixtures.number("SELECT count(*) FROM loss_points WHERE job_id = ?", job);
        long checkpoints = fixtures.number("SELECT count(*) FROM checkpoints WHERE job_id = ?", job);
        String progress = fixtures.text("SELECT progress_message FROM jobs WHERE id = ?", job);

        // the heartbeat (every second in tests) tells the attempt, or its next write is refused
        fixtures.await(
                "the attempt to end",
                Duration.ofSeconds(15),
                "SELECT current_job_id IS NULL FROM workers WHERE id = ?",
                identity.id());
        Thread.sleep(2_000);
        assertEquals(
                steps,
                fixtures.number("SELECT count(*) FROM loss_points WHERE job_id = ?", job),
                "no loss point after the takeover");
        assertEquals(
                checkpoints,
                fixtures.number("SELECT count(*) FROM checkpoints WHERE job_id = ?", job),
                "no checkpoint after the takeover");
        assertEquals(
                progress,
                fixtures.text("SELECT progress_message FROM jobs WHERE id = ?", job),
                "no progress after the takeover");
        assertEquals(
                "RUNNING",
                fixtures.text("SELECT status FROM jobs WHERE id = ?", job),
                "the old attempt wrote no outcome");
        assertEquals("another-worker", fixtures.text("SELECT worker_id FROM jobs WHERE id = ?", job));
        fixtures.exec(
                "UPDATE jobs SET status = 'CANCELLED', finished_at = now(), lease_expires_at = NULL WHERE id = ?", job);
    }

    @Test
    void aWriteUnderAnOlderEpochIsRefusedAndAHeldFenceHoldsOffTheTakeover() throws Exception {
        UUID job = trainingJob(10);
        fixtures.exec(
                "UPDATE jobs SET status = 'RUNNING', worker_id = ?, lease_epoch = 7, lease_expires_at = now() + interval '1 hour' WHERE id = ?",
                identity.id(),
                job);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            assertFalse(
                    new JobLease(job, 6).holds(c), "an older epoch (the same worker's earlier attempt) is fenced out");
            assertThrows(LeaseLost.class, () -> new JobLease(job, 8).require(c, "a write"));
            assertTrue(new JobLease(job, 7).holds(c));
            // while the holder's transaction is open, no one can take the job
            try (Connection reaper = dataSource.getConnection();
                    PreparedStatement ps = reaper.prepareStatement(
                            "UPDATE jobs SET status = 'QUEUED', worker_id = NULL WHERE id = ?")) {
                // SET LOCAL: the pooled connection must not keep the timeout for whoever uses it next
                reaper.setAutoCommit(false);
                try (var st = reaper.createStatement()) {
                    st.execute("SET LOCAL lock_timeout = '300ms'");
                }
                ps.setObject(1, job);
                SQLException e = assertThrows(SQLException.class, ps::executeUpdate);
                assertEquals("55P03", e.getSQLState(), "lock_not_available: " + e.getMessage());
                reaper.rollback();
                reaper.setAutoCommit(true);
            }
            c.commit();
        }
        fixtures.exec("UPDATE jobs SET status = 'CANCELLED', finished_at = now() WHERE id = ?", job);
    }

    @Test
    void aCancelRequestedJobThatIsHandedBackEndsCancelledNotQueuedForever() throws Exception {
        UUID job = trainingJob(10);
        // claimed without running: the test plays the attempt
        ClaimedJob claimed =
                runner.claim(new JobMessage(job, JobType.TRAINING, 1)).orElseThrow();
        fixtures.exec("UPDATE jobs SET cancel_requested = true WHERE id = ?", job);
        long outbox = fixtures.number("SELECT count(*) FROM outbox WHERE message_key = ?", job.toString());

        JobStatus now = runner.handBack(claimed, "worker stopped", Duration.ZERO, true, e -> e);

        assertEquals(JobStatus.CANCELLED, now);
        assertEquals("CANCELLED", fixtures.text("SELECT status FROM jobs WHERE id = ?", job));
        assertTrue((Boolean) fixtures.value("SELECT finished_at IS NOT NULL FROM jobs WHERE id = ?", job));
        assertEquals(
                outbox,
                fixtures.number("SELECT count(*) FROM outbox WHERE message_key = ?", job.toString()),
                "no message for a cancelled job");
        assertEquals(
                1, fixtures.number("SELECT count(*) FROM job_events WHERE job_id = ? AND status = 'CANCELLED'", job));
        // and handing back again under the old epoch is refused
        double before = rejected();
        assertThrows(LeaseLost.class, () -> runner.handBack(claimed, "again", Duration.ZERO, true, e -> e));
        assertEquals(before, rejected(), "the refusal callback decides about counting");
    }

    @Test
    void aStalledAttemptIsGivenUpQueuedAgainAndSaysSo() throws Exception {
        UUID job = trainingJob(1_000_000);
        fixtures.publish(job, JobType.TRAINING, 1);
        fixtures.await("the run to start", TIMEOUT, "SELECT count(*) > 0 FROM loss_points WHERE job_id = ?", job);
        try {
            runner.stallTimeout(Duration.ofMillis(1));
            // a step that reported within the last millisecond is not stalled yet: look again
            for (int i = 0;
                    i < 100 && "RUNNING".equals(fixtures.text("SELECT status FROM jobs WHERE id = ?", job));
                    i++) {
                runner.giveUpStalled();
                Thread.sleep(5);
            }
        } finally {
            runner.stallTimeout(Duration.ofMinutes(10));
        }
        assertEquals(
                1,
                fixtures.number(
                        "SELECT count(*) FROM job_events WHERE job_id = ? AND status = 'QUEUED' AND message LIKE '%(stalled)%queued again'",
                        job));
        assertEquals("QUEUED", fixtures.text("SELECT status FROM jobs WHERE id = ?", job));
        assertTrue(fixtures.text("SELECT error FROM jobs WHERE id = ?", job).contains("made no progress"));
        // queued again through the outbox (the api's relay publishes it) as attempt 2
        assertEquals(
                1,
                fixtures.number(
                        "SELECT count(*) FROM outbox WHERE message_key = ? AND payload LIKE '%\"attempt\":2%'",
                        job.toString()));
        // the given-up attempt stops: nothing more is written for it
        fixtures.await(
                "the attempt to end",
                Duration.ofSeconds(15),
                "SELECT current_job_id IS NULL FROM workers WHERE id = ?",
                identity.id());
        long steps = fixtures.number("SELECT count(*) FROM loss_points WHERE job_id = ?", job);
        Thread.sleep(1_500);
        assertEquals(steps, fixtures.number("SELECT count(*) FROM loss_points WHERE job_id = ?", job));
        fixtures.exec("UPDATE jobs SET status = 'CANCELLED', finished_at = now() WHERE id = ?", job);
    }

    @Test
    void shutdownStopsClaimingBeforeItDrains() throws Exception {
        JobRunner stopping = new JobRunner();
        stopping.dataSource = dataSource;
        stopping.identity = identity;
        stopping.shutdown(Duration.ZERO);
        UUID job = trainingJob(10);

        assertFalse(stopping.accepting());
        assertTrue(stopping.claimAndRun(new JobMessage(job, JobType.TRAINING, 1), () -> {})
                .isEmpty());
        assertEquals("QUEUED", fixtures.text("SELECT status FROM jobs WHERE id = ?", job), "left for another worker");
        fixtures.exec("UPDATE jobs SET status = 'CANCELLED', finished_at = now() WHERE id = ?", job);
    }
}
