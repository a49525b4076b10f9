package dev.srgan.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.srgan.api.models.ShippedModels;
import dev.srgan.embedded.EmbeddedServicesTestResource;
import dev.srgan.networks.checkpoint.Checkpoint;
import dev.srgan.platform.blobs.BlobStore;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An upscale (single or batch) may blend its model with a second one of the same lineage
 * (blendModelId, blendWeight): checked at submission against the real shipped models, recorded
 * in the params the worker reads; a bad blend is refused naming its field and queues nothing. A blend
 * also registers as a model of its own ({@code POST /api/models/blend}).
 */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class UpscaleBlendTest {
    @Inject
    ShippedModels shipped;

    @Inject
    DataSource dataSource;

    @Inject
    BlobStore blobs;

    String defaultX4;
    String realPhotos;
    String srganMse;
    String defaultX2;

    @BeforeEach
    void models() {
        TestAuth.asAdmin();
        shipped.registerAll(); // another test class may have removed one
        List<Map<String, Object>> models = given().get("/api/models")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("$");
        defaultX4 = id(models, "SRResNet 4x");
        realPhotos = id(models, "SRResNet 4x (real photos)");
        srganMse = id(models, "SRGAN-MSE 4x");
        defaultX2 = id(models, "SRResNet 2x");
    }

    private static String id(List<Map<String, Object>> models, String name) {
        return models.stream()
                .filter(m -> name.equals(m.get("name")))
                .map(m -> (String) m.get("id"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not registered"));
    }

    private static RequestSpecification upscale(String model, String blendModel, String weight) throws Exception {
        RequestSpecification request = given().multiPart("image", "photo.png", TestData.png(24, 16), "image/png")
                .multiPart("scale", "4")
                .multiPart("modelId", model);
        if (blendModel != null) {
            request.multiPart("blendModelId", blendModel);
        }
        if (weight != null) {
            request.multiPart("blendWeight", weight);
        }
        return request;
    }

    @Test
    void aBlendWithAFineTunedVersionIsQueuedWithItsShareInTheParams() throws Exception {
        String id = upscale(defaultX4, realPhotos, "0.3")
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        given().get("/api/jobs/" + id)
                .then()
                .body("modelId", equalTo(defaultX4))
                .body("params.blendModelId", equalTo(realPhotos))
                .body("params.blendWeight", equalTo(0.3f));

        String batch = given().multiPart("images", "a.png", TestData.png(20, 12), "image/png")
                .multiPart("images", "b.png", TestData.png(12, 20), "image/png")
                .multiPart("modelId", defaultX4)
                .multiPart("blendModelId", realPhotos)
                .multiPart("blendWeight", "1")
                .post("/api/upscale/batch")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        given().get("/api/jobs/" + batch).then().body("params.blendWeight", equalTo(1));
        assertEquals(
                2,
                TestData.count(
                        dataSource,
                        "jobs WHERE batch_id = '" + batch + "' AND params ->> 'blendModelId' = '" + realPhotos
                                + "' AND params ->> 'blendWeight' = '1'"),
                "each image of the batch blends");
    }

    @Test
    void aBlendOfPixelsTakesModelsTrainedApartOfOneScaleAndRecordsItsMode() throws Exception {
        String id = upscale(defaultX4, srganMse, "0.5")
                .multiPart("blendMode", "pixels")
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        given().get("/api/jobs/" + id)
                .then()
                .body("params.blendModelId", equalTo(srganMse))
                .body("params.blendMode", equalTo("pixels"));
        String batch = given().multiPart("images", "a.png", TestData.png(20, 12), "image/png")
                .multiPart("modelId", defaultX4)
                .multiPart("blendModelId", srganMse)
                .multiPart("blendWeight", "0.25")
                .multiPart("blendMode", "PIXELS")
                .post("/api/upscale/batch")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        assertEquals(
                1,
                TestData.count(
                        dataSource, "jobs WHERE batch_id = '" + batch + "' AND params ->> 'blendMode' = 'pixels'"),
                "the batch's image blends its pixels");

        long jobs = TestData.count(dataSource, "jobs");
        upscale(defaultX4, defaultX2, "0.5")
                .multiPart("blendMode", "pixels")
                .post("/api/upscale")
                .then()
                .statusCode(422)
                .body("field", equalTo("blendModelId"))
                .body(
                        "error",
                        equalTo("model 'SRResNet 4x' is 4x and 'SRResNet 2x' 2x: only models of one scale mix their"
                                + " outputs"));
        upscale(defaultX4, realPhotos, "0.5")
                .multiPart("blendMode", "both")
                .post("/api/upscale")
                .then()
                .statusCode(400)
                .body("field", equalTo("blendMode"))
                .body("error", startsWith("blendMode must be weights (one network of the mean weights) or pixels"));
        upscale(defaultX4, null, null)
                .multiPart("blendMode", "pixels")
                .post("/api/upscale")
                .then()
                .statusCode(400)
                .body("field", equalTo("blendModelId"))
                .body("error", startsWith("blendMode needs blendModelId"));
        assertEquals(jobs, TestData.count(dataSource, "jobs"), "nothing queued");
    }

    @Test
    void aBadBlendIsRefusedNamingItsFieldAndQueuesNothing() throws Exception {
        long jobs = TestData.count(dataSource, "jobs");
        String[][] malformed = {
            {null, "0.5", "blendModelId", "blendWeight needs blendModelId"},
            {realPhotos, null, "blendWeight", "blendWeight is required with blendModelId"},
            {realPhotos, "1.5", "blendWeight", "blendWeight must be a number from 0 to 1"},
            {realPhotos, "NaN", "blendWeight", "blendWeight must be a number from 0 to 1"},
            {"real photos", "0.5", "blendModelId", "blendModelId must be a model id (UUID)"},
        };
        for (String[] m : malformed) {
            upscale(defaultX4, m[0], m[1])
                    .post("/api/upscale")
                    .then()
                    .statusCode(400)
                    .body("field", equalTo(m[2]))
                    .body("error", startsWith(m[3]));
        }
        upscale(defaultX4, srganMse, "0.5")
                .post("/api/upscale")
                .then()
                .statusCode(422)
                .body("field", equalTo("blendModelId"))
                .body(
                        "error",
                        startsWith("'SRResNet 4x' and 'SRGAN-MSE 4x' were trained apart (their weights'"
                                + " cosine is 0.00;"))
                .body("error", containsString("blend a model with one fine-tuned from it, or blend their outputs"));
        upscale(defaultX4, defaultX2, "0.5")
                .post("/api/upscale")
                .then()
                .statusCode(422)
                .body("field", equalTo("blendModelId"))
                .body(
                        "error",
                        equalTo("model 'SRResNet 4x' is 4x with 16 residual blocks and 'SRResNet 2x' 2x with"
                                + " 16: only models of the same network blend"));
        String nobody = java.util.UUID.randomUUID().toString();
        upscale(defaultX4, nobody, "0.5")
                .post("/api/upscale")
                .then()
                .statusCode(422)
                .body("error", equalTo("no model " + nobody));
        given().multiPart("images", "a.png", TestData.png(20, 12), "image/png")
                .multiPart("modelId", defaultX4)
                .multiPart("blendModelId", srganMse)
                .multiPart("blendWeight", "0.5")
                .post("/api/upscale/batch")
                .then()
                .statusCode(422)
                .body("field", equalTo("blendModelId"));
        assertEquals(jobs, TestData.count(dataSource, "jobs"), "nothing queued");
    }

    @Test
    void aBlendRegistersAsAModelWhoseFileIsTheBlendOfTheTwo() throws Exception {
        Map<String, Object> model = given().contentType(ContentType.JSON)
                .body("{\"modelId\": \"" + defaultX4 + "\", \"blendModelId\": \"" + realPhotos
                        + "\", \"blendWeight\": 0.5}")
                .post("/api/models/blend")
                .then()
                .statusCode(201)
                .body("name", equalTo("SRResNet 4x + 50% SRResNet 4x (real photos)"))
                .body("format", equalTo("CHECKPOINT"))
                .body("scale", equalTo(4))
                .body("residualBlocks", equalTo(16))
                .body("source", equalTo("blend of 'SRResNet 4x' with 50% of 'SRResNet 4x (real photos)'"))
                .body("isDefault", equalTo(false))
                .extract()
                .jsonPath()
                .getMap("$");
        byte[] stored;
        try (java.sql.Connection c = dataSource.getConnection();
                java.sql.PreparedStatement ps = c.prepareStatement("SELECT blob_id FROM models WHERE id = ?::uuid")) {
            ps.setString(1, (String) model.get("id"));
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                rs.next();
                java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                blobs.copyTo(c, rs.getObject(1, java.util.UUID.class), out);
                stored = out.toByteArray();
            }
        }
        Checkpoint expected =
                Checkpoint.blend(shippedFile("srresnet-x4.srgan.zip"), shippedFile("srresnet-x4-real.srgan.zip"), 0.5);
        org.junit.jupiter.api.Assertions.assertArrayEquals(
                expected.inferenceGeneratorParameters(),
                Checkpoint.read(new java.io.ByteArrayInputStream(stored)).inferenceGeneratorParameters(),
                "the stored file is Checkpoint.blend's");

        // it upscales as any model does, and another blend of it is a blend of one lineage too
        upscale((String) model.get("id"), realPhotos, "0.5")
                .post("/api/upscale")
                .then()
                .statusCode(202);

        long models = TestData.count(dataSource, "models");
        given().contentType(ContentType.JSON)
                .body("{\"modelId\": \"" + defaultX4 + "\", \"blendModelId\": \"" + srganMse
                        + "\", \"blendWeight\": \"0.5\"}")
                .post("/api/models/blend")
                .then()
                .statusCode(422)
                .body("field", equalTo("blendModelId"))
                .body("error", containsString("were trained apart"));
        given().contentType(ContentType.JSON)
                .body("{\"modelId\": \"" + defaultX4 + "\", \"blendModelId\": \"" + realPhotos + "\"}")
                .post("/api/models/blend")
                .then()
                .statusCode(400)
                .body("field", equalTo("blendWeight"));
        given().contentType(ContentType.JSON)
                .body("{\"blendModelId\": \"" + realPhotos + "\", \"blendWeight\": 0.5}")
                .post("/api/models/blend")
                .then()
                .statusCode(400)
                .body("field", equalTo("modelId"));
        assertEquals(models, TestData.count(dataSource, "models"), "a refused blend registers nothing");
    }

    private static Checkpoint shippedFile(String name) throws Exception {
        try (InputStream in =
                Thread.currentThread().getContextClassLoader().getResourceAsStream("shipped-models/" + name)) {
            return Checkpoint.read(in);
        }
    }

    @Test
    void aModelThatAQueuedUpscaleBlendsWithIsNotDeleted() throws Exception {
        byte[] file;
        try (InputStream in = Thread.currentThread()
                .getContextClassLoader()
                .getResourceAsStream("shipped-models/srresnet-x4-real.srgan.zip")) {
            file = in.readAllBytes();
        }
        String mine = given().multiPart("file", "mine.srgan.zip", file, "application/zip")
                .multiPart("name", "my real photos x4")
                .post("/api/models")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        String job = upscale(defaultX4, mine, "0.5")
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        given().delete("/api/models/" + mine)
                .then()
                .statusCode(409)
                .body("error", startsWith("1 job that is queued or running uses the model"));
        given().post("/api/jobs/" + job + "/cancel").then().statusCode(200);
        given().delete("/api/models/" + mine).then().statusCode(200);
    }
}
