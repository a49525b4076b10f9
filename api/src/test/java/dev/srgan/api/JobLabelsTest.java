package dev.srgan.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.srgan.embedded.EmbeddedServicesTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tags and notes on jobs: set with a run or sweep, edited with PATCH /api/jobs/{id}, listed by tag. */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class JobLabelsTest {
    @BeforeEach
    void signIn() {
        TestAuth.asAdmin();
    }

    @Inject
    DataSource dataSource;

    private static final String HP = "{\"scale\":2,\"residualBlocks\":2,\"hrCropSize\":32,\"ganSteps\":5}";

    private static String run(String datasetId, String tag, String extra) {
        return given().contentType(ContentType.JSON)
                .body("{\"datasetId\":\"" + datasetId + "\",\"tags\":[\"" + tag + "\", \"x2\", \"" + tag + "\"]" + extra
                        + ",\"hyperparameters\":" + HP + "}")
                .post("/api/training")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
    }

    @Test
    void aRunCarriesItsTagsAndNotesAndIsListedByThem() throws Exception {
        String datasetId = TestData.dataset(given(), "labels");
        String tag = "baseline-" + UUID.randomUUID().toString().substring(0, 8);
        String id = run(datasetId, tag, ",\"notes\":\"  first try:\\nlr 1e-4  \"");
        given().get("/api/jobs/" + id)
                .then()
                .body("tags", equalTo(List.of(tag, "x2")))
                .body("notes", equalTo("first try:\nlr 1e-4"));
        String other = run(datasetId, tag + "-other", "");

        JsonPath tagged = given().get("/api/jobs?tag=" + tag)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertEquals(List.of(id), tagged.getList("items.id"), "only the run with the tag");
        given().get("/api/jobs?tag=" + tag + "&tag=x2").then().body("items.id", equalTo(List.of(id)));
        given().get("/api/jobs?tag=" + tag + "&tag=nothing").then().body("total", equalTo(0));
        given().get("/api/jobs?tag=x2&type=TRAINING&size=200").then().body("items.id", hasItem(other));

        // text in the name or notes, in any case; % and _ are taken literally
        given().get("/api/jobs?q=FIRST try&tag=" + tag).then().body("items.id", equalTo(List.of(id)));
        given().get("/api/jobs?q=%25&tag=" + tag).then().body("total", equalTo(0));
        given().get("/api/jobs?q=_&tag=" + tag).then().body("total", equalTo(0));
        given().get("/training?q=first TRY")
                .then()
                .statusCode(200)
                .body(containsString("/training/" + id))
                .body(not(containsString("/training/" + other)));

        // the dashboard lists by tag too, and links each tag
        given().get("/training?tag=" + tag)
                .then()
                .statusCode(200)
                .body(containsString("/training/" + id))
                .body(not(containsString("/training/" + other)))
                .body(containsString("href=\"/training?tag=" + tag + "\""))
                .body(containsString("<option value=\"" + tag + "\" selected>" + tag + " (1)</option>"))
                .body(containsString("href=\"/api/training/runs.csv?tag=" + tag));
        given().get("/jobs?tag=" + tag).then().statusCode(200).body(containsString("/training/" + id));
        given().get("/training/" + id)
                .then()
                .statusCode(200)
                .body(containsString("first try:\nlr 1e-4"))
                .body(containsString("value=\"" + tag + ", x2\""));
        given().get("/training/compare?id=" + id + "&id=" + other)
                .then()
                .statusCode(200)
                .body(containsString("first try:\nlr 1e-4"))
                .body(containsString(">" + tag + "-other</a>"));
        cancel(id, other);
    }

    @Test
    void aJobsNameTagsAndNotesAreEditedAndTheEditIsInItsHistory() throws Exception {
        String id = run(TestData.dataset(given(), "labels"), "before", "");
        given().contentType(ContentType.JSON)
                .body("{\"name\":\" lr 1e-5 \",\"tags\":[\"keep\",\"lr\"],\"notes\":\"holds 36.3 dB\"}")
                .patch("/api/jobs/" + id)
                .then()
                .statusCode(200)
                .body("name", equalTo("lr 1e-5"))
                .body("tags", equalTo(List.of("keep", "lr")))
                .body("notes", equalTo("holds 36.3 dB"));
        given().get("/api/jobs/" + id + "/events")
                .then()
                .body("message", hasItem("name, notes and tags edited by bootstrap admin"))
                .body("kind", hasItem("EDIT"));

        // a member left out stays; null notes and [] tags clear them
        given().contentType(ContentType.JSON)
                .body("{\"notes\":null}")
                .patch("/api/jobs/" + id)
                .then()
                .statusCode(200)
                .body("notes", nullValue())
                .body("tags", equalTo(List.of("keep", "lr")))
                .body("name", equalTo("lr 1e-5"));
        given().contentType(ContentType.JSON)
                .body("{\"tags\":[]}")
                .patch("/api/jobs/" + id)
                .then()
                .statusCode(200)
                .body("tags", empty());
        given().get("/api/jobs/" + id + "/events").then().body("message", hasItem("tags edited by bootstrap admin"));

        // an ended job can be edited too
        cancel(id);
        given().contentType(ContentType.JSON)
                .body("{\"tags\":[\"cancelled on purpose\"]}")
                .patch("/api/jobs/" + id)
                .then()
                .statusCode(200)
                .body("status", equalTo("CANCELLED"));
    }

    @Test
    void badTagsNotesAndNamesAreRefusedNamingTheFieldAndChangeNothing() throws Exception {
        String datasetId = TestData.dataset(given(), "labels");
        String id = run(datasetId, "kept", ",\"notes\":\"kept\"");
        refused(id, "{\"tags\":\"a,b\"}", "tags", "tags must be a list of strings");
        refused(id, "{\"tags\":[\"a,b\"]}", "tags", "tag 'a,b' must be 1 to 32 letters");
        refused(id, "{\"tags\":[\"\"]}", "tags", "tag '' must be");
        refused(id, "{\"tags\":[\"" + "t".repeat(33) + "\"]}", "tags", "must be 1 to 32");
        refused(id, "{\"tags\":[1]}", "tags", "tags must be strings");
        StringBuilder many = new StringBuilder("{\"tags\":[");
        for (int i = 0; i < 17; i++) {
            many.append(i == 0 ? "" : ",").append("\"t").append(i).append('"');
        }
        refused(id, many + "]}", "tags", "a job has at most 16 tags, got 17");
        refused(id, "{\"notes\":\"" + "n".repeat(10_001) + "\"}", "notes", "notes must be at most 10000 characters");
        refused(id, "{\"notes\":5}", "notes", "notes must be a string");
        refused(id, "{\"name\":\" \"}", "name", "name must be a non-blank string");
        refused(id, "{\"name\":\"" + "n".repeat(201) + "\"}", "name", "at most 200 characters");
        refused(id, "{\"status\":\"SUCCEEDED\"}", "status", "unknown member 'status'");
        refused(id, "{}", null, "nothing to change");
        refused(id, "[]", null, "send a JSON object with name, notes and/or tags");
        given().get("/api/jobs/" + id)
                .then()
                .body("tags", equalTo(List.of("kept", "x2")))
                .body("notes", equalTo("kept"));

        given().contentType(ContentType.JSON)
                .body("{\"tags\":[\"a\"]}")
                .patch("/api/jobs/" + UUID.randomUUID())
                .then()
                .statusCode(404);

        // a submission with a bad tag stores nothing
        long jobs = TestData.count(dataSource, "jobs");
        given().contentType(ContentType.JSON)
                .body("{\"datasetId\":\"" + datasetId + "\",\"tags\":[\"no,commas\"],\"hyperparameters\":" + HP + "}")
                .post("/api/training")
                .then()
                .statusCode(400)
                .body("field", equalTo("tags"));
        assertEquals(jobs, TestData.count(dataSource, "jobs"));

        // a viewer may read the tags, not change them
        TestAuth.anonymous();
        String viewer = SecurityTest.token("labels viewer " + UUID.randomUUID(), "VIEWER");
        given().header("Authorization", "Bearer " + viewer)
                .contentType(ContentType.JSON)
                .body("{\"tags\":[\"a\"]}")
                .patch("/api/jobs/" + id)
                .then()
                .statusCode(403);
        TestAuth.asAdmin();
        cancel(id);
    }

    @Test
    void everyRunOfASweepGetsItsTagsAndNotes() {
        String datasetId;
        try {
            datasetId = TestData.dataset(given(), "labels");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<String> runs = given().contentType(ContentType.JSON)
                .body("{\"datasetId\":\"" + datasetId + "\",\"tags\":[\"sweep\"],\"notes\":\"which lr\","
                        + "\"hyperparameters\":" + HP + ",\"grid\":{\"learningRateG\":[0.0001,0.001]}}")
                .post("/api/training/sweeps")
                .then()
                .statusCode(202)
                .extract()
                .path("jobIds");
        for (String run : runs) {
            given().get("/api/jobs/" + run)
                    .then()
                    .body("tags", equalTo(List.of("sweep")))
                    .body("notes", equalTo("which lr"));
        }
        cancel(runs.toArray(String[]::new));
    }

    @Test
    void anUpscaleAndABatchTakeTheirTagsCommaSeparated() throws Exception {
        String upscale = given().multiPart("image", "a.png", TestData.png(32, 24), "image/png")
                .multiPart("tags", "client-a, urgent,,client-a")
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        given().get("/api/jobs/" + upscale).then().body("tags", equalTo(List.of("client-a", "urgent")));
        String batch = given().multiPart("images", "a.png", TestData.png(32, 24), "image/png")
                .multiPart("images", "b.png", TestData.png(24, 32), "image/png")
                .multiPart("tags", "client-a")
                .post("/api/upscale/batch")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        given().get("/api/jobs/" + batch).then().body("tags", equalTo(List.of("client-a")));
        given().get("/api/jobs?tag=client-a&tag=urgent").then().body("items.id", equalTo(List.of(upscale)));

        long jobs = TestData.count(dataSource, "jobs");
        given().multiPart("image", "a.png", TestData.png(32, 24), "image/png")
                .multiPart("tags", "ok, not;ok")
                .post("/api/upscale")
                .then()
                .statusCode(400)
                .body("field", equalTo("tags"))
                .body("error", containsString("tag 'not;ok' must be"));
        given().multiPart("images", "a.png", TestData.png(32, 24), "image/png")
                .multiPart("tags", "x".repeat(40))
                .post("/api/upscale/batch")
                .then()
                .statusCode(400)
                .body("field", equalTo("tags"));
        assertEquals(jobs, TestData.count(dataSource, "jobs"), "nothing stored");
        cancel(upscale, batch);
    }

    private static void refused(String id, String body, String field, String message) {
        given().contentType(ContentType.JSON)
                .body(body)
                .patch("/api/jobs/" + id)
                .then()
                .statusCode(400)
                .body("field", equalTo(field))
                .body("error", containsString(message));
    }

    private static void cancel(String... ids) {
        for (String id : ids) {
            given().post("/api/jobs/" + id + "/cancel").then().statusCode(200);
        }
    }
}
