package dev.srgan.worker.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.domain.jobs.IllegalJobTransitionException;
import dev.srgan.domain.jobs.JobStatus;
import dev.srgan.domain.jobs.JobType;
import dev.srgan.embedded.EmbeddedServicesTestResource;
import dev.srgan.platform.KafkaSettings;
import dev.srgan.platform.jobs.ClaimedJob;
import dev.srgan.platform.jobs.JobLease;
import dev.srgan.platform.jobs.JobTable;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The job table's gateway against a real PostgreSQL: each state change is guarded by the state
 * machine in its own SQL, and each write of an attempt applies only under the attempt's lease.
 * (These jobs carry no Kafka message this worker could claim first: their outbox rows are never
 * relayed in the worker, which has no relay.)
 */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class JobTableTest {
    private static final Duration LEASE = Duration.ofSeconds(30);

    @Inject
    DataSource dataSource;

    @Inject
    JobTable jobs;

    @Inject
    KafkaSettings kafka;

    private UUID insert() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            UUID id = jobs.insert(
                    c, new JobTable.NewJob(JobType.EVALUATE, "gateway test", "{}", null, null, null, null, null));
            c.commit();
            return id;
        }
    }

    private String status(UUID id) throws SQLException {
        return scalar("SELECT status FROM jobs WHERE id = ?", id);
    }

    private String scalar(String sql, UUID id) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private long outboxRows(UUID id) throws SQLException {
        return Long.parseLong(scalar("SELECT count(*) FROM outbox WHERE message_key = ?::text", id));
    }

    @Test
    void aBatchsImagesAreQueuedOnTheBulkTopicAndASingleUpscaleOnItsOwn() throws SQLException {
        UUID[] ids = inTransaction(c -> {
            UUID batch = jobs.insertBatch(c, "two", null, "{\"scale\":2}", null, 1, "tester");
            UUID image = jobs.insertImage(
                    c,
                    new JobTable.NewJob(JobType.UPSCALE, "a.png", "{}", null, "a.png", null, null, "tester"),
                    batch,
                    0);
            UUID single = jobs.insert(
                    c, new JobTable.NewJob(JobType.UPSCALE, "b.png", "{}", null, "b.png", null, null, "tester"));
            return new UUID[] {batch, image, single};
        });
        String topic = "SELECT topic FROM outbox WHERE message_key = ?::text";
        assertEquals(kafka.topic(JobType.UPSCALE, true), scalar(topic, ids[1]));
        assertEquals(kafka.topic(JobType.UPSCALE), scalar(topic, ids[2]));
        assertEquals(0, outboxRows(ids[0]), "a batch itself is never queued");
        // they stay QUEUED with no message relayed in the worker: cancel them
        for (UUID id : new UUID[] {ids[1], ids[2]}) {
            inTransaction(c -> jobs.cancel(c, id, jobs.lockStatus(c, id).orElseThrow(), null));
        }
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T inTransaction(Work<T> work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            T result = work.run(c);
            c.commit();
            return result;
        }
    }

    @Test
    void aClaimTakesANewEpochAndOnlyOneClaimWins() throws Exception {
        UUID id = insert();
        assertEquals("QUEUED", status(id));
        assertEquals(1, outboxRows(id), "the submission's message is in the outbox");
        ClaimedJob first = jobs.claim(id, "w-1", LEASE).orElseThrow();
        assertEquals(1, first.attempt());
        assertTrue(jobs.claim(id, "w-2", LEASE).isEmpty(), "a RUNNING job cannot be claimed again");
        assertEquals("RUNNING", status(id));
        assertEquals(first.epoch(), Long.parseLong(scalar("SELECT lease_epoch FROM jobs WHERE id = ?", id)));
    }

    @Test
    void anAttemptsWritesApplyOnlyUnderItsLease() throws Exception {
        UUID id = insert();
        ClaimedJob claimed = jobs.claim(id, "w-1", LEASE).orElseThrow();
        JobLease stale = new JobLease(id, claimed.epoch() - 1);
        assertFalse(jobs.progress(stale, 0.5, "stale"), "progress under an old epoch is refused");
        assertFalse(
                this.<Boolean>inTransaction(c -> jobs.finish(c, stale, JobStatus.SUCCEEDED, null)),
                "an old epoch's outcome is refused");
        assertEquals("RUNNING", status(id));
        assertEquals(Set.of(), inTransaction(c -> jobs.renewLeases(c, List.of(stale), LEASE)));

        assertTrue(jobs.progress(claimed.lease(), 0.5, "half"));
        assertEquals(Set.of(id), inTransaction(c -> jobs.renewLeases(c, List.of(claimed.lease()), LEASE)));
        assertTrue(this.<Boolean>inTransaction(c -> jobs.finish(c, claimed.lease(), JobStatus.SUCCEEDED, null)));
        assertEquals("SUCCEEDED", status(id));
        assertFalse(
                this.<Boolean>inTransaction(c -> jobs.finish(c, claimed.lease(), JobStatus.FAILED, "twice")),
                "a finished job stays finished");
        assertEquals("SUCCEEDED", status(id));
    }

    @Test
    void theStateMachineGuardsUserActions() throws Exception {
        UUID id = insert();
        ClaimedJob claimed = jobs.claim(id, "w-1", LEASE).orElseThrow();
        inTransaction(c -> jobs.finish(c, claimed.lease(), JobStatus.SUCCEEDED, null));
        assertThrows(
                IllegalJobTransitionException.class,
                () -> inTransaction(
                        c -> jobs.cancel(c, id, jobs.lockStatus(c, id).orElseThrow(), null)));
        assertThrows(
                IllegalJobTransitionException.class,
                () -> inTransaction(c -> {
                    jobs.retry(c, id, jobs.lockStatus(c, id).orElseThrow(), null);
                    return null;
                }));
        assertEquals("SUCCEEDED", status(id));

        UUID queued = insert();
        assertEquals(
                JobTable.Cancel.CANCELLED,
                inTransaction(
                        c -> jobs.cancel(c, queued, jobs.lockStatus(c, queued).orElseThrow(), null)));
        assertEquals("CANCELLED", status(queued));
        assertTrue(jobs.claim(queued, "w-1", LEASE).isEmpty(), "a cancelled job is never claimed");
        inTransaction(c -> {
            jobs.retry(c, queued, jobs.lockStatus(c, queued).orElseThrow(), null);
            return null;
        });
        assertEquals("QUEUED", status(queued));
        assertEquals(2, outboxRows(queued), "a retry queues a new message");
    }

    @Test
    void aCancelRequestedWhileRunningEndsCancelledWhenTheAttemptHandsTheJobBack() throws Exception {
        UUID id = insert();
        ClaimedJob claimed = jobs.claim(id, "w-1", LEASE).orElseThrow();
        assertEquals(
                JobTable.Cancel.REQUESTED,
                inTransaction(c -> jobs.cancel(c, id, jobs.lockStatus(c, id).orElseThrow(), null)));
        assertEquals("RUNNING", status(id));
        assertEquals(
                JobStatus.CANCELLED,
                inTransaction(c -> jobs.handBack(c, claimed, "worker stopping", Duration.ZERO, true))
                        .orElseThrow());
        assertEquals("CANCELLED", status(id));
        assertEquals(1, outboxRows(id), "a cancelled job is not queued again");
    }

    @Test
    void theReaperRequeuesAnExpiredLeaseAndFailsTheLastAttempt() throws Exception {
        UUID id = insert();
        ClaimedJob first = jobs.claim(id, "w-1", LEASE).orElseThrow();
        expire(id);
        assertTrue(jobs.reapExpired() >= 1);
        assertEquals("QUEUED", status(id));
        assertEquals(2, outboxRows(id));
        assertFalse(
                this.<Boolean>inTransaction(c -> jobs.finish(c, first.lease(), JobStatus.SUCCEEDED, null)),
                "the attempt whose lease expired can no longer end the job");

        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("UPDATE jobs SET max_attempts = 2 WHERE id = ?")) {
            ps.setObject(1, id);
            ps.executeUpdate();
        }
        ClaimedJob second = jobs.claim(id, "w-2", LEASE).orElseThrow();
        assertEquals(2, second.attempt());
        expire(id);
        assertTrue(jobs.reapExpired() >= 1);
        assertEquals("FAILED", status(id));
        assertTrue(scalar("SELECT error FROM jobs WHERE id = ?", id).contains("on the last of 2 attempts"));
    }

    private void expire(UUID id) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "UPDATE jobs SET lease_expires_at = now() - interval '1 second' WHERE id = ?")) {
            ps.setObject(1, id);
            ps.executeUpdate();
        }
    }
}
