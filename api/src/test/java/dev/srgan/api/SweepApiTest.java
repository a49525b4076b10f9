package dev.srgan.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.api.outbox.OutboxRelay;
import dev.srgan.embedded.EmbeddedServicesTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /api/training/sweeps}: a grid of hyperparameters queued as one training job per point, in one transaction. */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class SweepApiTest {
    static final String TINY =
            "{\"scale\": 2, \"residualBlocks\": 1, \"batchSize\": 2, \"hrCropSize\": 24, \"pretrainSteps\": 10, \"ganSteps\": 5}";
    static final List<String> TABLES = List.of(
            "training_sweeps", "training_sweep_runs", "jobs", "training_runs", "job_events", "idempotency_keys");

    @Inject
    DataSource dataSource;

    @Inject
    OutboxRelay relay;

    @BeforeEach
    void signIn() {
        TestAuth.asAdmin();
    }

    String dataset() throws Exception {
        return TestData.dataset(given(), "sweep photos");
    }

    static String sweep(String datasetId, String name, String grid) {
        return "{\"datasetId\": \"" + datasetId + "\", \"name\": \"" + name + "\", \"hyperparameters\": " + TINY
                + ", \"grid\": " + grid + "}";
    }

    JsonPath submit(String body) {
        return given().contentType(ContentType.JSON)
                .body(body)
                .when()
                .post("/api/training/sweeps")
                .then()
                .statusCode(202)
                .extract()
                .jsonPath();
    }

    Map<String, Long> counts() throws Exception {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String table : TABLES) {
            counts.put(table, TestData.count(dataSource, table));
        }
        return counts;
    }

    @Test
    void aSweepQueuesOneTrainingJobPerGridPointInOneTransaction() throws Exception {
        String datasetId = dataset();
        Map<String, Long> before = counts();
        long published = relay.publishedTotal();
        JsonPath sweep =
                submit(sweep(datasetId, "lr by batch", "{\"learningRateG\": [0.0001, 0.001], \"batchSize\": [2, 4]}"));
        List<String> jobIds = sweep.getList("jobIds");
        assertEquals(4, jobIds.size());
        assertEquals("lr by batch", sweep.getString("name"));
        Map<String, Long> after = counts();
        assertEquals(before.get("training_sweeps") + 1, after.get("training_sweeps"));
        assertEquals(before.get("jobs") + 4, after.get("jobs"));
        assertEquals(before.get("training_runs") + 4, after.get("training_runs"));
        assertEquals(before.get("job_events") + 4, after.get("job_events"), "each run's 'submitted' event");

        // the cartesian product, the last parameter varying fastest; the base fills in the rest
        float[][] expected = {{1e-4f, 2}, {1e-4f, 4}, {1e-3f, 2}, {1e-3f, 4}};
        for (int i = 0; i < 4; i++) {
            given().get("/api/jobs/" + jobIds.get(i))
                    .then()
                    .statusCode(200)
                    .body("type", equalTo("TRAINING"))
                    .body("status", equalTo("QUEUED"))
                    .body("params.learningRateG", equalTo(expected[i][0]))
                    .body("params.batchSize", equalTo((int) expected[i][1]))
                    .body("params.scale", equalTo(2))
                    .body("params.hrCropSize", equalTo(24))
                    .body("datasetId", equalTo(datasetId));
        }
        given().get("/api/jobs/" + jobIds.get(1))
                .then()
                .body("name", equalTo("lr by batch [learningRateG=0.0001, batchSize=4]"));
        // the relay sends the outbox to Kafka and deletes what it sent: all four go
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (relay.publishedTotal() < published + 4 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(
                relay.publishedTotal() >= published + 4, "published to Kafka: " + (relay.publishedTotal() - published));
        given().get(sweep.getString("url"))
                .then()
                .statusCode(200)
                .body("runs.size()", equalTo(4))
                .body("parameters", contains("learningRateG", "batchSize"))
                .body("states.QUEUED", equalTo(4))
                .body("runs[3].parameters.learningRateG", equalTo(0.001f))
                .body("runs[3].parameters.batchSize", equalTo(4))
                .body("runs[3].bestPsnr", nullValue());
        given().get("/api/training/sweeps?size=200")
                .then()
                .statusCode(200)
                .body("items.id", hasItem(sweep.getString("id")));
    }

    @Test
    void everyBadSweepIsA4xxThatNamesTheProblemAndStoresNothing() throws Exception {
        String datasetId = dataset();
        record Bad(String body, int status, String field, String message) {}
        String ok = "{\"learningRateG\": [0.0001, 0.001]}";
        List<Bad> bad = new ArrayList<>(List.of(
                new Bad(
                        sweep(
                                datasetId,
                                "x",
                                "{\"learningRateG\": [0.1, 0.2], \"batchSize\": [1, 2, 4], \"ganSteps\": [1, 2, 3]}"),
                        400,
                        "grid",
                        "the grid has 2 × 3 × 3 = 18 points; a sweep runs at most 16"),
                new Bad(
                        sweep(datasetId, "x", "{\"learningRate\": [0.1, 0.2]}"),
                        400,
                        "grid",
                        "unknown hyperparameter 'learningRate'"),
                new Bad(
                        sweep(datasetId, "x", "{\"learningRateG\": [0.0001, 2.0]}"),
                        400,
                        "learningRateG",
                        "grid point 2 of 2 (learningRateG=2): learningRateG must be from 1.0E-8 to 1.0, got 2.0"),
                new Bad(
                        sweep(datasetId, "x", "{\"scale\": [2, 4], \"hrCropSize\": [24, 30]}"),
                        400,
                        "hrCropSize",
                        "grid point 4 of 4 (scale=4, hrCropSize=30): hrCropSize must be >= 16 and a multiple of scale"),
                new Bad(sweep(datasetId, "x", "{}"), 400, "grid", "grid is empty"),
                new Bad(
                        sweep(datasetId, "x", "{\"batchSize\": []}"),
                        400,
                        "batchSize",
                        "grid.batchSize must be a non-empty list"),
                new Bad(
                        sweep(datasetId, "x", "{\"batchSize\": 8}"),
                        400,
                        "batchSize",
                        "grid.batchSize must be a non-empty list"),
                new Bad(
                        sweep(datasetId, "x", "{\"learningRateG\": [0.001, 1e-3]}"),
                        400,
                        "learningRateG",
                        "lists 0.001 twice"),
                new Bad(sweep(datasetId, "x", "[1, 2]"), 400, "grid", "grid must be a JSON object"),
                new Bad(
                        "{\"datasetId\": \"" + datasetId + "\", \"hyperparameters\": " + TINY + "}",
                        400,
                        "grid",
                        "grid is missing"),
                new Bad(
                        sweep(datasetId, "x", "{\"featureExtractorPath\": [\"/etc/passwd\"]}"),
                        400,
                        "featureExtractorPath",
                        "cannot be set per run"),
                new Bad(sweep(UUID.randomUUID().toString(), "x", ok), 422, "datasetId", "no dataset"),
                new Bad(
                        sweep(datasetId, "x", "{\"hrCropSize\": [24, 64]}"),
                        422,
                        "hrCropSize",
                        "hrCropSize 64 does not fit in every image of dataset 'sweep photos': 'a.png' is 48 pixels"),
                new Bad(sweep("not-a-uuid", "x", ok), 400, "datasetId", "datasetId must be"),
                new Bad(sweep(datasetId, "x".repeat(201), ok), 400, "name", "at most 200"),
                new Bad(
                        "{\"datasetId\": \"" + datasetId + "\", \"hyperparameters\": {\"batchSize\": 1000}, \"grid\": "
                                + ok + "}",
                        400,
                        "batchSize",
                        "grid point 1 of 2 (learningRateG=0.0001): batchSize must be from 1 to 64, got 1000"),
                new Bad(
                        "{\"datasetId\": \"" + datasetId + "\", \"hyperparameters\": [], \"grid\": " + ok + "}",
                        400,
                        "hyperparameters",
                        "JSON object"),
                new Bad(
                        "{\"datasetId\": \"" + datasetId + "\", \"contentLoss\": \"vgg19\", \"grid\": " + ok + "}",
                        422,
                        "contentLoss",
                        "VGG19")));
        Map<String, Long> before = counts();
        for (Bad b : bad) {
            given().contentType(ContentType.JSON)
                    .body(b.body())
                    .when()
                    .post("/api/training/sweeps")
                    .then()
                    .statusCode(b.status())
                    .body("field", equalTo(b.field()))
                    .body("error", containsString(b.message()));
        }
        given().contentType(ContentType.JSON)
                .body("{not json")
                .when()
                .post("/api/training/sweeps")
                .then()
                .statusCode(400);
        assertEquals(before, counts(), "a refused sweep stores nothing");
    }

    @Test
    void aSweepThatFailsHalfwayStoresNothing() throws Exception {
        String datasetId = dataset();
        // the database itself refuses the third run: the two before it must go too
        TestData.exec(dataSource, """
                CREATE FUNCTION sweep_test_refuse() RETURNS trigger AS $$
                BEGIN IF NEW.idx = 2 THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END; $$ LANGUAGE plpgsql""");
        TestData.exec(
                dataSource,
                "CREATE TRIGGER sweep_test_refuse BEFORE INSERT ON training_sweep_runs FOR EACH ROW EXECUTE FUNCTION sweep_test_refuse()");
        try {
            Map<String, Long> before = counts();
            given().contentType(ContentType.JSON)
                    .body(sweep(datasetId, "halfway", "{\"batchSize\": [1, 2, 3, 4]}"))
                    .header("Idempotency-Key", "halfway-" + UUID.randomUUID())
                    .when()
                    .post("/api/training/sweeps")
                    .then()
                    .statusCode(500);
            assertEquals(before, counts(), "all or nothing");
        } finally {
            TestData.exec(dataSource, "DROP TRIGGER sweep_test_refuse ON training_sweep_runs");
            TestData.exec(dataSource, "DROP FUNCTION sweep_test_refuse()");
        }
    }

    @Test
    void theSweepShowsEachRunsGridPointAndBestMetricsWithTheirSteps() throws Exception {
        String datasetId = dataset();
        JsonPath sweep = submit(sweep(datasetId, "metrics", "{\"learningRateG\": [0.0001, 0.001]}"));
        List<String> jobIds = sweep.getList("jobIds");
        UUID a = UUID.fromString(jobIds.get(0));
        UUID b = UUID.fromString(jobIds.get(1));
        // a: PSNR best at 20, SSIM best at 10, NIQE (lower is better) best at 20; a diverged NaN never wins
        TestData.exec(
                dataSource,
                "INSERT INTO validation_metrics (job_id, step, psnr, ssim, bicubic_psnr, bicubic_ssim, niqe, bicubic_niqe) VALUES "
                        + "(?, 10, 22.5, 0.75, 27, 0.8, 9.5, 7), (?, 20, 24.25, 0.7, 27, 0.8, 8.25, 7), (?, 30, 'NaN', 'NaN', 27, 0.8, NULL, 7)",
                a,
                a,
                a);
        // b: no NIQE (images too small to score)
        TestData.exec(
                dataSource,
                "INSERT INTO validation_metrics (job_id, step, psnr, ssim, bicubic_psnr, bicubic_ssim) VALUES (?, 10, 25.5, 0.8, 27, 0.8)",
                b);
        UUID blob = UUID.randomUUID();
        TestData.exec(
                dataSource,
                "INSERT INTO blobs (id, content_type, size_bytes, sha256, complete) VALUES (?, 'application/zip', 1, 'x', true)",
                blob);
        UUID checkpointA = UUID.randomUUID();
        UUID checkpointB = UUID.randomUUID();
        TestData.exec(
                dataSource,
                "INSERT INTO checkpoints (id, job_id, step, blob_id, size_bytes) VALUES (?, ?, 20, ?, 1), (?, ?, 10, ?, 1)",
                checkpointA,
                a,
                blob,
                checkpointB,
                b,
                blob);

        given().get("/api/training/sweeps/" + sweep.getString("id"))
                .then()
                .statusCode(200)
                .body("grid.learningRateG", contains(1e-4f, 1e-3f))
                .body("hyperparameters.hrCropSize", equalTo(24))
                .body("runs[0].jobId", equalTo(a.toString()))
                .body("runs[0].status", equalTo("QUEUED"))
                .body("runs[0].parameters.learningRateG", equalTo(1e-4f))
                .body("runs[0].bestPsnr.value", equalTo(24.25f))
                .body("runs[0].bestPsnr.step", equalTo(20))
                .body("runs[0].bestSsim.value", equalTo(0.75f))
                .body("runs[0].bestSsim.step", equalTo(10))
                .body("runs[0].bestNiqe.value", equalTo(8.25f))
                .body("runs[0].bestNiqe.step", equalTo(20))
                .body("runs[0].lastValidationStep", equalTo(30))
                .body("runs[0].bestCheckpoint.id", equalTo(checkpointA.toString()))
                .body("runs[1].bestPsnr.value", equalTo(25.5f))
                .body("runs[1].bestNiqe", nullValue())
                .body("bestCheckpoint.id", equalTo(checkpointB.toString()))
                .body("bestCheckpoint.jobId", equalTo(b.toString()));
        given().get("/api/training/sweeps").then().statusCode(200);

        // the pages: the sweep's table with each run's grid point and best metrics, linked from the Training page
        String sweepId = sweep.getString("id");
        given().get("/training/sweeps/" + sweepId)
                .then()
                .statusCode(200)
                .body(containsString("data-run=\"" + a + "\""))
                .body(containsString("data-run=\"" + b + "\""))
                .body(containsString("data-label=\"learningRateG=0.001\""))
                .body(containsString("data-psnr=\"24.25\""))
                .body(containsString("24.25 <span class=\"muted small\">@ 20</span>"))
                .body(containsString("data-register-checkpoint=\"" + checkpointB + "\""))
                .body(containsString("id=\"chart-compare\""))
                .body(containsString("id=\"chart-scatter\""))
                .body(containsString("href=\"/api/training/runs.csv?sweepId=" + sweepId + "\""));
        // the sweep's runs as one table: a's best PSNR (24.25 at 20) and b's
        String[] rows = given().get("/api/training/runs.csv?sweepId=" + sweepId)
                .then()
                .statusCode(200)
                .extract()
                .asString()
                .split("\n");
        assertEquals(3, rows.length, String.join("\n", rows));
        assertTrue(
                java.util.Arrays.stream(rows).anyMatch(r -> r.startsWith(a + ",") && r.contains(",24.25,20,")),
                String.join("\n", rows));
        given().get("/training/sweeps/" + sweepId + "/runs")
                .then()
                .statusCode(200)
                .body(containsString("id=\"sweep-table\""));
        given().get("/training/sweeps")
                .then()
                .statusCode(200)
                .body(containsString("id=\"sweep-form\""))
                .body(containsString("href=\"/training/sweeps/" + sweepId + "\""))
                .body(containsString("data-max-runs=\"16\""));
        given().get("/training").then().statusCode(200).body(containsString("href=\"/training/sweeps\""));
        given().get("/training/sweeps/" + UUID.randomUUID()).then().statusCode(404);
        given().get("/api/training/sweeps/" + UUID.randomUUID())
                .then()
                .statusCode(404)
                .body("error", containsString("no sweep"));
        given().get("/api/training/sweeps/nope").then().statusCode(404);
    }

    @Test
    void cancelAndRetryApplyToTheWholeSweep() throws Exception {
        String datasetId = dataset();
        JsonPath sweep = submit(sweep(datasetId, "cancel me", "{\"batchSize\": [1, 2, 3]}"));
        String url = sweep.getString("url");
        List<String> jobIds = sweep.getList("jobIds");
        UUID done = UUID.fromString(jobIds.get(0));
        UUID running = UUID.fromString(jobIds.get(1));
        TestData.exec(dataSource, "UPDATE jobs SET status = 'SUCCEEDED', finished_at = now() WHERE id = ?", done);
        TestData.exec(
                dataSource,
                "UPDATE jobs SET status = 'RUNNING', worker_id = 'w', lease_expires_at = now() + interval '1 hour' WHERE id = ?",
                running);

        given().post(url + "/cancel")
                .then()
                .statusCode(200)
                .body("states.CANCELLED", equalTo(1))
                .body("states.RUNNING", equalTo(1))
                .body("states.SUCCEEDED", equalTo(1));
        given().get("/api/jobs/" + running).then().body("cancelRequested", equalTo(true));
        given().get("/api/jobs/" + jobIds.get(2)).then().body("status", equalTo("CANCELLED"));
        given().post(url + "/retry")
                .then()
                .statusCode(202)
                .body("states.QUEUED", equalTo(1))
                .body("states.RUNNING", equalTo(1));
        // the worker stops the running one at its next step
        TestData.exec(
                dataSource,
                "UPDATE jobs SET status = 'CANCELLED', finished_at = now(), lease_expires_at = NULL WHERE id = ?",
                running);
        given().post(url + "/retry")
                .then()
                .statusCode(202)
                .body("states.QUEUED", equalTo(2))
                .body("states.SUCCEEDED", equalTo(1));
        given().get("/api/jobs/" + running + "/events").then().body("message", hasItem("retried by bootstrap admin"));
        given().post(url + "/retry").then().statusCode(409).body("error", containsString("nothing to retry"));
        given().post(url + "/cancel").then().statusCode(200).body("states.CANCELLED", equalTo(2));
        given().post(url + "/cancel").then().statusCode(409).body("error", containsString("nothing to cancel"));
        given().post("/api/training/sweeps/" + UUID.randomUUID() + "/cancel")
                .then()
                .statusCode(404);
    }

    @Test
    void theSameSweepSentTwiceWithOneKeyIsOneSweep() throws Exception {
        String datasetId = dataset();
        String key = "sweep-" + UUID.randomUUID();
        String body = sweep(datasetId, "once", "{\"learningRateG\": [0.0001, 0.001]}");
        long jobs = TestData.count(dataSource, "jobs");
        JsonPath first = given().header("Idempotency-Key", key)
                .contentType(ContentType.JSON)
                .body(body)
                .when()
                .post("/api/training/sweeps")
                .then()
                .statusCode(202)
                .extract()
                .jsonPath();
        JsonPath again = given().header("Idempotency-Key", key)
                .contentType(ContentType.JSON)
                .body(body)
                .when()
                .post("/api/training/sweeps")
                .then()
                .statusCode(202)
                .extract()
                .jsonPath();
        assertEquals(first.getString("id"), again.getString("id"));
        assertEquals(first.getList("jobIds"), again.getList("jobIds"));
        assertEquals(jobs + 2, TestData.count(dataSource, "jobs"));
        given().header("Idempotency-Key", key)
                .contentType(ContentType.JSON)
                .body(sweep(datasetId, "once", "{\"learningRateG\": [0.0001, 0.01]}"))
                .when()
                .post("/api/training/sweeps")
                .then()
                .statusCode(422)
                .body("field", equalTo("Idempotency-Key"));
        // the key of a sweep is not a key of a single run
        given().header("Idempotency-Key", key)
                .contentType(ContentType.JSON)
                .body("{\"datasetId\": \"" + datasetId + "\"}")
                .when()
                .post("/api/training")
                .then()
                .statusCode(422);
        assertEquals(jobs + 2, TestData.count(dataSource, "jobs"));
    }

    @Test
    void aViewerMayReadSweepsButNotSubmitOne() throws Exception {
        String token = given().contentType(ContentType.JSON)
                .body("{\"name\": \"sweep viewer\", \"role\": \"VIEWER\"}")
                .when()
                .post("/api/tokens")
                .then()
                .statusCode(201)
                .extract()
                .path("token");
        TestAuth.anonymous();
        given().header("Authorization", "Bearer " + token)
                .get("/api/training/sweeps")
                .then()
                .statusCode(200);
        given().header("Authorization", "Bearer " + token)
                .contentType(ContentType.JSON)
                .body("{}")
                .when()
                .post("/api/training/sweeps")
                .then()
                .statusCode(403);
        given().get("/api/training/sweeps").then().statusCode(401);
    }
}
