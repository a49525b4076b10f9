package dev.srgan.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.srgan.embedded.EmbeddedServicesTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A token's limit of jobs queued or running at once ({@code maxActiveJobs}). */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class QuotaTest {
    private static final String ADMIN = "Bearer " + TestAuth.ADMIN_TOKEN;

    @Inject
    DataSource dataSource;

    @BeforeEach
    void anonymous() {
        TestAuth.anonymous();
    }

    /** A new operator token under a fresh name, with its own limit; returns {id, bearer header}. */
    private static String[] operator(Integer maxActiveJobs) {
        Map<String, Object> body = new HashMap<>(Map.of("name", "quota-" + UUID.randomUUID(), "role", "OPERATOR"));
        body.put("maxActiveJobs", maxActiveJobs);
        var created = given().header("Authorization", ADMIN)
                .contentType(ContentType.JSON)
                .body(body)
                .post("/api/tokens")
                .then()
                .statusCode(201)
                .body("maxActiveJobs", maxActiveJobs == null ? nullValue() : equalTo(maxActiveJobs))
                .extract();
        return new String[] {created.path("id"), "Bearer " + created.path("token")};
    }

    private String dataset(String bearer) throws Exception {
        return TestData.dataset(given().header("Authorization", bearer), "quota");
    }

    private static final String TINY =
            "{\"scale\":2,\"residualBlocks\":1,\"hrCropSize\":24,\"pretrainSteps\":10,\"ganSteps\":0}";

    private static String run(String datasetId) {
        return "{\"datasetId\":\"" + datasetId + "\",\"hyperparameters\":" + TINY + "}";
    }

    /** A sweep of two runs. */
    private static String sweep(String datasetId) {
        return "{\"datasetId\":\"" + datasetId + "\",\"hyperparameters\":" + TINY
                + ",\"grid\":{\"learningRateG\":[0.001,0.0001]}}";
    }

    @Test
    void submissionsPastTheTokensLimitAreRefusedUntilJobsEnd() throws Exception {
        String[] token = operator(2);
        String bearer = token[1];
        String datasetId = dataset(bearer);
        String first = submit(bearer, run(datasetId), 202);
        submit(bearer, run(datasetId), 202);
        long jobs = TestData.count(dataSource, "jobs");

        given().header("Authorization", bearer)
                .contentType(ContentType.JSON)
                .body(run(datasetId))
                .post("/api/training")
                .then()
                .statusCode(429)
                .body(
                        "error",
                        containsString("has 2 jobs queued or running and may have at most 2 at once; this training"
                                + " run would add 1"));
        // a sweep counts each of its runs: 2 more would pass the limit even after one ends
        given().header("Authorization", ADMIN)
                .post("/api/jobs/" + first + "/cancel")
                .then()
                .statusCode(200);
        given().header("Authorization", bearer)
                .contentType(ContentType.JSON)
                .body(sweep(datasetId))
                .post("/api/training/sweeps")
                .then()
                .statusCode(429)
                .body("error", containsString("this sweep of 2 runs would add 2"));
        assertEquals(jobs, TestData.count(dataSource, "jobs"), "nothing stored for the refused submissions");

        given().header("Authorization", bearer)
                .get("/api/me")
                .then()
                .statusCode(200)
                .body("maxActiveJobs", equalTo(2))
                .body("activeJobs", equalTo(1));

        // one ended: one more fits
        submit(bearer, run(datasetId), 202);

        // the admin raises the limit: the sweep fits
        given().header("Authorization", ADMIN)
                .contentType(ContentType.JSON)
                .body(Map.of("maxActiveJobs", 4))
                .patch("/api/tokens/" + token[0])
                .then()
                .statusCode(200)
                .body("maxActiveJobs", equalTo(4));
        given().header("Authorization", bearer)
                .contentType(ContentType.JSON)
                .body(sweep(datasetId))
                .post("/api/training/sweeps")
                .then()
                .statusCode(202);
        // another submitter is not held back by this one's jobs
        submit(operator(1)[1], run(datasetId), 202);
    }

    /** Parallel submissions of one submitter are counted one after the other: together they stay within the limit. */
    @Test
    void parallelSubmissionsCannotPassTheLimitTogether() throws Exception {
        String bearer = operator(3)[1];
        String datasetId = dataset(bearer);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            java.util.List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(pool.submit(() -> given().header("Authorization", bearer)
                        .contentType(ContentType.JSON)
                        .body(run(datasetId))
                        .post("/api/training")
                        .statusCode()));
            }
            java.util.List<Integer> codes = new java.util.ArrayList<>();
            for (var answer : answers) {
                codes.add(answer.get());
            }
            assertEquals(3, codes.stream().filter(c -> c == 202).count(), codes.toString());
            assertEquals(5, codes.stream().filter(c -> c == 429).count(), codes.toString());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aBatchCountsEachOfItsImages() throws Exception {
        String bearer = operator(3)[1];
        byte[] png = TestData.png(24, 24);
        long jobs = TestData.count(dataSource, "jobs");
        given().header("Authorization", bearer)
                .multiPart("images", "a.png", png, "image/png")
                .multiPart("images", "b.png", png, "image/png")
                .multiPart("images", "c.png", png, "image/png")
                .multiPart("images", "d.png", png, "image/png")
                .post("/api/upscale/batch")
                .then()
                .statusCode(429)
                .body(
                        "error",
                        containsString("has 0 jobs queued or running and may have at most 3 at once; this batch"
                                + " of 4 images would add 4"));
        assertEquals(jobs, TestData.count(dataSource, "jobs"), "nothing stored");
        given().header("Authorization", bearer)
                .multiPart("images", "a.png", png, "image/png")
                .multiPart("images", "b.png", png, "image/png")
                .post("/api/upscale/batch")
                .then()
                .statusCode(202);
        given().header("Authorization", bearer)
                .multiPart("image", "e.png", png, "image/png")
                .post("/api/upscale")
                .then()
                .statusCode(202);
        given().header("Authorization", bearer)
                .multiPart("image", "f.png", png, "image/png")
                .post("/api/upscale")
                .then()
                .statusCode(429)
                .body(
                        "error",
                        containsString("has 3 jobs queued or running and may have at most 3 at once; this"
                                + " upscale would add 1"));
    }

    @Test
    void aTokenWithoutItsOwnLimitHasTheClustersAndLimitsAreChecked() {
        String[] token = operator(null);
        given().header("Authorization", ADMIN)
                .get("/api/tokens")
                .then()
                .statusCode(200)
                .body("find { it.id == '" + token[0] + "' }.maxActiveJobs", nullValue());
        for (Object bad : new Object[] {-1, 1_000_001}) {
            given().header("Authorization", ADMIN)
                    .contentType(ContentType.JSON)
                    .body(Map.of("maxActiveJobs", bad))
                    .patch("/api/tokens/" + token[0])
                    .then()
                    .statusCode(400)
                    .body("field", equalTo("maxActiveJobs"))
                    .body("error", containsString("maxActiveJobs must be from 0 to 1000000"));
            given().header("Authorization", ADMIN)
                    .contentType(ContentType.JSON)
                    .body(Map.of("name", "bad limit", "role", "VIEWER", "maxActiveJobs", bad))
                    .post("/api/tokens")
                    .then()
                    .statusCode(400)
                    .body("field", equalTo("maxActiveJobs"));
        }
        given().header("Authorization", ADMIN)
                .contentType(ContentType.JSON)
                .body(Map.of("maxActiveJobs", 3))
                .patch("/api/tokens/" + UUID.randomUUID())
                .then()
                .statusCode(404);
        // an operator cannot change its own limit
        given().header("Authorization", token[1])
                .contentType(ContentType.JSON)
                .body(Map.of("maxActiveJobs", 1000))
                .patch("/api/tokens/" + token[0])
                .then()
                .statusCode(403);
        // back to the cluster's
        Map<String, Object> none = new HashMap<>();
        none.put("maxActiveJobs", null);
        given().header("Authorization", ADMIN)
                .contentType(ContentType.JSON)
                .body(none)
                .patch("/api/tokens/" + token[0])
                .then()
                .statusCode(200)
                .body("maxActiveJobs", nullValue());
        given().header("Authorization", ADMIN)
                .get("/admin")
                .then()
                .statusCode(200)
                .body(containsString("form class=\"token-limit"));
    }

    private static String submit(String bearer, String body, int status) {
        return given().header("Authorization", bearer)
                .contentType(ContentType.JSON)
                .body(body)
                .post("/api/training")
                .then()
                .statusCode(status)
                .extract()
                .path("id");
    }
}
