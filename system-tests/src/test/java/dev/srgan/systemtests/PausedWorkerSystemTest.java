package dev.srgan.systemtests;

import static dev.srgan.systemtests.Cluster.form;
import static dev.srgan.systemtests.Cluster.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A worker frozen past its lease (SIGSTOP, as a long GC pause, a frozen VM or a throttled container
 * would): the job runs on in another worker, and when the frozen one wakes (SIGCONT) it learns
 * that its attempt lost the job, stops it within seconds and writes nothing more for it. The run
 * completes once, with every step recorded once.
 */
class PausedWorkerSystemTest {
    static Cluster cluster;

    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension(2, c -> cluster = c);

    private static void signal(String signal, long pid) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                .inheritIO()
                .start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "kill -" + signal + " " + pid);
    }

    private Object query(String sql, Object... params) throws Exception {
        try (Connection c = cluster.db();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getObject(1) : null;
            }
        }
    }

    @Test
    void aWorkerWokenAfterItsJobWasTakenStopsItAndTheRunCompletesOnce() throws Exception {
        HttpResponse<String> ds = cluster.postMultipart(
                "/api/datasets",
                form(
                        "file",
                        new Cluster.FilePart("photos.zip", Images.datasetZip(4, 64), "application/zip"),
                        "name",
                        "photos"));
        assertEquals(201, ds.statusCode(), ds.body());
        String datasetId = Cluster.JSON.readTree(ds.body()).path("id").asText();
        int steps = 300;
        HttpResponse<String> submitted = cluster.postJson("/api/training", """
                {"datasetId": "%s", "hyperparameters": {"scale": 2, "residualBlocks": 1, "batchSize": 2, "hrCropSize": 24,
                 "pretrainSteps": %d, "ganSteps": 0, "validateEvery": 100000, "checkpointEvery": 25}}""".formatted(datasetId, steps));
        assertEquals(202, submitted.statusCode(), submitted.body());
        String id = Cluster.JSON.readTree(submitted.body()).path("id").asText();

        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (cluster.get("/api/jobs/" + id + "/checkpoints").size() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        JsonNode running = cluster.get("/api/jobs/" + id);
        assertEquals("RUNNING", running.path("status").asText(), running.toString());
        String firstWorker = running.path("workerId").asText();
        long pid = ((Number) query("SELECT pid FROM workers WHERE id = ?", firstWorker)).longValue();
        Cluster.App frozen = cluster.workers().stream()
                .filter(w -> w.process.pid() == pid)
                .findFirst()
                .orElseThrow();

        signal("STOP", pid);
        try {
            // the lease (6 s here) expires, the reaper queues the job again, the other worker claims it
            JsonNode taken = cluster.awaitJob(
                    id,
                    j -> j.path("status").asText().equals("RUNNING")
                            && j.path("attempts").asInt() == 2,
                    Duration.ofSeconds(150));
            assertNotEquals(firstWorker, taken.path("workerId").asText(), "the other worker runs it now");
            Thread.sleep(2_000);
        } finally {
            signal("CONT", pid);
        }

        // within seconds of waking, the frozen worker's attempt has stopped: the worker is idle
        long woke = System.nanoTime();
        while (query("SELECT current_job_id FROM workers WHERE id = ?", firstWorker) != null
                && System.nanoTime() - woke < Duration.ofSeconds(15).toNanos()) {
            Thread.sleep(100);
        }
        assertEquals(
                null,
                query("SELECT current_job_id FROM workers WHERE id = ?", firstWorker),
                "the woken worker is idle");
        double seconds = (System.nanoTime() - woke) / 1e9;
        assertTrue(seconds < 15, "idle " + seconds + " s after waking");
        Path log = cluster.logs.resolve(frozen.name + ".log");
        assertTrue(
                Files.readString(log).contains("lost its job and stops, writing nothing more"),
                "the woken worker says why it stopped");

        JsonNode done = cluster.awaitJob(id, status("SUCCEEDED", "FAILED", "CANCELLED"), Duration.ofSeconds(300));
        assertEquals("SUCCEEDED", done.path("status").asText(), done.toString());
        assertEquals(2, done.path("attempts").asInt(), "the frozen attempt and the one that finished");
        JsonNode losses = cluster.get("/api/jobs/" + id + "/losses");
        assertEquals(steps, losses.size(), "every step recorded");
        for (int i = 0; i < losses.size(); i++) {
            assertEquals(i + 1, losses.get(i).path("step").asInt(), "each step once, in order");
        }
        assertEquals(
                0L,
                ((Number) query(
                                "SELECT count(*) FROM workers WHERE id = ? AND current_job_id IS NOT NULL",
                                firstWorker))
                        .longValue());
    }
}
