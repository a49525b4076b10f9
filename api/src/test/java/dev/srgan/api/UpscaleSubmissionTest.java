package dev.srgan.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.domain.jobs.JobType;
import dev.srgan.embedded.EmbeddedServicesTestResource;
import dev.srgan.platform.KafkaSettings;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class UpscaleSubmissionTest {
    @BeforeEach
    void signIn() {
        TestAuth.asAdmin();
    }

    @Inject
    DataSource dataSource;

    @Inject
    dev.srgan.api.models.ShippedModels shipped;

    @Inject
    KafkaSettings kafka;

    @BeforeEach
    void models() throws Exception {
        TestData.model(dataSource, 4, true);
    }

    @Test
    void acceptedUpscaleIsStoredQueuedAndPublishedToKafka() throws Exception {
        String id = given().multiPart("image", "cat.png", TestData.png(64, 48), "image/png")
                .multiPart("scale", "4")
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .body("status", equalTo("QUEUED"))
                .extract()
                .path("id");

        given().when()
                .get("/api/jobs/" + id)
                .then()
                .statusCode(200)
                .body("type", equalTo("UPSCALE"))
                .body("status", equalTo("QUEUED"))
                .body("inputName", equalTo("cat.png"))
                .body("params.scale", equalTo(4))
                .body("params.inputWidth", equalTo(64));

        Map<String, Object> config = kafka.clientConfig("test-observer");
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "test-observer-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(kafka.topic(JobType.UPSCALE)));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (seen.stream().noneMatch(v -> v.contains(id)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(300)).forEach(r -> {
                    if (r.key().equals(id)) {
                        seen.add(r.value());
                    }
                });
            }
        }
        assertEquals(1, seen.size(), "one message for the job, keyed by its id");
        assertTrue(seen.get(0).contains("\"type\":\"UPSCALE\""), seen.get(0));
    }

    @Test
    void gifIsRefusedWith415AndNothingStored() throws Exception {
        long jobs = TestData.count(dataSource, "jobs");
        long blobs = TestData.count(dataSource, "blobs");
        given().multiPart("image", "anim.gif", TestData.gif(), "image/gif")
                .multiPart("scale", "4")
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(415)
                .contentType(ContentType.JSON)
                .body("field", equalTo("image"))
                .body("error", containsString("only PNG, JPEG, WebP and TIFF"))
                .body("error", containsString("GIF"));
        assertEquals(jobs, TestData.count(dataSource, "jobs"));
        assertEquals(blobs, TestData.count(dataSource, "blobs"));
    }

    @Test
    void truncatedOrDamagedImagesAreRefusedAtSubmissionWithoutADecode() throws Exception {
        long jobs = TestData.count(dataSource, "jobs");
        long blobs = TestData.count(dataSource, "blobs");
        byte[] png = TestData.png(64, 64);
        given().multiPart("image", "cut.png", java.util.Arrays.copyOf(png, png.length - 20), "image/png")
                .multiPart("scale", "2")
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(400)
                .body("field", equalTo("image"))
                .body("error", containsString("'cut.png' is not a whole PNG image: it is truncated"));
        byte[] flipped = png.clone();
        flipped[png.length - 30] ^= 0x55;
        given().multiPart("image", "flipped.png", flipped, "image/png")
                .multiPart("scale", "2")
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(400)
                .body("error", containsString("its CRC does not match"));
        java.io.ByteArrayOutputStream jpeg = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png)), "jpeg", jpeg);
        byte[] jpg = jpeg.toByteArray();
        given().multiPart("image", "cut.jpg", java.util.Arrays.copyOf(jpg, jpg.length - 10), "image/jpeg")
                .multiPart("scale", "2")
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(400)
                .body("error", containsString("'cut.jpg' is not a whole JPEG image: it is truncated"));
        assertEquals(jobs, TestData.count(dataSource, "jobs"));
        assertEquals(blobs, TestData.count(dataSource, "blobs"));
    }

    @Test
    void decompressionBombIsRefusedFromItsHeader() throws Exception {
        long blobs = TestData.count(dataSource, "blobs");
        given().multiPart("image", "bomb.png", TestData.pngHeaderOnly(30000, 30000), "image/png")
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(413)
                .body("field", equalTo("image"))
                .body("error", containsString("30000x30000"))
                .body("error", containsString("megapixels"));
        assertEquals(blobs, TestData.count(dataSource, "blobs"));
    }

    @Test
    void badScaleMissingImageAndUnknownModelAreClearErrors() throws Exception {
        given().multiPart("image", "a.png", TestData.png(8, 8), "image/png")
                .multiPart("scale", "3")
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(400)
                .body("field", equalTo("scale"))
                .body(
                        "error",
                        equalTo("scale must be 2, 4 or 8, got '3'; for a result 3 times the size, send outscale=3"
                                + " (the model of the next scale up, then resized)"));
        given().multiPart("scale", "4")
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(400)
                .body("field", equalTo("image"));
        given().multiPart("image", "a.png", TestData.png(8, 8), "image/png")
                .multiPart("modelId", UUID.randomUUID().toString())
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(422)
                .body("field", equalTo("modelId"));
        // every scale ships a model: take the 8x ones away (no job uses them yet) to see the message
        try (var c = dataSource.getConnection();
                var st = c.createStatement()) {
            st.executeUpdate(
                    "DELETE FROM models m WHERE scale = 8 AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.model_id = m.id)");
        }
        try {
            given().multiPart("image", "a.png", TestData.png(8, 8), "image/png")
                    .multiPart("scale", "8")
                    .when()
                    .post("/api/upscale")
                    .then()
                    .statusCode(422)
                    .body("error", containsString("no 8x model is registered"));
        } finally {
            shipped.registerAll();
        }
        given().multiPart(
                        "image",
                        "broken.png",
                        new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0},
                        "image/png")
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(400)
                .body("error", containsString("not a readable PNG"));
    }
}
