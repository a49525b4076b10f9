package dev.srgan.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.srgan.embedded.EmbeddedServicesTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code Idempotency-Key} on POST /api/upscale, /api/training and /api/datasets. */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class IdempotencyTest {
    @Inject
    DataSource dataSource;

    @BeforeEach
    void signIn() throws Exception {
        TestAuth.asAdmin();
        TestData.model(dataSource, 2, true);
    }

    private String upscale(String key, byte[] png) {
        return given().header("Idempotency-Key", key)
                .multiPart("image", "x.png", png, "image/png")
                .multiPart("scale", "2")
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
    }

    @Test
    void theSameUpscaleSentTwiceIsOneJob() throws Exception {
        byte[] png = TestData.png(16, 16);
        String key = "upscale-" + UUID.randomUUID();
        long jobs = TestData.count(dataSource, "jobs");
        long blobs = TestData.count(dataSource, "blobs");
        String first = upscale(key, png);
        String again = upscale(key, png);
        assertEquals(first, again, "the retry answers with the first job");
        assertEquals(jobs + 1, TestData.count(dataSource, "jobs"));
        assertEquals(blobs + 1, TestData.count(dataSource, "blobs"));

        // the same key with another image: 422, nothing stored
        given().header("Idempotency-Key", key)
                .multiPart("image", "x.png", TestData.png(17, 16), "image/png")
                .multiPart("scale", "2")
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(422)
                .body("field", equalTo("Idempotency-Key"))
                .body("error", containsString("already used for a different request"));
        // the same key with another scale
        given().header("Idempotency-Key", key)
                .multiPart("image", "x.png", png, "image/png")
                .multiPart("scale", "4")
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(422);
        assertEquals(jobs + 1, TestData.count(dataSource, "jobs"));
        assertEquals(blobs + 1, TestData.count(dataSource, "blobs"));
        // without a key, the same request is a new job
        given().multiPart("image", "x.png", png, "image/png")
                .multiPart("scale", "2")
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(202);
        assertEquals(jobs + 2, TestData.count(dataSource, "jobs"));
    }

    @Test
    void concurrentRequestsWithOneKeyCreateOneJob() throws Exception {
        byte[] png = TestData.png(20, 20);
        String key = "race-" + UUID.randomUUID();
        long jobs = TestData.count(dataSource, "jobs");
        List<CompletableFuture<String>> sent = List.of(
                CompletableFuture.supplyAsync(() -> upscale(key, png)),
                CompletableFuture.supplyAsync(() -> upscale(key, png)),
                CompletableFuture.supplyAsync(() -> upscale(key, png)));
        List<String> ids = sent.stream().map(CompletableFuture::join).distinct().toList();
        assertEquals(1, ids.size(), "one job for all: " + ids);
        assertEquals(jobs + 1, TestData.count(dataSource, "jobs"));
    }

    @Test
    void trainingAndDatasetsAreIdempotentToo() throws Exception {
        String key = "dataset-" + UUID.randomUUID();
        byte[] zip = TestData.zip("a.png", "b.png");
        long datasets = TestData.count(dataSource, "datasets");
        String ds = given().header("Idempotency-Key", key)
                .multiPart("file", "p.zip", zip, "application/zip")
                .multiPart("name", "p")
                .when()
                .post("/api/datasets")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        given().header("Idempotency-Key", key)
                .multiPart("file", "p.zip", zip, "application/zip")
                .multiPart("name", "p")
                .when()
                .post("/api/datasets")
                .then()
                .statusCode(201)
                .body("id", equalTo(ds))
                .body("imageCount", equalTo(2));
        assertEquals(datasets + 1, TestData.count(dataSource, "datasets"));

        String body = "{\"datasetId\":\"" + ds
                + "\",\"hyperparameters\":{\"scale\":2,\"residualBlocks\":1,\"hrCropSize\":32,\"pretrainSteps\":10,\"ganSteps\":0}}";
        String runKey = "run-" + UUID.randomUUID();
        long runs = TestData.count(dataSource, "training_runs");
        String run = given().header("Idempotency-Key", runKey)
                .contentType(ContentType.JSON)
                .body(body)
                .when()
                .post("/api/training")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        given().header("Idempotency-Key", runKey)
                .contentType(ContentType.JSON)
                .body(body.replace(":", ": "))
                .when()
                .post("/api/training")
                .then()
                .statusCode(202)
                .body("id", equalTo(run))
                .body("totalSteps", equalTo(10));
        given().header("Idempotency-Key", runKey)
                .contentType(ContentType.JSON)
                .body(body.replace("\"pretrainSteps\":10", "\"pretrainSteps\":11"))
                .when()
                .post("/api/training")
                .then()
                .statusCode(422)
                .body("error", containsString(runKey));
        // a key is the caller's: used on another endpoint it is another request
        given().header("Idempotency-Key", key)
                .contentType(ContentType.JSON)
                .body(body)
                .when()
                .post("/api/training")
                .then()
                .statusCode(422);
        assertEquals(runs + 1, TestData.count(dataSource, "training_runs"));
        given().header("Idempotency-Key", "k".repeat(256))
                .contentType(ContentType.JSON)
                .body(body)
                .when()
                .post("/api/training")
                .then()
                .statusCode(400)
                .body("error", containsString("1 to 255 characters"));
    }

    @Test
    void keysAreForgottenAfter24Hours() throws Exception {
        byte[] png = TestData.png(18, 18);
        String key = "old-" + UUID.randomUUID();
        String first = upscale(key, png);
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = ?")) {
            ps.setString(1, key);
            assertEquals(1, ps.executeUpdate());
        }
        String later = upscale(key, png);
        assertEquals(false, first.equals(later), "an expired key is a new request");
    }
}
