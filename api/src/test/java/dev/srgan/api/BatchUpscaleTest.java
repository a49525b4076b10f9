package dev.srgan.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.domain.jobs.JobType;
import dev.srgan.embedded.EmbeddedServicesTestResource;
import dev.srgan.platform.KafkaSettings;
import dev.srgan.platform.blobs.BlobStore;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /api/upscale/batch}: several images or a zip become one BATCH job with one UPSCALE
 * job per image; a bad batch is refused naming the image and stores nothing; the batch follows its
 * images (the roll-up of migration V8: the images' outcomes are written here with SQL, as a worker
 * writes them, since the api tests run no worker), is cancelled and retried with them, and serves
 * a zip of their PNGs.
 */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class BatchUpscaleTest {
    private static final List<String> TABLES = List.of("jobs", "blobs", "batches");

    @Inject
    DataSource dataSource;

    @Inject
    BlobStore blobs;

    @Inject
    KafkaSettings kafka;

    @BeforeEach
    void setUp() throws Exception {
        TestAuth.asAdmin();
        TestData.model(dataSource, 4, true);
        TestData.model(dataSource, 2, true);
    }

    @Test
    void imagePartsBecomeOneBatchWithOneQueuedUpscalePerImage() throws Exception {
        JsonPath submitted = given().multiPart("images", "a.png", TestData.png(32, 24), "image/png")
                .multiPart("images", "b.jpg", jpeg(20, 20), "image/jpeg")
                .multiPart("images", "a.png", TestData.png(16, 16), "image/png")
                .multiPart("scale", "4")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(202)
                .contentType(ContentType.JSON)
                .body("status", equalTo("QUEUED"))
                .body("count", equalTo(3))
                .body("url", startsWith("/api/jobs/"))
                .extract()
                .jsonPath();
        String id = submitted.getString("id");

        JsonPath batch = given().when()
                .get("/api/jobs/" + id)
                .then()
                .statusCode(200)
                .body("type", equalTo("BATCH"))
                .body("status", equalTo("QUEUED"))
                .body("params.scale", equalTo(4))
                .body("batch.count", equalTo(3))
                .body("batch.succeeded", equalTo(0))
                .body("batch.failed", equalTo(0))
                .body("batch.resultUrl", equalTo(null))
                .extract()
                .jsonPath();
        assertEquals(List.of("a.png", "b.jpg", "a.png"), batch.getList("batch.images.name"));
        assertEquals(
                List.of("a-x4.png", "b-x4.png", "a-x4-2.png"),
                batch.getList("batch.images.output"),
                "clashing names are told apart");
        assertEquals(List.of("QUEUED", "QUEUED", "QUEUED"), batch.getList("batch.images.status"));
        List<String> images = batch.getList("batch.images.jobId");
        for (String image : images) {
            given().when()
                    .get("/api/jobs/" + image)
                    .then()
                    .statusCode(200)
                    .body("type", equalTo("UPSCALE"))
                    .body("status", equalTo("QUEUED"))
                    .body("params.scale", equalTo(4));
        }
        given().when()
                .get("/api/jobs/" + images.get(1))
                .then()
                .body("params.inputWidth", equalTo(20))
                .body("inputName", equalTo("b.jpg"));
        Map<String, Integer> messages = upscaleMessages(images, 1);
        for (String image : images) {
            assertEquals(1, messages.get(image), "each image is its own message on the bulk upscale topic");
        }
        assertEquals(
                0, count("SELECT count(*) FROM job_events WHERE job_id = ?::uuid AND message LIKE 'attempt%'", id));

        // the Jobs list shows the batch, not its images
        List<String> listed = given().queryParam("size", 200)
                .when()
                .get("/api/jobs")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("items.id");
        assertTrue(listed.contains(id), "the batch is listed");
        assertTrue(images.stream().noneMatch(listed::contains), "its images are not");
        given().queryParam("type", "BATCH")
                .when()
                .get("/api/jobs")
                .then()
                .statusCode(200)
                .body("items[0].id", equalTo(id));

        // nothing to download yet
        given().when()
                .get("/api/jobs/" + id + "/result")
                .then()
                .statusCode(409)
                .body("error", containsString("its zip can be downloaded when every image has finished"));
    }

    @Test
    void aZipBecomesABatchOfItsImageEntries() throws Exception {
        byte[] zip = zip(Map.of(
                "trip/beach.png",
                TestData.png(24, 24),
                "trip/dune.jpg",
                jpeg(24, 16),
                "notes.txt",
                "hello".getBytes(),
                "__MACOSX/trip/._beach.png",
                "junk".getBytes(),
                "trip/",
                new byte[0]));
        String id = given().multiPart("file", "trip.zip", zip, "application/zip")
                .multiPart("scale", "2")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(202)
                .body("count", equalTo(2))
                .extract()
                .path("id");
        JsonPath batch = given().when()
                .get("/api/jobs/" + id)
                .then()
                .statusCode(200)
                .body("inputName", equalTo("trip.zip"))
                .body("name", equalTo("trip.zip (2 images)"))
                .extract()
                .jsonPath();
        assertEquals(List.of("trip/beach.png", "trip/dune.jpg"), batch.getList("batch.images.name"));
        assertEquals(List.of("beach-x2.png", "dune-x2.png"), batch.getList("batch.images.output"));
    }

    @Test
    void everyBadBatchGetsAClear4xxNamingTheImageAndStoresNothing() throws Exception {
        UUID x2 = TestData.model(dataSource, 2, false);
        Map<String, Long> before = counts();
        byte[] png = TestData.png(16, 16);

        // nothing, or both kinds at once
        given().multiPart("scale", "4")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(400)
                .body("field", equalTo("images"))
                .body("error", containsString("choose the images"));
        given().multiPart("images", "a.png", png, "image/png")
                .multiPart("file", "b.zip", zip(Map.of("b.png", png)), "application/zip")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(400)
                .body("error", containsString("not both"));
        // a zip without images, and one that is no zip
        given().multiPart("file", "empty.zip", zip(Map.of("readme.txt", "x".getBytes())), "application/zip")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(422)
                .body("field", equalTo("file"))
                .body("error", containsString("'empty.zip' holds no PNG, JPEG, WebP or TIFF images"));
        given().multiPart("file", "fake.zip", "not a zip".getBytes(), "application/zip")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(400)
                .body("error", containsString("not a readable zip"));

        // too many images, as parts and in a zip
        RequestSpecification many = given();
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < 101; i++) {
            many.multiPart("images", "p" + i + ".png", png, "image/png");
            entries.put("p" + i + ".png", png);
        }
        many.multiPart("scale", "4")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(413)
                .body("field", equalTo("images"))
                .body(
                        "error",
                        equalTo(
                                "a batch may hold at most 100 images (srgan.upload.batch.max-images); this one has 101"));
        given().multiPart("file", "many.zip", zip(entries), "application/zip")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(413)
                .body("error", containsString("this one has 101"));

        // one bad image among good ones is named: truncated, another format, a decompression bomb, a zip entry
        byte[] cut = Arrays.copyOf(png, png.length - 20);
        given().multiPart("images", "good.png", png, "image/png")
                .multiPart("images", "cut.png", cut, "image/png")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(400)
                .body("field", equalTo("images"))
                .body("error", containsString("'cut.png' is not a whole PNG image: it is truncated"));
        given().multiPart("images", "good.png", png, "image/png")
                .multiPart("images", "anim.gif", TestData.gif(), "image/gif")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(415)
                .body("error", containsString("'anim.gif' is a GIF image"));
        given().multiPart("images", "good.png", png, "image/png")
                .multiPart("images", "bomb.png", TestData.pngHeaderOnly(30000, 30000), "image/png")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(413)
                .body("error", containsString("'bomb.png' is 30000x30000"));
        given().multiPart(
                        "file",
                        "set.zip",
                        zip(Map.of("ok.png", png, "photos/disguised.png", TestData.gif())),
                        "application/zip")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(415)
                .body("field", equalTo("file"))
                .body("error", containsString("'photos/disguised.png' is a GIF image"));
        given().multiPart("file", "set.zip", zip(Map.of("ok.png", png, "photos/cut.png", cut)), "application/zip")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(400)
                .body("error", containsString("'photos/cut.png' is not a whole PNG image"));

        // each image fits, all of them together are too many pixels (7 x 16 MP > 100 MP); and one output too large
        RequestSpecification large = given().multiPart("scale", "2");
        byte[] sixteen = pngClaiming(4000, 4000);
        for (int i = 1; i <= 7; i++) {
            large.multiPart("images", "big" + i + ".png", sixteen, "image/png");
        }
        large.when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(413)
                .body("field", equalTo("images"))
                .body(
                        "error",
                        equalTo(
                                "the images add up to more than 100.0 megapixels (at 'big7.png'); a batch may hold at most "
                                        + "100.0 megapixels (srgan.upload.batch.max-total-pixels)"));
        given().multiPart("images", "good.png", png, "image/png")
                .multiPart("images", "big.png", sixteen, "image/png")
                .multiPart("scale", "4")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(413)
                .body("error", containsString("'big.png' is 4000x4000: at 4x it would be 16000x16000"));

        // scale and model as for a single upscale
        given().multiPart("images", "a.png", png, "image/png")
                .multiPart("scale", "3")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(400)
                .body("field", equalTo("scale"))
                .body(
                        "error",
                        equalTo("scale must be 2, 4 or 8, got '3'; for a result 3 times the size, send outscale=3"
                                + " (the model of the next scale up, then resized)"));
        given().multiPart("images", "a.png", png, "image/png")
                .multiPart("modelId", "nope")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(400)
                .body("field", equalTo("modelId"));
        given().multiPart("images", "a.png", png, "image/png")
                .multiPart("images", "b.png", png, "image/png")
                .multiPart("modelId", UUID.randomUUID().toString())
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(422)
                .body("field", equalTo("modelId"));
        given().multiPart("images", "a.png", png, "image/png")
                .multiPart("modelId", x2.toString())
                .multiPart("scale", "4")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(422)
                .body("field", equalTo("modelId"));

        assertEquals(before, counts(), "no refused batch stored anything");
    }

    @Test
    void theSameBatchSentTwiceWithAnIdempotencyKeyIsOneBatch() throws Exception {
        byte[] png = TestData.png(12, 12);
        String key = "batch-" + UUID.randomUUID();
        String first = given().header("Idempotency-Key", key)
                .multiPart("images", "a.png", png, "image/png")
                .multiPart("images", "b.png", png, "image/png")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        Map<String, Long> after = counts();
        given().header("Idempotency-Key", key)
                .multiPart("images", "a.png", png, "image/png")
                .multiPart("images", "b.png", png, "image/png")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(202)
                .body("id", equalTo(first))
                .body("count", equalTo(2));
        given().header("Idempotency-Key", key)
                .multiPart("images", "a.png", png, "image/png")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(422)
                .body("field", equalTo("Idempotency-Key"));
        assertEquals(after, counts(), "the retry stored nothing");
    }

    @Test
    void theBatchFollowsItsImagesIsRetriedAndCancelledWithThemAndZipsWhatSucceeded() throws Exception {
        String id = given().multiPart("images", "photo.jpg", jpeg(10, 8), "image/jpeg")
                .multiPart("images", "photo.png", TestData.png(6, 6), "image/png")
                .multiPart("images", "c.png", TestData.png(5, 5), "image/png")
                .multiPart("scale", "4")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        List<String> images = given().when()
                .get("/api/jobs/" + id)
                .then()
                .extract()
                .jsonPath()
                .getList("batch.images.jobId");

        // a worker claims the first image: the batch runs
        status(images.get(0), "RUNNING");
        given().when()
                .get("/api/jobs/" + id)
                .then()
                .body("status", equalTo("RUNNING"))
                .body("startedAt", org.hamcrest.Matchers.notNullValue());
        succeed(images.get(0), 40, 32);
        status(images.get(1), "RUNNING");
        succeed(images.get(1), 24, 24);
        given().when()
                .get("/api/jobs/" + id)
                .then()
                .body("status", equalTo("RUNNING"))
                .body("progress", equalTo(2 / 3f))
                .body("progressMessage", equalTo("2 of 3 images done"))
                .body("batch.succeeded", equalTo(2))
                .body("batch.images[0].url", equalTo("/api/jobs/" + images.get(0) + "/result"))
                .body("batch.images[0].width", equalTo(40));
        given().when().get("/api/jobs/" + id + "/result").then().statusCode(409);

        // the last one fails: the batch ends FAILED naming it, and the others' PNGs download as a zip
        status(images.get(2), "RUNNING");
        fail(images.get(2), "the input is not a readable PNG, JPEG, WebP or TIFF image");
        given().when()
                .get("/api/jobs/" + id)
                .then()
                .body("status", equalTo("FAILED"))
                .body(
                        "error",
                        equalTo(
                                "1 of 3 images failed: c.png: the input is not a readable PNG, JPEG, WebP or TIFF image"))
                .body("progress", equalTo(1f))
                .body("batch.succeeded", equalTo(2))
                .body("batch.failed", equalTo(1))
                .body("batch.images[2].status", equalTo("FAILED"))
                .body("batch.images[2].error", containsString("not a readable"))
                .body("batch.resultUrl", equalTo("/api/jobs/" + id + "/result"));
        Map<String, byte[]> zip = unzip(given().queryParam("download", true)
                .when()
                .get("/api/jobs/" + id + "/result")
                .then()
                .statusCode(200)
                .contentType("application/zip")
                .header(
                        "Content-Disposition",
                        equalTo("attachment; filename=\"batch-" + id.substring(0, 8) + "-x4.zip\""))
                .extract()
                .asByteArray());
        assertEquals(List.of("photo-x4.png", "photo-x4-2.png"), new ArrayList<>(zip.keySet()));
        assertEquals(
                40,
                ImageIO.read(new ByteArrayInputStream(zip.get("photo-x4.png"))).getWidth());
        List<String> events = given().when()
                .get("/api/jobs/" + id + "/events")
                .then()
                .extract()
                .jsonPath()
                .getList("message");
        assertTrue(events.contains("its first image started: photo.jpg"), events.toString());
        assertTrue(
                events.contains("c.png: the input is not a readable PNG, JPEG, WebP or TIFF image"), events.toString());

        // retry: only the failed image is queued again; the batch is QUEUED, then cancelled with it
        given().when().post("/api/jobs/" + id + "/retry").then().statusCode(202).body("status", equalTo("QUEUED"));
        given().when()
                .get("/api/jobs/" + images.get(2))
                .then()
                .body("status", equalTo("QUEUED"))
                .body("attempts", equalTo(0));
        given().when().get("/api/jobs/" + images.get(0)).then().body("status", equalTo("SUCCEEDED"));
        assertEquals(
                2, upscaleMessages(List.of(images.get(2)), 2).get(images.get(2)), "its first message and the retry's");
        given().when()
                .get("/api/jobs/" + id)
                .then()
                .body("error", equalTo(null))
                .body("progressMessage", equalTo("2 of 3 images done"));
        given().when().post("/api/jobs/" + id + "/cancel").then().statusCode(200);
        given().when()
                .get("/api/jobs/" + id)
                .then()
                .body("status", equalTo("CANCELLED"))
                .body("progressMessage", equalTo("cancelled: 3 of 3 images done (1 cancelled)"))
                .body("batch.cancelled", equalTo(1));
        given().when().get("/api/jobs/" + images.get(2)).then().body("status", equalTo("CANCELLED"));
        assertEquals(
                2,
                unzip(given().when()
                                .get("/api/jobs/" + id + "/result")
                                .then()
                                .statusCode(200)
                                .extract()
                                .asByteArray())
                        .size());
        given().when()
                .post("/api/jobs/" + id + "/cancel")
                .then()
                .statusCode(409)
                .body("error", containsString("already CANCELLED"));
        given().when().post("/api/jobs/" + images.get(0) + "/retry").then().statusCode(409);
    }

    @Test
    void cancellingARunningBatchCancelsItsQueuedImagesAndStopsItsRunningOnes() throws Exception {
        String id = given().multiPart("images", "a.png", TestData.png(8, 8), "image/png")
                .multiPart("images", "b.png", TestData.png(8, 8), "image/png")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        List<String> images = given().when()
                .get("/api/jobs/" + id)
                .then()
                .extract()
                .jsonPath()
                .getList("batch.images.jobId");
        status(images.get(0), "RUNNING");
        given().when()
                .post("/api/jobs/" + id + "/cancel")
                .then()
                .statusCode(200)
                .body("cancelRequested", equalTo(true));
        given().when().get("/api/jobs/" + images.get(1)).then().body("status", equalTo("CANCELLED"));
        given().when()
                .get("/api/jobs/" + images.get(0))
                .then()
                .body("status", equalTo("RUNNING"))
                .body("cancelRequested", equalTo(true));
        given().when().get("/api/jobs/" + id).then().body("status", equalTo("RUNNING"));
        // the worker stops the running image at its next tile batch
        status(images.get(0), "CANCELLED");
        given().when()
                .get("/api/jobs/" + id)
                .then()
                .body("status", equalTo("CANCELLED"))
                .body("error", equalTo(null));
        given().when()
                .get("/api/jobs/" + id + "/result")
                .then()
                .statusCode(409)
                .body("error", containsString("nothing to download"));
        // retried, both images run again
        given().when().post("/api/jobs/" + id + "/retry").then().statusCode(202);
        given().when()
                .get("/api/jobs/" + id)
                .then()
                .body("status", equalTo("QUEUED"))
                .body("cancelRequested", equalTo(false))
                .body("batch.images.status", equalTo(List.of("QUEUED", "QUEUED")));
    }

    /** How many messages the bulk upscale topic (batch images) holds for each of {@code jobs}, waiting until each has {@code atLeast}. */
    private Map<String, Integer> upscaleMessages(List<String> jobs, int atLeast) {
        Map<String, Object> config = kafka.clientConfig("test-observer");
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "test-observer-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Map<String, Integer> seen = new HashMap<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(kafka.topic(JobType.UPSCALE, true)));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (jobs.stream().anyMatch(j -> seen.getOrDefault(j, 0) < atLeast) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(300)).forEach(r -> {
                    if (jobs.contains(r.key())) {
                        seen.merge(r.key(), 1, Integer::sum);
                    }
                });
            }
            // anything more that was already there
            consumer.poll(Duration.ofMillis(500)).forEach(r -> {
                if (jobs.contains(r.key())) {
                    seen.merge(r.key(), 1, Integer::sum);
                }
            });
        }
        return seen;
    }

    private void status(String job, String status) throws Exception {
        TestData.exec(
                dataSource,
                "UPDATE jobs SET status = ?, worker_id = 'test-worker', finished_at = CASE WHEN ? IN ('SUCCEEDED', 'FAILED', 'CANCELLED') THEN now() END,"
                        + " attempts = attempts + CASE WHEN ? = 'RUNNING' THEN 1 ELSE 0 END WHERE id = ?::uuid",
                status,
                status,
                status,
                job);
    }

    /** Writes the image's result and SUCCEEDED in one transaction, as a worker does. */
    private void succeed(String job, int width, int height) throws Exception {
        TestData.succeed(dataSource, blobs, job, TestData.png(width, height), "image/png", width, height);
    }

    private void fail(String job, String error) throws Exception {
        TestData.exec(
                dataSource,
                "UPDATE jobs SET status = 'FAILED', error = ?, finished_at = now() WHERE id = ?::uuid",
                error,
                job);
    }

    private long count(String sql, String param) throws Exception {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, param);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private Map<String, Long> counts() throws Exception {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String table : TABLES) {
            counts.put(table, TestData.count(dataSource, table));
        }
        return counts;
    }

    static byte[] jpeg(int w, int h) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(ImageIO.read(new ByteArrayInputStream(TestData.png(w, h))), "jpeg", out);
        return out.toByteArray();
    }

    /** A zip of the entries, in the order of their names. */
    static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (var e : new java.util.TreeMap<>(entries).entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    static Map<String, byte[]> unzip(byte[] zip) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                entries.put(e.getName(), in.readAllBytes());
            }
        }
        assertFalse(entries.isEmpty(), "a zip with entries");
        return entries;
    }

    /**
     * A PNG whose structure is whole (IHDR, IDAT, IEND, every CRC right) and whose header claims
     * {@code w x h}: what the submission checks read, without megabytes of pixels to make.
     */
    static byte[] pngClaiming(int w, int h) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(out);
        d.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream i = new DataOutputStream(ihdr);
        i.writeInt(w);
        i.writeInt(h);
        i.write(new byte[] {8, 2, 0, 0, 0});
        chunk(d, "IHDR", ihdr.toByteArray());
        chunk(d, "IDAT", new byte[] {0x78, (byte) 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
        chunk(d, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(DataOutputStream d, String type, byte[] data) throws IOException {
        d.writeInt(data.length);
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        d.write(t);
        d.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        d.writeInt((int) crc.getValue());
    }

    static {
        assertNotNull(ImageIO.getImageReadersByFormatName("jpeg").next());
    }
}
