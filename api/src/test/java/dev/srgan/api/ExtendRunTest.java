package dev.srgan.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.embedded.EmbeddedServicesTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /api/jobs/{id}/extend}: a training run that has ended is queued again with more
 * steps; every refusal changes nothing. (The worker side, that the run goes on from its
 * checkpoint as the longer run would, is TrainingJobTest's and ExtendTest's.)
 */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class ExtendRunTest {
    @Inject
    DataSource dataSource;

    @BeforeEach
    void signIn() {
        TestAuth.asAdmin();
    }

    /** A run of 10 + 5 steps that ended in {@code status}, with its last checkpoint at {@code step}. */
    private String endedRun(String status, int step) throws Exception {
        String dataset = TestData.dataset(given(), "extend photos");
        String id = given().contentType(ContentType.JSON)
                .body(
                        "{\"datasetId\":\"" + dataset + "\",\"name\":\"to extend\",\"hyperparameters\":{\"scale\":2,"
                                + "\"residualBlocks\":2,\"batchSize\":4,\"hrCropSize\":32,\"pretrainSteps\":10,\"ganSteps\":5}}")
                .post("/api/training")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        end(id, status, step);
        return id;
    }

    /** Ends a queued run in {@code status} with its last checkpoint at {@code step}. */
    private void end(String id, String status, int step) throws Exception {
        TestData.exec(
                dataSource,
                "UPDATE jobs SET status = ?, attempts = 1, progress = ?, finished_at = now() WHERE id = ?::uuid",
                status,
                step / 15.0,
                id);
        UUID blob = UUID.randomUUID();
        TestData.exec(
                dataSource,
                "INSERT INTO blobs (id, content_type, size_bytes, complete) VALUES (?, 'application/zip', 0, true)",
                blob);
        TestData.exec(
                dataSource,
                "INSERT INTO checkpoints (id, job_id, step, blob_id, size_bytes) VALUES (?, ?::uuid, ?, ?, 0)",
                UUID.randomUUID(),
                id,
                step,
                blob);
    }

    private String state(String id) throws Exception {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                        SELECT j.status || ' ' || j.params::text || ' ' || t.config::text || ' ' || t.total_steps
                               || ' ' || (SELECT count(*) FROM job_events e WHERE e.job_id = j.id)
                        FROM jobs j JOIN training_runs t ON t.job_id = j.id WHERE j.id = ?::uuid""")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    @Test
    void aSucceededRunIsQueuedAgainWithItsNewTotals() throws Exception {
        String id = endedRun("SUCCEEDED", 15);
        given().contentType(ContentType.JSON)
                .body("{\"ganSteps\": 15}")
                .post("/api/jobs/" + id + "/extend")
                .then()
                .statusCode(202)
                .body("status", equalTo("QUEUED"))
                .body("params.pretrainSteps", equalTo(10))
                .body("params.ganSteps", equalTo(15))
                .body("progress", equalTo(0.6f))
                .body("attempts", equalTo(0));
        given().get("/api/jobs/" + id + "/events")
                .then()
                .body("[-1].status", equalTo("QUEUED"))
                .body("[-1].message", equalTo("extended to 10 + 15 steps by bootstrap admin"));
        assertTrue(state(id).contains(" 25 "), "training_runs.total_steps: " + state(id));
        given().get("/training/" + id).then().statusCode(200).body(containsString("25 steps"));

        given().contentType(ContentType.JSON)
                .body("{\"ganSteps\": 30}")
                .post("/api/jobs/" + id + "/extend")
                .then()
                .statusCode(409)
                .body("error", containsString("it can be extended once it has ended"));
    }

    @Test
    void aCancelledRunStillInPretrainingMayGrowEitherPhase() throws Exception {
        String id = endedRun("CANCELLED", 8);
        given().contentType(ContentType.JSON)
                .body("{\"pretrainSteps\": 20, \"ganSteps\": 5}")
                .post("/api/jobs/" + id + "/extend")
                .then()
                .statusCode(202)
                .body("params.pretrainSteps", equalTo(20))
                .body("params.ganSteps", equalTo(5))
                .body("progress", equalTo(0.32f));
    }

    @Test
    void whatAnExtensionCannotDoIsRefusedAndChangesNothing() throws Exception {
        String id = endedRun("SUCCEEDED", 15);
        String before = state(id);
        Object[][] refused = {
            {"{\"ganSteps\": 4}", 400, "ganSteps", "cannot be lowered below the run's 5"},
            {"{\"ganSteps\": 5}", 400, "ganSteps", "must add steps"},
            {"{\"pretrainSteps\": 12}", 400, "pretrainSteps", "cannot change once the run is in its GAN phase"},
            {"{\"ganSteps\": 2000000}", 400, "ganSteps", "at most 1000000"},
            {"{\"ganSteps\": 2.5}", 400, "ganSteps", "whole number of steps"},
            {"{\"ganSteps\": \"20\"}", 400, "ganSteps", "whole number of steps"},
            {"{\"ganSteps\": -1}", 400, "ganSteps", "whole number of steps"},
            {"{\"learningRateG\": 0.001}", 400, "learningRateG", "unknown member"},
            {"{}", 400, null, "nothing to extend"},
            {"[1]", 400, null, "JSON object"},
        };
        for (Object[] r : refused) {
            var response = given().contentType(ContentType.JSON)
                    .body((String) r[0])
                    .post("/api/jobs/" + id + "/extend")
                    .then()
                    .statusCode((Integer) r[1])
                    .body("error", containsString((String) r[3]));
            if (r[2] != null) {
                response.body("field", equalTo(r[2]));
            }
            assertEquals(before, state(id), "nothing changed by " + r[0]);
        }

        TestData.model(dataSource, 4, true);
        String upscale = given().multiPart("image", "a.png", TestData.png(16, 16), "image/png")
                .multiPart("scale", "4")
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        TestData.exec(dataSource, "UPDATE jobs SET status = 'SUCCEEDED' WHERE id = ?::uuid", upscale);
        given().contentType(ContentType.JSON)
                .body("{\"ganSteps\": 25}")
                .post("/api/jobs/" + upscale + "/extend")
                .then()
                .statusCode(409)
                .body("error", containsString("is an UPSCALE job; only a training run can be extended"));

        TestAuth.anonymous();
        given().header("Authorization", "Bearer " + SecurityTest.token("extend viewer " + UUID.randomUUID(), "VIEWER"))
                .contentType(ContentType.JSON)
                .body("{\"ganSteps\": 25}")
                .post("/api/jobs/" + id + "/extend")
                .then()
                .statusCode(403);
        assertEquals(before, state(id));
    }

    @Test
    void aSweepsRunsAreExtendedTogetherOrNotAtAll() throws Exception {
        String dataset = TestData.dataset(given(), "extend sweep photos");
        io.restassured.path.json.JsonPath sweep = given().contentType(ContentType.JSON)
                .body("{\"datasetId\":\"" + dataset + "\",\"name\":\"to extend\",\"hyperparameters\":{\"scale\":2,"
                        + "\"residualBlocks\":2,\"batchSize\":4,\"hrCropSize\":32,\"pretrainSteps\":10,\"ganSteps\":5},"
                        + "\"grid\":{\"batchSize\":[2,4]}}")
                .post("/api/training/sweeps")
                .then()
                .statusCode(202)
                .extract()
                .jsonPath();
        String id = sweep.getString("id");
        java.util.List<String> runs = sweep.getList("jobIds");
        for (String run : runs) {
            end(run, "SUCCEEDED", 15);
        }
        given().get("/training/sweeps/" + id).then().body(containsString("id=\"extend-sweep\""));
        String before = state(runs.get(0)) + state(runs.get(1));

        given().contentType(ContentType.JSON)
                .body("{\"ganSteps\": 3}")
                .post("/api/training/sweeps/" + id + "/extend")
                .then()
                .statusCode(400)
                .body("field", equalTo("ganSteps"))
                // both runs refuse; the first one the transaction reaches is named
                .body(
                        "error",
                        org.hamcrest.Matchers.matchesPattern("run [12] of 2 'to extend \\[batchSize=[24]\\]': ganSteps"
                                + " cannot be lowered below the run's 5 by an extension"));
        TestData.exec(dataSource, "UPDATE jobs SET status = 'RUNNING' WHERE id = ?::uuid", runs.get(1));
        given().contentType(ContentType.JSON)
                .body("{\"ganSteps\": 10}")
                .post("/api/training/sweeps/" + id + "/extend")
                .then()
                .statusCode(409)
                .body("error", containsString("run 2 of 2 'to extend [batchSize=4]': the run is RUNNING"));
        TestData.exec(dataSource, "UPDATE jobs SET status = 'SUCCEEDED' WHERE id = ?::uuid", runs.get(1));
        assertEquals(before, state(runs.get(0)) + state(runs.get(1)), "nothing changed by the refusals");

        given().contentType(ContentType.JSON)
                .body("{\"ganSteps\": 10}")
                .post("/api/training/sweeps/" + id + "/extend")
                .then()
                .statusCode(202)
                .body("runs.status", equalTo(java.util.List.of("QUEUED", "QUEUED")));
        for (String run : runs) {
            given().get("/api/jobs/" + run).then().body("params.ganSteps", equalTo(10));
        }
    }
}
