package dev.srgan.systemtests;

import static dev.srgan.systemtests.Cluster.form;
import static dev.srgan.systemtests.Cluster.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A training run through the whole system: live losses, cancel keeps checkpoints, a checkpoint
 * serves upscales; and a run fine-tuned from a shipped model.
 */
class TrainingSystemTest {
    static Cluster cluster;

    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension(1, c -> cluster = c);

    @Test
    void trainingRunIsVisibleWhileRunningKeepsItsCheckpointsWhenCancelledAndServesAsAModel() throws Exception {
        HttpResponse<String> ds = cluster.postMultipart(
                "/api/datasets",
                form(
                        "file",
                        new Cluster.FilePart("photos.zip", Images.datasetZip(5, 64), "application/zip"),
                        "name",
                        "synthetic photos"));
        assertEquals(201, ds.statusCode(), ds.body());
        String datasetId = Cluster.JSON.readTree(ds.body()).path("id").asText();

        HttpResponse<String> submitted = cluster.postJson("/api/training", """
                {"datasetId": "%s", "name": "system test run", "hyperparameters": {
                  "scale": 2, "residualBlocks": 1, "batchSize": 2, "hrCropSize": 24,
                  "pretrainSteps": 400, "ganSteps": 4000, "validateEvery": 10, "checkpointEvery": 10}}""".formatted(datasetId));
        assertEquals(202, submitted.statusCode(), submitted.body());
        String id = Cluster.JSON.readTree(submitted.body()).path("id").asText();

        // losses, validation and checkpoints are visible while the job runs
        long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
        JsonNode losses = Cluster.JSON.createArrayNode();
        while (System.nanoTime() < deadline) {
            losses = cluster.get("/api/jobs/" + id + "/losses");
            if (losses.size() >= 25
                    && cluster.get("/api/jobs/" + id + "/checkpoints").size() >= 2) {
                break;
            }
            Thread.sleep(500);
        }
        assertEquals("RUNNING", cluster.get("/api/jobs/" + id).path("status").asText());
        assertTrue(losses.size() >= 25, "loss points while running: " + losses.size());
        assertEquals(1, losses.get(0).path("step").asInt());
        assertTrue(losses.get(0).path("contentLoss").isNumber(), losses.get(0).toString());
        assertTrue(cluster.get("/api/jobs/" + id + "/validation").size() >= 1);

        HttpResponse<String> cancel = cluster.post("/api/jobs/" + id + "/cancel");
        assertEquals(200, cancel.statusCode(), cancel.body());
        JsonNode cancelled = cluster.awaitJob(id, status("CANCELLED", "FAILED", "SUCCEEDED"), Duration.ofSeconds(120));
        assertEquals("CANCELLED", cancelled.path("status").asText(), cancelled.toString());

        JsonNode checkpoints = cluster.get("/api/jobs/" + id + "/checkpoints");
        assertTrue(checkpoints.size() >= 2, "checkpoints kept: " + checkpoints);
        JsonNode kept = cluster.get("/api/jobs/" + id + "/losses");
        assertTrue(kept.size() >= losses.size(), "losses kept");
        JsonNode last = checkpoints.get(checkpoints.size() - 1);
        byte[] zip = cluster.getBytes(last.path("downloadUrl").asText());
        assertEquals(last.path("sizeBytes").asLong(), zip.length);
        assertTrue(zip[0] == 'P' && zip[1] == 'K', "a checkpoint is a zip");

        HttpResponse<String> model = cluster.postJson(
                "/api/models", "{\"checkpointId\": \"" + last.path("id").asText() + "\", \"name\": \"from run\"}");
        assertEquals(201, model.statusCode(), model.body());
        JsonNode m = Cluster.JSON.readTree(model.body());
        assertEquals(2, m.path("scale").asInt());
        assertEquals("CHECKPOINT", m.path("format").asText());

        HttpResponse<String> up = cluster.postMultipart(
                "/api/upscale",
                form(
                        "image",
                        new Cluster.FilePart("photo.png", Images.png(40, 30, 5), "image/png"),
                        "scale",
                        "2",
                        "modelId",
                        m.path("id").asText()));
        assertEquals(202, up.statusCode(), up.body());
        JsonNode done = cluster.awaitJob(
                Cluster.JSON.readTree(up.body()).path("id").asText(),
                status("SUCCEEDED", "FAILED"),
                Duration.ofSeconds(120));
        assertEquals("SUCCEEDED", done.path("status").asText(), done.toString());
        assertEquals(80, done.path("result").path("width").asInt());
        assertEquals(60, done.path("result").path("height").asInt());
    }

