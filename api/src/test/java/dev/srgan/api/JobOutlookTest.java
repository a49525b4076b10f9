package dev.srgan.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.embedded.EmbeddedServicesTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/jobs/{id}}'s outlook: a queued job's place in its queue and the workers that can
 * take it, a running training run's pace and time left; and the pages that say it. Other tests'
 * queued jobs share the database, so places are compared with each other, not with fixed numbers.
 */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class JobOutlookTest {
    private final String workerPrefix = "outlook-" + UUID.randomUUID() + "-";

    @Inject
    DataSource dataSource;

    @BeforeEach
    void setUp() throws Exception {
        TestAuth.asAdmin();
        TestData.model(dataSource, 4, true);
    }

    @AfterEach
    void removeWorkers() throws Exception {
        TestData.exec(dataSource, "DELETE FROM workers WHERE id LIKE ?", workerPrefix + "%");
    }

    @Test
    void aQueuedJobSaysWhatGoesBeforeItAndWhichWorkersCanTakeIt() throws Exception {
        String a = upscale();
        String b = upscale();
        int first = outlook(a).getInt("outlook.queuedAhead");
        assertEquals(first + 1, outlook(b).getInt("outlook.queuedAhead"), "one more queued upscale before b");

        String batch1 = batch();
        String batch2 = batch();
        String c = upscale();
        assertEquals(
                first + 2,
                outlook(c).getInt("outlook.queuedAhead"),
                "a single upscale goes before the images of batches submitted before it");
        int batchAhead = outlook(batch1).getInt("outlook.queuedAhead");
        assertTrue(batchAhead >= first + 3, "every queued single upscale goes before a batch's images: " + batchAhead);
        assertEquals(
                batchAhead + 2,
                outlook(batch2).getInt("outlook.queuedAhead"),
                "the second batch's images wait for the first batch's two");

        int workers = outlook(c).getInt("outlook.workers");
        int busy = outlook(c).getInt("outlook.workersBusy");
        worker("a", "UPSCALE,TRAINING,EVALUATE", "now()", null, true);
        worker("b", "UPSCALE", "now()", null, false);
        worker("stale", "UPSCALE", "now() - interval '5 minutes'", null, false);
        worker("stopped", "UPSCALE", "now()", "now()", false);
        worker("training", "TRAINING", "now()", null, false);
        JsonPath after = outlook(c);
        assertEquals(workers + 2, after.getInt("outlook.workers"), "online workers that take upscales");
        assertEquals(busy + 1, after.getInt("outlook.workersBusy"));
        assertNull(after.get("outlook.secondsLeft"), "a queued job has no time left yet");

        given().get("/jobs/" + c + "/detail")
                .then()
                .statusCode(200)
                .body(containsString("queued jobs before it; "))
                .body(containsString(" take upscale jobs, "));
        given().get("/upscale/" + c + "/panel").then().statusCode(200).body(containsString("queued jobs before it"));
        given().get("/upscale/" + batch1 + "/batch")
                .then()
                .statusCode(200)
                .body(containsString("id=\"batch-outlook\""));

        TestData.exec(dataSource, "UPDATE jobs SET status = 'CANCELLED', finished_at = now() WHERE id = ?::uuid", a);
        assertEquals(first, outlook(b).getInt("outlook.queuedAhead"), "a cancelled job no longer goes before it");
        assertNull(outlook(a).get("outlook"), "a job that has ended has no outlook");
    }

    @Test
    void aQueueNoWorkerTakesIsSaidOnTheJobsPageAndTheOverview() throws Exception {
        String run = run(10, 20);
        assertEquals(0, outlook(run).getInt("outlook.workers"), "the api tests run no worker");
        given().get("/jobs/" + run + "/detail")
                .then()
                .body(containsString("No worker online takes training jobs: it starts when one does"));
        given().get("/overview/live")
                .then()
                .body(containsString("class=\"form-error stranded\" data-type=\"TRAINING\""))
                .body(containsString("no worker online takes training jobs"));

        worker("t", "TRAINING", "now()", null, false);
        assertEquals(1, outlook(run).getInt("outlook.workers"));
        given().get("/training/" + run + "/status")
                .then()
                .body(containsString("id=\"run-outlook\""))
                .body(containsString("1 worker takes training jobs, 0 busy"));
        given().get("/overview/live").then().body(not(containsString("data-type=\"TRAINING\"")));
    }

    @Test
    void aRunningRunSaysItsPaceAndTheTimeItStillNeeds() throws Exception {
        String run = run(10, 20);
        TestData.exec(
                dataSource,
                "UPDATE jobs SET status = 'RUNNING', attempts = 1, worker_id = 'w', started_at = now(),"
                        + " lease_expires_at = now() + interval '1 hour' WHERE id = ?::uuid",
                run);
        assertNull(outlook(run).get("outlook"), "no step has been timed yet");

        // pre-training: the median of 1, 2, 3 and 100 s is 2.5 s; steps 5 to 10 are left
        TestData.exec(
                dataSource,
                "INSERT INTO loss_points (job_id, step, phase, g_loss, content_loss, seconds_per_step) VALUES"
                        + " (?::uuid, 1, 'pretrain', 1, 1, 1), (?::uuid, 2, 'pretrain', 1, 1, 2),"
                        + " (?::uuid, 3, 'pretrain', 1, 1, 3), (?::uuid, 4, 'pretrain', 1, 1, 100)",
                run,
                run,
                run,
                run);
        TestData.exec(dataSource, "UPDATE training_runs SET current_step = 4 WHERE job_id = ?::uuid", run);
        JsonPath pretraining = outlook(run);
        assertEquals(2.5, pretraining.getDouble("outlook.secondsPerStep"), 1e-9);
        assertEquals(15, pretraining.getLong("outlook.phaseSecondsLeft"));
        assertNull(pretraining.get("outlook.secondsLeft"), "a GAN step's time is not known before the phase starts");
        given().get("/training/" + run + "/status")
                .then()
                .body(containsString("Pre-training ends in about 15 s (2.50 s a step)"));

        // pre-training done, no GAN step timed yet: still no time to the end
        TestData.exec(
                dataSource,
                "INSERT INTO loss_points (job_id, step, phase, g_loss, content_loss, seconds_per_step) VALUES"
                        + " (?::uuid, 10, 'pretrain', 1, 1, 2.5)",
                run);
        TestData.exec(dataSource, "UPDATE training_runs SET current_step = 10 WHERE job_id = ?::uuid", run);
        JsonPath boundary = outlook(run);
        assertEquals(0, boundary.getLong("outlook.phaseSecondsLeft"));
        assertNull(boundary.get("outlook.secondsLeft"), "the pre-training pace says nothing of a GAN step's");
        given().get("/training/" + run + "/status")
                .then()
                .body(containsString("Pre-training is done (2.50 s a step); the time of the GAN phase is known"));

        // the GAN phase: its own steps' median, 5 s, for the 17 steps left of 30
        TestData.exec(
                dataSource,
                "INSERT INTO loss_points (job_id, step, phase, d_loss, g_loss, content_loss, seconds_per_step) VALUES"
                        + " (?::uuid, 11, 'gan', 1, 1, 1, 4), (?::uuid, 12, 'gan', 1, 1, 1, 6),"
                        + " (?::uuid, 13, 'gan', 1, 1, 1, 5)",
                run,
                run,
                run);
        TestData.exec(dataSource, "UPDATE training_runs SET current_step = 13 WHERE job_id = ?::uuid", run);
        JsonPath gan = outlook(run);
        assertEquals(5.0, gan.getDouble("outlook.secondsPerStep"), 1e-9);
        assertEquals(85, gan.getLong("outlook.secondsLeft"));
        assertEquals(85, gan.getLong("outlook.phaseSecondsLeft"));
        Duration toEnd =
                Duration.between(OffsetDateTime.now(), OffsetDateTime.parse(gan.getString("outlook.expectedEnd")));
        assertTrue(Math.abs(toEnd.toSeconds() - 85) <= 5, "expected end about 85 s from now: " + toEnd);
        assertFalse(gan.getMap("outlook").containsKey("queuedAhead"), "a running job has no place in the queue");
        given().get("/training/" + run + "/status")
                .then()
                .body(containsString("about 1 min left (5.00 s a step), ending about "));
        given().get("/jobs/" + run + "/detail").then().body(containsString("about 1 min left (5.00 s a step)"));
        given().get("/jobs/table?type=TRAINING&status=RUNNING")
                .then()
                .body(containsString("<span class=\"time-left\">about 1 min left</span>"));

        // a run queued behind it: a worker frees up when this run ends, in 85 s
        String next = run(10, 20);
        TestData.exec(
                dataSource,
                "UPDATE jobs SET status = 'CANCELLED', finished_at = now()"
                        + " WHERE type = 'TRAINING' AND status = 'QUEUED' AND id <> ?::uuid",
                next);
        TestData.exec(
                dataSource,
                "INSERT INTO workers (id, host, pid, device, job_types, current_job_id) VALUES (?, 'test', 1, 'cpu',"
                        + " 'TRAINING', ?::uuid)",
                workerPrefix + "busy",
                run);
        JsonPath waiting = outlook(next);
        assertEquals(0, waiting.getInt("outlook.queuedAhead"));
        assertEquals(1, waiting.getInt("outlook.workersBusy"));
        assertEquals(85, waiting.getLong("outlook.startsIn"), 2);
        given().get("/jobs/" + next + "/detail")
                .then()
                .body(containsString("1 busy; a worker should be free for it in about 1 min."));
        worker("free", "TRAINING", "now()", null, false);
        assertEquals(0, outlook(next).getLong("outlook.startsIn"));
        given().get("/jobs/" + next + "/detail").then().body(containsString("; a worker is free for it."));
        // with two jobs ahead and two workers, the second waits for the busy one
        String last = run(10, 20);
        assertEquals(1, outlook(last).getInt("outlook.queuedAhead"));
        assertEquals(85, outlook(last).getLong("outlook.startsIn"), 2);
        String beyond = run(10, 20);
        assertNull(outlook(beyond).get("outlook.startsIn"), "more jobs ahead than workers: their durations decide");
    }

    private String upscale() throws Exception {
        return given().multiPart("image", "a.png", TestData.png(16, 16), "image/png")
                .multiPart("scale", "4")
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
    }

    private String batch() throws Exception {
        return given().multiPart("images", "a.png", TestData.png(16, 16), "image/png")
                .multiPart("images", "b.png", TestData.png(16, 16), "image/png")
                .multiPart("scale", "4")
                .post("/api/upscale/batch")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
    }

    private String run(int pretrainSteps, int ganSteps) throws Exception {
        String dataset = TestData.dataset(given(), "outlook photos");
        return given().contentType(ContentType.JSON)
                .body("{\"datasetId\":\"" + dataset + "\",\"name\":\"outlook\",\"hyperparameters\":{\"scale\":2,"
                        + "\"residualBlocks\":2,\"batchSize\":4,\"hrCropSize\":32,\"pretrainSteps\":" + pretrainSteps
                        + ",\"ganSteps\":" + ganSteps + "}}")
                .post("/api/training")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
    }

    private static JsonPath outlook(String id) {
        return given().get("/api/jobs/" + id).then().statusCode(200).extract().jsonPath();
    }

    private void worker(String name, String types, String heartbeat, String stopped, boolean busy) throws Exception {
        TestData.exec(
                dataSource,
                "INSERT INTO workers (id, host, pid, device, job_types, last_heartbeat, stopped_at, current_job_id)"
                        + " VALUES (?, 'test', 1, 'cpu', ?, " + heartbeat + ", " + stopped + ", "
                        + (busy ? "gen_random_uuid()" : "NULL") + ")",
                workerPrefix + name,
                types);
    }
}
