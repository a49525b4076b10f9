package dev.srgan.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.srgan.api.jobs.UpscaleRetention;
import dev.srgan.core.storage.Deletions;
import dev.srgan.embedded.EmbeddedServicesTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code DELETE /api/jobs/{id}} and {@code DELETE /api/training/sweeps/{id}}: an ended job goes with
 * everything it stored, a blob another row uses stays, and a job that may still run, or that is
 * part of a batch or sweep, is refused. The jobs' ends are written with SQL, as a worker would.
 */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class DeletionTest {
    private static final String TINY =
            "{\"scale\": 2, \"residualBlocks\": 1, \"batchSize\": 2, \"hrCropSize\": 24, \"pretrainSteps\": 4, \"ganSteps\": 0}";

    @Inject
    DataSource dataSource;

    @Inject
    UpscaleRetention retention;

    @BeforeEach
    void signIn() {
        TestAuth.asAdmin();
    }

    @Test
    void anEndedUpscaleGoesWithItsInputAndResultAndItsKey() throws Exception {
        TestData.model(dataSource, 2, true);
        String key = "upscale-" + UUID.randomUUID();
        String job = upscale(key);
        given().delete("/api/jobs/" + job)
                .then()
                .statusCode(409)
                .body("error", containsString("the job is QUEUED; only a job that has ended can be deleted"));

        UUID input = uuid("SELECT input_blob_id FROM jobs WHERE id = ?::uuid", job);
        UUID result = blob(7_000);
        exec(
                "INSERT INTO results (job_id, blob_id, width, height, content_type) VALUES (?::uuid, ?, 32, 32, 'image/png')",
                job,
                result);
        exec("UPDATE jobs SET status = 'SUCCEEDED', finished_at = now() WHERE id = ?::uuid", job);
        long jobs = TestData.count(dataSource, "jobs");
        long blobs = TestData.count(dataSource, "blobs");
        int inputBytes = size(input);
        JsonPath before =
                given().get("/api/storage").then().statusCode(200).extract().jsonPath();

        given().delete("/api/jobs/" + job)
                .then()
                .statusCode(200)
                .body("jobs", equalTo(1))
                .body("blobs", equalTo(2))
                .body("bytes", equalTo(7_000 + inputBytes));

        given().get("/api/jobs/" + job).then().statusCode(404);
        given().get("/api/jobs/" + job + "/result").then().statusCode(404);
        JsonPath after =
                given().get("/api/storage").then().statusCode(200).extract().jsonPath();
        assertEquals(
                before.getLong("parts.find { it.what == 'upscale results' }.bytes") - 7_000,
                after.getLong("parts.find { it.what == 'upscale results' }.bytes"));
        assertEquals(
                before.getLong("parts.find { it.what == 'upscale inputs' }.files") - 1,
                after.getLong("parts.find { it.what == 'upscale inputs' }.files"));
        assertEquals(before.getLong("files") - 2, after.getLong("files"));
        assertEquals(before.getLong("bytes") - 7_000 - inputBytes, after.getLong("bytes"));
        given().delete("/api/jobs/" + job).then().statusCode(404);
        assertEquals(jobs - 1, TestData.count(dataSource, "jobs"));
        assertEquals(blobs - 2, TestData.count(dataSource, "blobs"));
        assertEquals(0, count("SELECT count(*) FROM job_events WHERE job_id = ?::uuid", job));
        assertEquals(0, count("SELECT count(*) FROM blob_chunks WHERE blob_id IN (?, ?)", input, result));
        // the key went with the job: the same request makes a new job instead of naming a deleted one
        assertNotEquals(job, upscale(key));
    }

    @Test
    void aCancelledJobCanBeDeletedAndADeleteWaitsForNothing() throws Exception {
        TestData.model(dataSource, 2, true);
        String job = upscale(null);
        given().post("/api/jobs/" + job + "/cancel").then().statusCode(200).body("status", equalTo("CANCELLED"));
        given().delete("/api/jobs/" + job).then().statusCode(200).body("jobs", equalTo(1));
        given().delete("/api/jobs/not-a-uuid").then().statusCode(404);
    }

    @Test
    void aTrainingRunGoesButTheCheckpointAModelWasMadeFromStays() throws Exception {
        String dataset = dataset();
        String run = given().contentType(ContentType.JSON)
                .body("{\"datasetId\": \"" + dataset + "\", \"hyperparameters\": " + TINY + "}")
                .when()
                .post("/api/training")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        UUID kept = blob(5_000);
        UUID dropped = blob(3_000);
        UUID sample = blob(100);
        UUID keptCheckpoint = UUID.randomUUID();
        exec(
                "INSERT INTO checkpoints (id, job_id, step, blob_id, size_bytes) VALUES (?, ?::uuid, 2, ?, 5000)",
                keptCheckpoint,
                run,
                kept);
        exec(
                "INSERT INTO checkpoints (id, job_id, step, blob_id, size_bytes) VALUES (?, ?::uuid, 4, ?, 3000)",
                UUID.randomUUID(),
                run,
                dropped);
        exec("INSERT INTO sample_images (job_id, step, idx, blob_id) VALUES (?::uuid, 4, 0, ?)", run, sample);
        UUID model = UUID.randomUUID();
        exec("""
                INSERT INTO models (id, name, format, scale, residual_blocks, source, source_job_id, source_checkpoint_id, blob_id)
                VALUES (?, 'from the run', 'CHECKPOINT', 2, 1, 'training run', ?::uuid, ?, ?)""", model, run, keptCheckpoint, kept);
        exec("UPDATE jobs SET status = 'FAILED', error = 'stopped', finished_at = now() WHERE id = ?::uuid", run);

        given().delete("/api/jobs/" + run)
                .then()
                .statusCode(200)
                .body("jobs", equalTo(1))
                .body("blobs", equalTo(2))
                .body("bytes", equalTo(3_100));

        assertEquals(0, count("SELECT count(*) FROM checkpoints WHERE job_id = ?::uuid", run));
        assertEquals(0, count("SELECT count(*) FROM training_runs WHERE job_id = ?::uuid", run));
        assertEquals(1, count("SELECT count(*) FROM blobs WHERE id = ?", kept), "the model's file stays");
        assertEquals(0, count("SELECT count(*) FROM blobs WHERE id IN (?, ?)", dropped, sample));
        assertEquals(
                0,
                count(
                        "SELECT count(*) FROM models WHERE id = ? AND (source_job_id IS NOT NULL OR source_checkpoint_id IS NOT NULL)",
                        model),
                "the model no longer links to the run");
        given().get("/api/models").then().statusCode(200);
        given().get("/api/datasets")
                .then()
                .body("find { it.id == '" + dataset + "' }.name", equalTo("deletion photos"));
    }

    @Test
    void aBatchGoesWithItsImagesButAnImageAloneIsRefused() throws Exception {
        TestData.model(dataSource, 4, true);
        JsonPath batch = given().multiPart("images", "a.png", TestData.png(16, 16), "image/png")
                .multiPart("images", "b.png", TestData.png(20, 12), "image/png")
                .multiPart("scale", "4")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(202)
                .extract()
                .jsonPath();
        String id = batch.getString("id");
        List<String> images =
                given().get("/api/jobs/" + id).then().extract().jsonPath().getList("batch.images.jobId");
        given().delete("/api/jobs/" + id)
                .then()
                .statusCode(409)
                .body("error", containsString("the job is QUEUED; only a job that has ended can be deleted"));
        given().delete("/api/jobs/" + images.get(0))
                .then()
                .statusCode(409)
                .body("error", containsString("delete the batch (DELETE /api/jobs/" + id + ")"));
        exec("UPDATE jobs SET status = 'FAILED', finished_at = now() WHERE id = ?::uuid", images.get(0));
        exec(
                "UPDATE jobs SET status = 'CANCELLED', finished_at = now() WHERE id = ?::uuid OR id = ?::uuid",
                images.get(1),
                id);

        given().delete("/api/jobs/" + id)
                .then()
                .statusCode(200)
                .body("jobs", equalTo(3))
                .body("blobs", equalTo(2));
        for (String image : images) {
            given().get("/api/jobs/" + image).then().statusCode(404);
        }
        assertEquals(0, count("SELECT count(*) FROM batches WHERE job_id = ?::uuid", id));
    }

    @Test
    void aSweepGoesWholeOnceItsRunsHaveStopped() throws Exception {
        String dataset = dataset();
        JsonPath sweep = given().contentType(ContentType.JSON)
                .body("{\"datasetId\": \"" + dataset + "\", \"hyperparameters\": " + TINY
                        + ", \"grid\": {\"learningRateG\": [0.0001, 0.001]}}")
                .when()
                .post("/api/training/sweeps")
                .then()
                .statusCode(202)
                .extract()
                .jsonPath();
        String id = sweep.getString("id");
        List<String> runs = sweep.getList("jobIds");
        given().delete("/api/jobs/" + runs.get(0))
                .then()
                .statusCode(409)
                .body("error", containsString("delete the sweep (DELETE /api/training/sweeps/" + id + ")"));
        given().delete("/api/training/sweeps/" + id)
                .then()
                .statusCode(409)
                .body("error", containsString("2 of the sweep's 2 runs are queued or running; cancel the sweep"));

        given().post("/api/training/sweeps/" + id + "/cancel").then().statusCode(200);
        given().delete("/api/training/sweeps/" + id).then().statusCode(200).body("jobs", equalTo(2));

        given().get("/api/training/sweeps/" + id).then().statusCode(404);
        for (String run : runs) {
            given().get("/api/jobs/" + run).then().statusCode(404);
        }
        given().delete("/api/training/sweeps/" + id).then().statusCode(404);
    }

    @Test
    void aViewerMayNotDelete() throws Exception {
        TestData.model(dataSource, 2, true);
        String job = upscale(null);
        given().post("/api/jobs/" + job + "/cancel").then().statusCode(200);
        String token = given().contentType(ContentType.JSON)
                .body("{\"name\": \"deletion viewer\", \"role\": \"VIEWER\"}")
                .when()
                .post("/api/tokens")
                .then()
                .statusCode(201)
                .extract()
                .path("token");
        TestAuth.anonymous();
        given().header("Authorization", "Bearer " + token)
                .delete("/api/jobs/" + job)
                .then()
                .statusCode(403);
        TestAuth.asAdmin();
        given().get("/api/jobs/" + job).then().statusCode(200);
    }

    @Test
    void aModelGoesButNotADefaultAShippedOneOrOneInUseAndItsJobsCannotRetry() throws Exception {
        UUID byDefault = TestData.model(dataSource, 8, true);
        given().delete("/api/models/" + byDefault)
                .then()
                .statusCode(409)
                .body(
                        "error",
                        equalTo("the model is the default for 8x upscales; make another model the default first"));
        UUID shipped = TestData.model(dataSource, 8, false);
        exec(
                "UPDATE models SET source = 'shipped with SRGAN Cluster: models/x.srgan.zip (sha256 0)' WHERE id = ?",
                shipped);
        given().delete("/api/models/" + shipped)
                .then()
                .statusCode(409)
                .body("error", containsString("ships with SRGAN Cluster"));
        // not a shipped model after all: other test classes count the shipped ones
        exec("UPDATE models SET source = 'test' WHERE id = ?", shipped);
        given().delete("/api/models/" + shipped).then().statusCode(200);

        UUID model = TestData.model(dataSource, 8, false);
        UUID modelBlob = uuid("SELECT blob_id FROM models WHERE id = ?", model);
        String job = given().multiPart("image", "x.png", TestData.png(16, 16), "image/png")
                .multiPart("modelId", model.toString())
                .multiPart("scale", "8")
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        given().delete("/api/models/" + model)
                .then()
                .statusCode(409)
                .body(
                        "error",
                        equalTo("1 job that is queued or running uses the model; delete it once they have ended,"
                                + " or cancel them"));
        given().post("/api/jobs/" + job + "/cancel").then().statusCode(200);

        given().delete("/api/models/" + model)
                .then()
                .statusCode(200)
                .body("jobs", equalTo(0))
                .body("blobs", equalTo(1));
        given().get("/api/models/" + model).then().statusCode(404);
        assertEquals(0, count("SELECT count(*) FROM blobs WHERE id = ?", modelBlob));
        given().get("/api/jobs/" + job).then().statusCode(200).body("modelId", equalTo(null));
        given().post("/api/jobs/" + job + "/retry")
                .then()
                .statusCode(409)
                .body("error", containsString("the job's model has been deleted"));
    }

    @Test
    void aDatasetGoesOnceNoRunNeedsItAndItsRunsKeepTheirHistory() throws Exception {
        String dataset = dataset();
        String run = given().contentType(ContentType.JSON)
                .body("{\"datasetId\": \"" + dataset + "\", \"hyperparameters\": " + TINY + "}")
                .when()
                .post("/api/training")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        given().delete("/api/datasets/" + dataset)
                .then()
                .statusCode(409)
                .body("error", containsString("1 job that is queued or running uses the dataset"));
        given().post("/api/jobs/" + run + "/cancel").then().statusCode(200);

        given().delete("/api/datasets/" + dataset).then().statusCode(200).body("blobs", equalTo(1));
        given().get("/api/datasets").then().body("find { it.id == '" + dataset + "' }", equalTo(null));
        given().get("/api/jobs/" + run).then().statusCode(200).body("datasetId", equalTo(null));
        given().post("/api/jobs/" + run + "/retry")
                .then()
                .statusCode(409)
                .body("error", equalTo("the job's dataset has been deleted; it cannot run again"));
        given().delete("/api/datasets/" + dataset).then().statusCode(404);
        given().delete("/api/jobs/" + run).then().statusCode(200);
    }

    @Test
    void retentionDeletesOnlyUpscalesThatFinishedLongerAgoThanItKeeps() throws Exception {
        TestData.model(dataSource, 2, true);
        String old = upscale(null);
        String recent = upscale(null);
        String running = upscale(null);
        String run = given().contentType(ContentType.JSON)
                .body("{\"datasetId\": \"" + dataset() + "\", \"hyperparameters\": " + TINY + "}")
                .when()
                .post("/api/training")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        exec(
                "UPDATE jobs SET status = 'SUCCEEDED', finished_at = now() - interval '40 days' WHERE id IN (?::uuid, ?::uuid)",
                old,
                run);
        exec("UPDATE jobs SET status = 'FAILED', finished_at = now() - interval '2 days' WHERE id = ?::uuid", recent);
        exec("UPDATE jobs SET status = 'RUNNING', created_at = now() - interval '60 days' WHERE id = ?::uuid", running);

        Deletions.Deleted deleted = retention.deleteOlderThan(java.time.Duration.ofDays(30));

        assertEquals(1, deleted.jobs());
        given().get("/api/jobs/" + old).then().statusCode(404);
        given().get("/api/jobs/" + recent).then().statusCode(200);
        given().get("/api/jobs/" + running).then().statusCode(200);
        given().get("/api/jobs/" + run).then().statusCode(200).body("type", equalTo("TRAINING"));
        exec("UPDATE jobs SET status = 'CANCELLED', finished_at = now() WHERE id = ?::uuid", running);
    }

    private String upscale(String idempotencyKey) throws Exception {
        var request = given().multiPart("image", "x.png", TestData.png(16, 16), "image/png")
                .multiPart("scale", "2");
        if (idempotencyKey != null) {
            request = request.header("Idempotency-Key", idempotencyKey);
        }
        return request.when()
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
    }

    private String dataset() throws Exception {
        return TestData.dataset(given(), "deletion photos");
    }

    /** A stored file of {@code bytes} bytes, in one chunk. */
    private UUID blob(int bytes) throws Exception {
        UUID id = UUID.randomUUID();
        exec(
                "INSERT INTO blobs (id, content_type, size_bytes, complete) VALUES (?, 'application/octet-stream', ?, true)",
                id,
                (long) bytes);
        exec("INSERT INTO blob_chunks (blob_id, seq, data) VALUES (?, 0, ?)", id, new byte[bytes]);
        return id;
    }

    private int size(UUID blob) throws Exception {
        return (int) count("SELECT size_bytes FROM blobs WHERE id = ?", blob);
    }

    private UUID uuid(String sql, Object... args) throws Exception {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = prepare(c, sql, args);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getObject(1, UUID.class);
        }
    }

    private long count(String sql, Object... args) throws Exception {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = prepare(c, sql, args);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void exec(String sql, Object... args) throws Exception {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = prepare(c, sql, args)) {
            ps.execute();
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... args) throws Exception {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
        return ps;
    }
}