    /**
     * A run that starts from the shipped SRResNet 2x: before its first step it upscales a photo as
     * that model does, above bicubic (a generator from random weights is far below it), and a model
     * registered from its checkpoint says what it was fine-tuned from.
     */
    @Test
    void aRunFineTunedFromTheShippedModelStartsAtItsQuality() throws Exception {
        byte[] photo = Files.readAllBytes(
                Path.of("..", "networks", "src", "main", "resources", "comparison", "matplotlib-grace_hopper.jpg"));
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(zip)) {
            for (String name : List.of("a.jpg", "b.jpg")) {
                z.putNextEntry(new ZipEntry(name));
                z.write(photo);
                z.closeEntry();
            }
        }
        HttpResponse<String> ds = cluster.postMultipart(
                "/api/datasets",
                form(
                        "file",
                        new Cluster.FilePart("portrait.zip", zip.toByteArray(), "application/zip"),
                        "name",
                        "portrait"));
        assertEquals(201, ds.statusCode(), ds.body());
        String datasetId = Cluster.JSON.readTree(ds.body()).path("id").asText();
        JsonNode base = null;
        for (JsonNode m : cluster.get("/api/models")) {
            if (m.path("scale").asInt() == 2 && m.path("isDefault").asBoolean()) {
                base = m;
            }
        }
        assertTrue(base != null && base.path("source").asText().startsWith("shipped"), "the shipped 2x default");

        HttpResponse<String> submitted = cluster.postJson(
                "/api/training", """
                {"datasetId": "%s", "baseModelId": "%s", "hyperparameters": {
                  "scale": 2, "residualBlocks": 16, "batchSize": 2, "hrCropSize": 24,
                  "pretrainSteps": 2, "ganSteps": 0, "validateEvery": 100, "checkpointEvery": 100,
                  "validationSamples": 0}}""".formatted(datasetId, base.path("id").asText()));
        assertEquals(202, submitted.statusCode(), submitted.body());
        String id = Cluster.JSON.readTree(submitted.body()).path("id").asText();
        JsonNode done = cluster.awaitJob(id, status("SUCCEEDED", "FAILED", "CANCELLED"), Duration.ofSeconds(240));
        assertEquals("SUCCEEDED", done.path("status").asText(), done.toString());
        assertEquals(
                base.path("name").asText(), done.path("baseModel").path("name").asText());

        JsonNode first = cluster.get("/api/jobs/" + id + "/validation").get(0);
        assertEquals(0, first.path("step").asInt());
        assertTrue(
                first.path("psnr").asDouble() > first.path("bicubicPsnr").asDouble() + 0.3,
                "step 0 upscales as SRResNet 2x does, above bicubic: " + first);

        JsonNode checkpoint = cluster.get("/api/jobs/" + id + "/checkpoints").get(0);
        HttpResponse<String> model = cluster.postJson(
                "/api/models", "{\"checkpointId\": \"" + checkpoint.path("id").asText() + "\"}");
        assertEquals(201, model.statusCode(), model.body());
        assertTrue(
                Cluster.JSON
                        .readTree(model.body())
                        .path("source")
                        .asText()
                        .endsWith(
                                ", fine-tuned from model '" + base.path("name").asText() + "'"),
                model.body());
    }
}
