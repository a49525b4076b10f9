package dev.srgan.systemtests;

import static dev.srgan.systemtests.Cluster.form;
import static dev.srgan.systemtests.Cluster.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** SIGTERM to a worker in the middle of a training run: it checkpoints, and the run continues on another worker. */
class GracefulShutdownSystemTest {
    static Cluster cluster;

    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension(1, c -> cluster = c);

    @Test
    void stoppedWorkerCheckpointsAndTheRunContinuesOnAnotherWorker() throws Exception {
        HttpResponse<String> ds = cluster.postMultipart(
                "/api/datasets",
                form(
                        "file",
                        new Cluster.FilePart("photos.zip", Images.datasetZip(4, 64), "application/zip"),
                        "name",
                        "photos"));
        assertEquals(201, ds.statusCode(), ds.body());
        String datasetId = Cluster.JSON.readTree(ds.body()).path("id").asText();
        HttpResponse<String> submitted = cluster.postJson("/api/training", """
                {"datasetId": "%s", "hyperparameters": {"scale": 2, "residualBlocks": 1, "batchSize": 2, "hrCropSize": 24,
                 "pretrainSteps": 100000, "ganSteps": 0, "validateEvery": 100000, "checkpointEvery": 100000}}""".formatted(datasetId));
        assertEquals(202, submitted.statusCode(), submitted.body());
        String id = Cluster.JSON.readTree(submitted.body()).path("id").asText();

        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (cluster.get("/api/jobs/" + id + "/losses").size() < 20 && System.nanoTime() < deadline) {
            Thread.sleep(300);
        }
        JsonNode running = cluster.get("/api/jobs/" + id);
        assertEquals("RUNNING", running.path("status").asText());
        assertEquals(
                0,
                cluster.get("/api/jobs/" + id + "/checkpoints").size(),
                "no checkpoint yet: the run checkpoints every 100000 steps");

        // SIGTERM, as Kubernetes or Ctrl-C sends it: the worker stops at the next step, checkpoints, re-queues the job
        Cluster.App first = cluster.workers().get(0);
        first.process.destroy();
        assertTrue(first.process.waitFor(120, TimeUnit.SECONDS), "the worker exits after checkpointing");
        cluster.workers().remove(first);
        JsonNode queued = cluster.awaitJob(id, status("QUEUED"), Duration.ofSeconds(30));
        assertEquals(0, queued.path("attempts").asInt(), "a graceful stop does not use up an attempt");
        JsonNode checkpoints = cluster.get("/api/jobs/" + id + "/checkpoints");
        assertEquals(1, checkpoints.size(), "the stop wrote exactly one checkpoint: " + checkpoints);
        int checkpointStep = checkpoints.get(0).path("step").asInt();

        cluster.startWorker();
        // loss points are written in batches: wait until the resumed run's first ones are there
        JsonNode losses = cluster.get("/api/jobs/" + id + "/losses");
        long resumeDeadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (losses.size() <= checkpointStep + 5 && System.nanoTime() < resumeDeadline) {
            Thread.sleep(500);
            losses = cluster.get("/api/jobs/" + id + "/losses");
        }
        assertEquals("RUNNING", cluster.get("/api/jobs/" + id).path("status").asText());
        for (int i = 0; i < losses.size(); i++) {
            assertEquals(i + 1, losses.get(i).path("step").asInt(), "steps are continuous across the stop, none twice");
        }
        assertTrue(losses.size() > checkpointStep, "the run went on after step " + checkpointStep);
        HttpResponse<String> cancel = cluster.post("/api/jobs/" + id + "/cancel");
        assertEquals(200, cancel.statusCode(), cancel.body());
        assertEquals(
                "CANCELLED",
                cluster.awaitJob(id, status("CANCELLED", "FAILED"), Duration.ofSeconds(120))
                        .path("status")
                        .asText());
    }
}
