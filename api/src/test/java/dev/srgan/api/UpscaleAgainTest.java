package dev.srgan.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.embedded.EmbeddedServicesTestResource;
import dev.srgan.platform.blobs.BlobStore;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /api/upscale} with {@code sourceJobId}: an earlier upscale's image upscaled again
 * (another model, blend or output) without sending it again. The new job has its own copy of the
 * image, every upscale of one photo records the first as its source, and anything but a single
 * upscale with its image is refused with the reason and nothing stored.
 */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class UpscaleAgainTest {

    @Inject
    DataSource dataSource;

    @Inject
    BlobStore blobs;

    @io.quarkus.test.common.http.TestHTTPResource("/api/events")
    URI events;

    @BeforeEach
    void signIn() throws Exception {
        TestAuth.asAdmin();
        TestData.model(dataSource, 4, true);
        TestData.model(dataSource, 2, true);
    }

    private static String upload() throws Exception {
        return given().multiPart("image", "harbour.png", TestData.png(40, 30), "image/png")
                .multiPart("scale", "4")
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
    }

    private static String again(String source, String... fields) {
        var request = given().multiPart("sourceJobId", source);
        for (int i = 0; i < fields.length; i += 2) {
            request = request.multiPart(fields[i], fields[i + 1]);
        }
        return request.when()
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
    }

    @Test
    void anEarlierUpscalesImageRunsAgainWithOtherSettingsFromItsOwnCopy() throws Exception {
        String first = upload();
        String second = again(first, "scale", "2", "format", "jpeg");
        given().get("/api/jobs/" + second)
                .then()
                .statusCode(200)
                .body("status", equalTo("QUEUED"))
                .body("inputName", equalTo("harbour.png"))
                .body("name", equalTo("harbour.png"))
                .body("params.scale", equalTo(2))
                .body("params.format", equalTo("jpeg"))
                .body("params.inputWidth", equalTo(40))
                .body("params.inputHeight", equalTo(30))
                .body("params.sourceJobId", equalTo(first));
        String[] a = inputBlob(first);
        String[] b = inputBlob(second);
        assertNotEquals(a[0], b[0], "its own copy of the image");
        assertEquals(a[1], b[1], "the same bytes (sha256)");
        assertEquals("image/png", b[2]);

        // an upscale of the second names the first: every upscale of the photo shares one source
        String third = again(second, "outscale", "3");
        given().get("/api/jobs/" + third).then().body("params.sourceJobId", equalTo(first));

        // the Upscale page of one offers the others that succeeded to compare with, and its form runs the photo again
        TestData.succeed(dataSource, blobs, first, TestData.png(160, 120), "image/png", 160, 120);
        TestData.succeed(dataSource, blobs, third, TestData.png(120, 90), "image/png", 120, 90);
        TestData.succeed(dataSource, blobs, second, TestData.png(80, 60), "image/jpeg", 80, 60);
        given().get("/upscale/" + second)
                .then()
                .statusCode(200)
                .body(containsString("to upscale <strong>harbour.png</strong> again with the settings below"))
                .body(containsString("or another upscale of it"))
                .body(containsString("data-baseline=\"job\" data-src=\"/api/jobs/" + third + "/result\""))
                .body(containsString("data-src=\"/api/jobs/" + first + "/result\""))
                .body(containsString(", 3×\">"))
                .body(containsString("data-photo=\"" + first + "\"")); // the page follows the photo's upscales
        // the first deleted, the others keep their images
        given().delete("/api/jobs/" + first).then().statusCode(200);
        assertEquals(a[1], inputBlob(second)[1]);
        String fourth = again(second, "scale", "4");
        given().get("/api/jobs/" + fourth).then().body("params.sourceJobId", equalTo(first));
    }

    @Test
    void theEventsOfAPhotosUpscalesNameItsFirstUpscaleAndCanBeFollowedAlone() throws Exception {
        String first = upload();
        String other = upload(); // another photo: its events are not the first's
        CompletableFuture<List<String>> seen = cancellations("?sourceJobId=" + first, 2);
        // both filters: the events of either (an Upscale page's one stream: its job and its photo's)
        CompletableFuture<List<String>> either = cancellations("?jobId=" + other + "&sourceJobId=" + first, 3);
        Thread.sleep(500);
        given().post("/api/jobs/" + other + "/cancel").then().statusCode(200);
        String second = again(first, "scale", "2");
        given().post("/api/jobs/" + second + "/cancel").then().statusCode(200);
        given().post("/api/jobs/" + first + "/cancel").then().statusCode(200);
        List<String> events = seen.get(15, TimeUnit.SECONDS);
        assertTrue(events.get(0).contains("\"jobId\" : \"" + second + "\""), events.toString());
        assertTrue(events.get(0).contains("\"sourceJobId\" : \"" + first + "\""), events.toString());
        assertTrue(events.get(1).contains("\"jobId\" : \"" + first + "\""), events.toString());

        List<String> both = either.get(15, TimeUnit.SECONDS);
        assertTrue(both.get(0).contains("\"jobId\" : \"" + other + "\""), both.toString());
        assertTrue(both.get(1).contains("\"jobId\" : \"" + second + "\""), both.toString());
        assertTrue(both.get(2).contains("\"jobId\" : \"" + first + "\""), both.toString());
    }

    /** The first {@code count} CANCELLED events of a stream of {@code /api/events} with {@code query}. */
    private CompletableFuture<List<String>> cancellations(String query, int count) throws Exception {
        HttpResponse<Stream<String>> r = HttpClient.newHttpClient()
                .sendAsync(
                        HttpRequest.newBuilder(URI.create(events + query))
                                .header("Authorization", "Bearer " + TestAuth.ADMIN_TOKEN)
                                .build(),
                        HttpResponse.BodyHandlers.ofLines())
                .get(10, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode());
        return CompletableFuture.supplyAsync(() -> r.body()
                .filter(l -> l.startsWith("data:") && l.contains("CANCELLED"))
                .limit(count)
                .toList());
    }

    @Test
    void theSameIdempotencyKeyAndSourceReturnTheFirstJob() throws Exception {
        String first = upload();
        String key = "again-" + UUID.randomUUID();
        String one = given().header("Idempotency-Key", key)
                .multiPart("sourceJobId", first)
                .multiPart("scale", "2")
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        long jobs = TestData.count(dataSource, "jobs");
        given().header("Idempotency-Key", key)
                .multiPart("sourceJobId", first)
                .multiPart("scale", "2")
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .body("id", equalTo(one));
        assertEquals(jobs, TestData.count(dataSource, "jobs"));
    }

    @Test
    void anythingButASingleUpscaleWithItsImageIsRefused() throws Exception {
        String first = upload();
        long jobs = TestData.count(dataSource, "jobs");
        long stored = TestData.count(dataSource, "blobs");
        given().multiPart("sourceJobId", first)
                .multiPart("image", "x.png", TestData.png(8, 8), "image/png")
                .post("/api/upscale")
                .then()
                .statusCode(400)
                .body("field", equalTo("sourceJobId"))
                .body("error", equalTo("send an image or sourceJobId (an earlier upscale's image), not both"));
        given().multiPart("scale", "4")
                .post("/api/upscale")
                .then()
                .statusCode(400)
                .body("field", equalTo("image"))
                .body("error", containsString("or send sourceJobId to upscale an earlier upscale's image again"));
        given().multiPart("sourceJobId", "harbour")
                .post("/api/upscale")
                .then()
                .statusCode(400)
                .body("field", equalTo("sourceJobId"))
                .body("error", equalTo("sourceJobId must be a job id (UUID), got 'harbour'"));
        UUID missing = UUID.randomUUID();
        given().multiPart("sourceJobId", missing.toString())
                .post("/api/upscale")
                .then()
                .statusCode(422)
                .body("field", equalTo("sourceJobId"))
                .body("error", equalTo("there is no job " + missing));
        assertEquals(jobs, TestData.count(dataSource, "jobs"));
        assertEquals(stored, TestData.count(dataSource, "blobs"));
        String batch = given().multiPart("images", "a.png", TestData.png(16, 16), "image/png")
                .multiPart("images", "b.png", TestData.png(16, 16), "image/png")
                .post("/api/upscale/batch")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        given().multiPart("sourceJobId", batch)
                .post("/api/upscale")
                .then()
                .statusCode(422)
                .body("error", containsString("is a batch; send the job of one of its images"));
        String dataset = TestData.dataset(given(), "again " + UUID.randomUUID());
        UUID training = UUID.randomUUID();
        TestData.exec(
                dataSource,
                "INSERT INTO jobs (id, type, status, params, dataset_id) VALUES (?, 'TRAINING', 'QUEUED', '{}'::jsonb, ?)",
                training,
                UUID.fromString(dataset));
        given().multiPart("sourceJobId", training.toString())
                .post("/api/upscale")
                .then()
                .statusCode(422)
                .body("error", equalTo("job " + training + " is a TRAINING job, not an upscale"));
        jobs = TestData.count(dataSource, "jobs"); // the batch and the training row above
        stored = TestData.count(dataSource, "blobs");
        TestData.exec(dataSource, "UPDATE jobs SET input_blob_id = NULL WHERE id = ?::uuid", first);
        given().multiPart("sourceJobId", first)
                .post("/api/upscale")
                .then()
                .statusCode(422)
                .body("error", equalTo("the image of job " + first + " is no longer stored"));
        assertEquals(jobs, TestData.count(dataSource, "jobs"));
        assertEquals(stored, TestData.count(dataSource, "blobs"));
    }

    /** The job's input blob: its id, sha256 and content type. */
    private String[] inputBlob(String job) throws Exception {
        return TestData.inputBlob(dataSource, job);
    }
}
