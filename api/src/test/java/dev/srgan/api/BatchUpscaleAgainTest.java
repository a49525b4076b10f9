package dev.srgan.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.srgan.embedded.EmbeddedServicesTestResource;
import dev.srgan.platform.blobs.BlobStore;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /api/upscale/batch} with {@code sourceJobId}: an earlier batch's images upscaled
 * again (another model, blend or output) without sending them again. Each image of the new batch
 * has its own copy and records the first upscale of its photo, so its Upscale page compares it
 * with its upscale in the first batch; anything but a batch with its images is refused with the
 * reason and nothing stored.
 */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class BatchUpscaleAgainTest {

    @Inject
    DataSource dataSource;

    @Inject
    BlobStore blobs;

    @BeforeEach
    void signIn() throws Exception {
        TestAuth.asAdmin();
        TestData.model(dataSource, 4, true);
        TestData.model(dataSource, 2, true);
    }

    private static String upload() throws Exception {
        return given().multiPart("images", "harbour.png", TestData.png(40, 30), "image/png")
                .multiPart("images", "dune.png", TestData.png(16, 24), "image/png")
                .multiPart("scale", "4")
                .when()
                .post("/api/upscale/batch")
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
                .post("/api/upscale/batch")
                .then()
                .statusCode(202)
                .body("count", equalTo(2))
                .extract()
                .path("id");
    }

    private static JsonPath batch(String id) {
        return given().get("/api/jobs/" + id).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void anEarlierBatchsImagesRunAgainWithOtherSettingsFromTheirOwnCopies() throws Exception {
        String first = upload();
        String second = again(first, "scale", "2", "format", "jpeg");
        JsonPath one = batch(first);
        JsonPath two = batch(second);
        assertEquals("2 images", two.getString("name"));
        assertEquals(2, two.getInt("params.scale"));
        assertEquals("jpeg", two.getString("params.format"));
        assertEquals(first, two.getString("params.sourceJobId"));
        assertEquals(List.of("harbour.png", "dune.png"), two.getList("batch.images.name"));
        assertEquals(List.of("harbour-x2.jpg", "dune-x2.jpg"), two.getList("batch.images.output"));
        List<String> firstImages = one.getList("batch.images.jobId");
        List<String> secondImages = two.getList("batch.images.jobId");
        for (int i = 0; i < 2; i++) {
            String image = secondImages.get(i);
            given().get("/api/jobs/" + image)
                    .then()
                    .body("params.sourceJobId", equalTo(firstImages.get(i)))
                    .body("params.scale", equalTo(2))
                    .body("params.inputWidth", equalTo(i == 0 ? 40 : 16))
                    .body("params.inputHeight", equalTo(i == 0 ? 30 : 24));
            String[] a = inputBlob(firstImages.get(i));
            String[] b = inputBlob(image);
            assertNotEquals(a[0], b[0], "its own copy of the image");
            assertEquals(a[1], b[1], "the same bytes (sha256)");
        }

        // a batch made from the second names the first, image by image too
        String third = again(second, "outscale", "3");
        assertEquals(first, batch(third).getString("params.sourceJobId"));
        List<String> thirdImages = batch(third).getList("batch.images.jobId");
        given().get("/api/jobs/" + thirdImages.get(0)).then().body("params.sourceJobId", equalTo(firstImages.get(0)));

        // the Upscale page of an image of one batch compares it with its upscale in another
        TestData.succeed(dataSource, blobs, firstImages.get(0), TestData.png(160, 120), "image/png", 160, 120);
        TestData.succeed(dataSource, blobs, secondImages.get(0), TestData.png(80, 60), "image/jpeg", 80, 60);
        given().get("/upscale/" + secondImages.get(0))
                .then()
                .statusCode(200)
                .body(containsString("or another upscale of it"))
                .body(containsString("data-src=\"/api/jobs/" + firstImages.get(0) + "/result\""));
        // the batch page's form runs the batch again, and it links the other batches of its photos
        given().get("/upscale/" + second)
                .then()
                .statusCode(200)
                .body(containsString("to upscale the <strong>2 images</strong> of this batch again"))
                .body(containsString("These photos in other batches: <a href=\"/upscale/" + third + "\""))
                .body(containsString(", 3×</a> · <a href=\"/upscale/" + first + "\""));

        // the first deleted, the others keep their images
        given().delete("/api/jobs/" + first).then().statusCode(409); // not ended: its images are queued
        TestData.exec(
                dataSource,
                "UPDATE jobs SET status = 'CANCELLED', finished_at = now() WHERE batch_id = ?::uuid",
                first);
        given().delete("/api/jobs/" + first).then().statusCode(200);
        String fourth = again(second, "scale", "4");
        assertEquals(first, batch(fourth).getString("params.sourceJobId"));
        assertEquals(
                inputBlob(secondImages.get(1))[1],
                inputBlob(batch(fourth).<String>getList("batch.images.jobId").get(1))[1]);
    }

    @Test
    void theSameIdempotencyKeyAndSourceReturnTheFirstBatch() throws Exception {
        String first = upload();
        String key = "batch-again-" + UUID.randomUUID();
        String one = given().header("Idempotency-Key", key)
                .multiPart("sourceJobId", first)
                .multiPart("scale", "2")
                .post("/api/upscale/batch")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        long jobs = TestData.count(dataSource, "jobs");
        given().header("Idempotency-Key", key)
                .multiPart("sourceJobId", first)
                .multiPart("scale", "2")
                .post("/api/upscale/batch")
                .then()
                .statusCode(202)
                .body("id", equalTo(one));
        assertEquals(jobs, TestData.count(dataSource, "jobs"));
    }

    @Test
    void anythingButABatchWithItsImagesIsRefused() throws Exception {
        String first = upload();
        long jobs = TestData.count(dataSource, "jobs");
        long stored = TestData.count(dataSource, "blobs");
        given().multiPart("sourceJobId", first)
                .multiPart("images", "x.png", TestData.png(8, 8), "image/png")
                .post("/api/upscale/batch")
                .then()
                .statusCode(400)
                .body("field", equalTo("sourceJobId"))
                .body("error", equalTo("send images (or a zip) or sourceJobId (an earlier batch's images), not both"));
        given().multiPart("scale", "4")
                .post("/api/upscale/batch")
                .then()
                .statusCode(400)
                .body("field", equalTo("images"))
                .body("error", containsString("or send sourceJobId to upscale an earlier batch's images again"));
        given().multiPart("sourceJobId", "harbour")
                .post("/api/upscale/batch")
                .then()
                .statusCode(400)
                .body("error", equalTo("sourceJobId must be a job id (UUID), got 'harbour'"));
        UUID missing = UUID.randomUUID();
        given().multiPart("sourceJobId", missing.toString())
                .post("/api/upscale/batch")
                .then()
                .statusCode(422)
                .body("field", equalTo("sourceJobId"))
                .body("error", equalTo("there is no job " + missing));
        String image = batch(first).<String>getList("batch.images.jobId").get(1);
        given().multiPart("sourceJobId", image)
                .post("/api/upscale/batch")
                .then()
                .statusCode(422)
                .body(
                        "error",
                        equalTo("job " + image + " is a single upscale; send it as sourceJobId to POST /api/upscale"));
        // today's limits hold: a batch-wide output the model cannot reach, named
        given().multiPart("sourceJobId", first)
                .multiPart("width", "100000")
                .post("/api/upscale/batch")
                .then()
                .statusCode(422);
        TestData.exec(dataSource, "UPDATE jobs SET input_blob_id = NULL WHERE id = ?::uuid", image);
        given().multiPart("sourceJobId", first)
                .post("/api/upscale/batch")
                .then()
                .statusCode(422)
                .body("error", equalTo("the image 'dune.png' of batch " + first + " is no longer stored"));
        assertEquals(jobs, TestData.count(dataSource, "jobs"));
        assertEquals(stored, TestData.count(dataSource, "blobs"));
    }

    /** The job's input blob: its id, sha256 and content type. */
    private String[] inputBlob(String job) throws Exception {
        return TestData.inputBlob(dataSource, job);
    }
}
