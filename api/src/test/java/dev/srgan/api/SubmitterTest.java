package dev.srgan.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.srgan.embedded.EmbeddedServicesTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Who submitted a job: the name of the token that did, on the job, in its history and as a filter
 * of the jobs list (API and dashboard); a batch's images carry their batch's submitter.
 */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class SubmitterTest {
    @Inject
    DataSource dataSource;

    private static final String ADMIN = "Bearer " + TestAuth.ADMIN_TOKEN;

    @BeforeEach
    void credentialsPerRequest() {
        TestAuth.anonymous();
    }

    private static RequestSpecification as(String authorization) {
        return given().header("Authorization", authorization);
    }

    @Test
    void aJobRecordsTheTokenThatSubmittedItAndTheListFiltersByIt() throws Exception {
        TestData.model(dataSource, 2, true);
        String name = "render farm " + UUID.randomUUID().toString().substring(0, 8);
        String bot = "Bearer " + SecurityTest.token(name, "OPERATOR");
        String single = as(bot).multiPart("image", "x.png", TestData.png(16, 16), "image/png")
                .multiPart("scale", "2")
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        String batch = as(bot).multiPart("images", "a.png", TestData.png(16, 16), "image/png")
                .multiPart("images", "b.png", TestData.png(12, 12), "image/png")
                .multiPart("scale", "2")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        // someone else's job
        String admins = as(ADMIN)
                .multiPart("image", "y.png", TestData.png(16, 16), "image/png")
                .multiPart("scale", "2")
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .extract()
                .path("id");

        as(ADMIN).get("/api/jobs/" + single).then().body("submittedBy", equalTo(name));
        as(ADMIN).get("/api/jobs/" + admins).then().body("submittedBy", equalTo("bootstrap admin"));
        List<String> images =
                as(ADMIN).get("/api/jobs/" + batch).then().extract().jsonPath().getList("batch.images.jobId");
        as(ADMIN).get("/api/jobs/" + batch).then().body("submittedBy", equalTo(name));
        for (String image : images) {
            as(ADMIN).get("/api/jobs/" + image).then().body("submittedBy", equalTo(name));
        }
        as(ADMIN).get("/api/jobs/" + single + "/events").then().body("[0].message", equalTo("submitted by " + name));
        as(ADMIN)
                .get("/api/jobs/" + batch + "/events")
                .then()
                .body("[0].message", equalTo("submitted by " + name + ": 2 images"));

        // the list, filtered: the two jobs it submitted (the batch's images are under the batch)
        as(ADMIN)
                .queryParam("submittedBy", name)
                .get("/api/jobs")
                .then()
                .statusCode(200)
                .body("total", equalTo(2))
                .body("items.id", equalTo(List.of(batch, single)))
                .body("items.submittedBy", everyItem(equalTo(name)));
        // the token's own jobs without knowing its name, and its name
        as(bot).queryParam("mine", "true")
                .get("/api/jobs")
                .then()
                .statusCode(200)
                .body("items.id", equalTo(List.of(batch, single)));
        as(bot).get("/api/me")
                .then()
                .statusCode(200)
                .body("name", equalTo(name))
                .body("role", equalTo("OPERATOR"));
        as(bot).queryParam("mine", "yes")
                .get("/api/jobs")
                .then()
                .statusCode(400)
                .body("field", equalTo("mine"));
        as(bot).queryParam("mine", "true")
                .queryParam("submittedBy", name)
                .get("/api/jobs")
                .then()
                .statusCode(400)
                .body("error", equalTo("give submittedBy or mine=true, not both"));
        as(ADMIN)
                .queryParam("submittedBy", "nobody " + UUID.randomUUID())
                .get("/api/jobs")
                .then()
                .body("total", equalTo(0));

        // cancelling and retrying name who did it in the job's history
        as(bot).post("/api/jobs/" + single + "/cancel").then().statusCode(200);
        as(ADMIN).post("/api/jobs/" + single + "/retry").then().statusCode(202);
        as(ADMIN).post("/api/jobs/" + batch + "/cancel").then().statusCode(200);
        as(ADMIN)
                .get("/api/jobs/" + single + "/events")
                .then()
                .body("message", hasItems("cancelled by " + name + " while queued", "retried by bootstrap admin"));
        as(ADMIN)
                .get("/api/jobs/" + batch + "/events")
                .then()
                .body(
                        "message",
                        hasItem(startsWith("cancel requested by bootstrap admin: its queued images are cancelled")));

        // the dashboard: a column, a filter naming the submitters, and a link from the job's page
        String page = as(ADMIN)
                .queryParam("by", name)
                .get("/jobs")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertEquals(2, page.split("data-job-id=").length - 1, "two rows: " + page);
        as(ADMIN).get("/jobs").then().body(containsString("<option value=\"" + name + "\">" + name + "</option>"));
        as(ADMIN)
                .get("/jobs/" + single)
                .then()
                .body(containsString("by <a href=\"/jobs?by=" + name.replace(" ", "+") + "\">" + name + "</a>"));
        as(ADMIN)
                .queryParam("by", name)
                .get("/jobs")
                .then()
                .body(not(containsString("data-job-id=\"" + admins + "\"")));
    }

    @Test
    void trainingRunsAndEachRunOfASweepRecordTheirSubmitter() throws Exception {
        String name = "researcher " + UUID.randomUUID().toString().substring(0, 8);
        String researcher = "Bearer " + SecurityTest.token(name, "OPERATOR");
        String dataset = TestData.dataset(as(researcher), "submitter photos");
        String tiny =
                "{\"scale\": 2, \"residualBlocks\": 1, \"hrCropSize\": 24, \"pretrainSteps\": 4, \"ganSteps\": 0}";
        String run = as(researcher)
                .contentType(ContentType.JSON)
                .body("{\"datasetId\": \"" + dataset + "\", \"hyperparameters\": " + tiny + "}")
                .when()
                .post("/api/training")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        as(ADMIN).get("/api/jobs/" + run).then().body("submittedBy", equalTo(name));
        List<String> runs = as(researcher)
                .contentType(ContentType.JSON)
                .body("{\"datasetId\": \"" + dataset + "\", \"hyperparameters\": " + tiny
                        + ", \"grid\": {\"batchSize\": [1, 2]}}")
                .when()
                .post("/api/training/sweeps")
                .then()
                .statusCode(202)
                .extract()
                .jsonPath()
                .getList("jobIds");
        for (String r : runs) {
            as(ADMIN).get("/api/jobs/" + r).then().body("submittedBy", equalTo(name));
        }
        as(ADMIN)
                .queryParam("submittedBy", name)
                .queryParam("type", "TRAINING")
                .get("/api/jobs")
                .then()
                .body("total", equalTo(3));
    }
}
