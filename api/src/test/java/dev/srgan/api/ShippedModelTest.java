package dev.srgan.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srgan.api.models.ShippedModels;
import dev.srgan.embedded.EmbeddedServicesTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The models in models/ are registered at first start, once, with the numbers of their evaluation:
 * a default at 2x, 4x and 8x, and SRGAN-MSE 4x beside the 4x default, not instead of it.
 */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class ShippedModelTest {
    private static final String SHIPPED = "findAll { it.source.startsWith('shipped with SRGAN Cluster') }";

    @Inject
    ShippedModels shipped;

    @Inject
    DataSource dataSource;

    @BeforeEach
    void auth() {
        TestAuth.asAdmin();
    }

    private static JsonNode index() throws Exception {
        try (InputStream in =
                Thread.currentThread().getContextClassLoader().getResourceAsStream("shipped-models/shipped.json")) {
            return new ObjectMapper().readTree(in).path("models");
        }
    }

    private static List<Map<String, Object>> shippedModels() {
        return given().get("/api/models")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList(SHIPPED);
    }

    private static Map<String, Object> byName(List<Map<String, Object>> models, String name) {
        return models.stream()
                .filter(m -> name.equals(m.get("name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not registered: " + models));
    }

    @Test
    void everyShippedModelIsRegisteredOnceWithItsEvaluation() throws Exception {
        shipped.registerAll(); // another test class may have removed one to see a scale without a model
        JsonNode index = index();
        List<Map<String, Object>> models = shippedModels();
        assertEquals(index.size(), models.size(), "each model of shipped.json once: " + models);
        for (JsonNode entry : index) {
            Map<String, Object> m = byName(models, entry.path("name").asText());
            assertEquals(entry.path("scale").asInt(), m.get("scale"));
            assertEquals("CHECKPOINT", m.get("format"));
            if (!entry.path("default").asBoolean(true)) {
                assertEquals(false, m.get("isDefault"), entry.path("name").asText() + " is never made the default");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> ev = (Map<String, Object>) m.get("evaluation");
            assertEquals(7, ev.get("imageCount"));
            for (String field :
                    new String[] {"psnr", "ssim", "bicubicPsnr", "bicubicSsim", "niqe", "bicubicNiqe", "hrNiqe"}) {
                assertEquals(
                        entry.path("evaluation").path(field).asDouble(),
                        ((Number) ev.get(field)).doubleValue(),
                        1e-4,
                        entry.path("name").asText() + " " + field);
            }
        }
        // one default per scale: the shipped SRResNet, unless a test (as a user would) made its own model the default
        List<Map<String, Object>> all = given().get("/api/models")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("$");
        for (int scale : new int[] {2, 4, 8}) {
            List<Map<String, Object>> defaults = all.stream()
                    .filter(m -> scale == (Integer) m.get("scale") && (Boolean) m.get("isDefault"))
                    .toList();
            assertEquals(1, defaults.size(), "one default at " + scale + "x: " + defaults);
            if (((String) defaults.get(0).get("source")).startsWith("shipped with SRGAN Cluster")) {
                assertTrue(
                        ((String) defaults.get(0).get("name")).startsWith("SRResNet"),
                        "the shipped default is SRResNet: " + defaults);
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> gan =
                (Map<String, Object>) byName(models, "SRGAN-MSE 4x").get("evaluation");
        @SuppressWarnings("unchecked")
        Map<String, Object> srresnet =
                (Map<String, Object>) byName(models, "SRResNet 4x").get("evaluation");
        assertTrue(
                ((Number) gan.get("niqe")).doubleValue() < ((Number) srresnet.get("niqe")).doubleValue(),
                "SRGAN-MSE is the more natural by NIQE: " + gan + " vs " + srresnet);
        assertTrue(
                ((String) byName(models, "SRGAN-MSE 4x").get("description")).contains("Sharper texture, lower PSNR"));

        shipped.registerAll();
        assertEquals(index.size(), shippedModels().size(), "a second start registers nothing");
    }

    @Test
    void theTwoFourTimesModelsShowTheirNumbersOnCleanAndOnDegradedInputs() throws Exception {
        shipped.registerAll();
        List<Map<String, Object>> models = shippedModels();
        for (String name : new String[] {"SRResNet 4x", "SRResNet 4x (real photos)"}) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> evaluations =
                    (List<Map<String, Object>>) byName(models, name).get("evaluations");
            assertEquals(2, evaluations.size(), name + ": " + evaluations);
            assertEquals(null, evaluations.get(0).get("degradation"), name + ": clean inputs first");
            assertEquals(
                    "blur σ 1.5 px, noise σ 5 levels, JPEG quality 67",
                    evaluations.get(1).get("degradation"),
                    name);
        }
        // on degraded inputs the real-photo model wins, on clean ones the default: both rows say so
        @SuppressWarnings("unchecked")
        Map<String, Object> realEvaluation = (Map<String, Object>)
                byName(models, "SRResNet 4x (real photos)").get("evaluation");
        assertEquals(
                "blur σ 1.5 px, noise σ 5 levels, JPEG quality 67",
                realEvaluation.get("degradation"),
                "the evaluation shipped.json names stays the newest");
        String page = given().get("/models").then().statusCode(200).extract().asString();
        assertTrue(
                page.contains("SRResNet 4x (real photos), on inputs degraded: blur σ 1.5 px, noise σ 5 levels, JPEG"
                        + " quality 67"),
                "a second row for its other inputs");
        assertTrue(page.contains("28.63 <span class=\"muted small\">/ 27.76</span>"), "the real-photo model, clean");
        assertTrue(page.contains("26.67 <span class=\"muted small\">/ 26.37</span>"), "the default, degraded");
    }

    @Test
    void aNewShippedVersionTakesTheDefaultFromAnOlderShippedOneButNotFromTheUsersChoice() throws Exception {
        shipped.registerAll();
        try (Connection c = dataSource.getConnection();
                // other tests may have made their own models the defaults: start from the shipped ones
                PreparedStatement clear = c.prepareStatement(
                        "UPDATE models SET is_default = false WHERE scale IN (2, 8) AND is_default");
                PreparedStatement shippedDefaults = c.prepareStatement(
                        "UPDATE models SET is_default = true WHERE source LIKE "
                                + "'shipped with SRGAN Cluster: models/srresnet-x2.srgan.zip%' OR source LIKE 'shipped with SRGAN Cluster: models/srresnet-x8.srgan.zip%'")) {
            clear.executeUpdate();
            assertEquals(2, shippedDefaults.executeUpdate());
        }
        try (Connection c = dataSource.getConnection();
                // the 2x default becomes "an older shipped version"; the 8x default "the user's own model"
                PreparedStatement older = c.prepareStatement(
                        "UPDATE models SET source = 'shipped with SRGAN Cluster: models/srresnet-x2.srgan.zip (sha256 0000000000000000)' WHERE scale = 2 AND is_default");
                PreparedStatement own = c.prepareStatement(
                        "UPDATE models SET source = 'upload ''mine''' WHERE scale = 8 AND is_default")) {
            assertEquals(1, older.executeUpdate());
            assertEquals(1, own.executeUpdate());
        }
        shipped.registerAll();
        List<Map<String, Object>> all = given().get("/api/models")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("$");
        Map<String, Object> x2 = all.stream()
                .filter(m -> (Integer) m.get("scale") == 2 && (Boolean) m.get("isDefault"))
                .findFirst()
                .orElseThrow();
        assertFalse(
                ((String) x2.get("source")).contains("0000000000000000"), "the new 2x version is the default: " + x2);
        Map<String, Object> x8 = all.stream()
                .filter(m -> (Integer) m.get("scale") == 8 && (Boolean) m.get("isDefault"))
                .findFirst()
                .orElseThrow();
        assertEquals("upload 'mine'", x8.get("source"), "the user's 8x default stays");
        try (Connection c = dataSource.getConnection();
                PreparedStatement undo = c.prepareStatement(
                        "DELETE FROM models WHERE source LIKE '%0000000000000000%' OR source = 'upload ''mine'''")) {
            assertEquals(2, undo.executeUpdate());
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement restore = c.prepareStatement(
                        "UPDATE models SET is_default = true WHERE scale = 8 AND source LIKE 'shipped with SRGAN Cluster%'")) {
            assertEquals(1, restore.executeUpdate());
        }
    }

    @Test
    void theComparisonCropsAreServedForEveryShippedModelAndTheReferences() throws Exception {
        shipped.registerAll();
        for (Map<String, Object> m : shippedModels()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> crop = (Map<String, Object>) m.get("comparison");
            assertTrue(
                    crop != null && "matplotlib-grace_hopper.jpg".equals(crop.get("photo")),
                    m.get("name") + ": " + crop);
            byte[] png = given().get((String) crop.get("url"))
                    .then()
                    .statusCode(200)
                    .contentType("image/png")
                    .extract()
                    .asByteArray();
            java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png));
            assertEquals(176, image.getWidth());
            assertEquals(176, image.getHeight());
            assertEquals("/api/models/comparison/bicubic?scale=" + m.get("scale"), crop.get("bicubicUrl"));
        }
        byte[] original = given().get("/api/models/comparison/original")
                .then()
                .statusCode(200)
                .contentType("image/png")
                .extract()
                .asByteArray();
        assertEquals(
                176,
                javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(original))
                        .getWidth());
        String psnr = given().get("/api/models/comparison/bicubic?scale=4")
                .then()
                .statusCode(200)
                .contentType("image/png")
                .extract()
                .header("X-Psnr-Y");
        assertTrue(Double.parseDouble(psnr) > 20 && Double.parseDouble(psnr) < 30, "bicubic 4x of the window: " + psnr);
        given().get("/api/models/comparison/bicubic?scale=3")
                .then()
                .statusCode(400)
                .body("field", org.hamcrest.Matchers.equalTo("scale"));
        given().get("/api/models/comparison/sharpened").then().statusCode(404);
        // a model that was never evaluated has no crop yet, and says so
        java.util.UUID unevaluated = TestData.model(dataSource, 2, false);
        given().get("/api/models/" + unevaluated + "/comparison")
                .then()
                .statusCode(404)
                .body("error", org.hamcrest.Matchers.containsString("no comparison crop"));
        given().get("/models")
                .then()
                .statusCode(200)
                .body(org.hamcrest.Matchers.containsString("Compare by eye"))
                .body(org.hamcrest.Matchers.containsString("/api/models/comparison/original"));
    }

    @Test
    void aModelDownloadsAsOnnxAndWhatCannotBeExportedSaysWhy() throws Exception {
        shipped.registerAll();
        Map<String, Object> x2 = byName(shippedModels(), "SRResNet 2x");
        io.restassured.response.Response r = given().get("/api/models/" + x2.get("id") + "/export?format=onnx");
        r.then()
                .statusCode(200)
                .contentType("application/octet-stream")
                .header("Content-Disposition", org.hamcrest.Matchers.containsString("srresnet-2x-x2.onnx"));
        byte[] expected;
        try (InputStream in = Thread.currentThread()
                .getContextClassLoader()
                .getResourceAsStream("shipped-models/srresnet-x2.srgan.zip")) {
            dev.srgan.networks.checkpoint.Checkpoint cp = dev.srgan.networks.checkpoint.Checkpoint.read(in);
            expected = dev.srgan.networks.export.OnnxExport.generator(
                    dev.srgan.networks.export.DjlParameters.read(cp.inferenceGeneratorParameters()),
                    2,
                    16,
                    "SRResNet 2x");
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(
                expected, r.asByteArray(), "the generator of the stored model, as ONNX");
        given().get("/api/models/" + x2.get("id") + "/export?format=tflite")
                .then()
                .statusCode(400)
                .body("field", org.hamcrest.Matchers.equalTo("format"));
        given().get("/api/models/" + java.util.UUID.randomUUID() + "/export?format=onnx")
                .then()
                .statusCode(404);
        java.util.UUID torchScript = TestData.model(dataSource, 4, false);
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("UPDATE models SET format = 'TORCHSCRIPT' WHERE id = ?")) {
            ps.setObject(1, torchScript);
            ps.executeUpdate();
        }
        given().get("/api/models/" + torchScript + "/export?format=onnx")
                .then()
                .statusCode(422)
                .body("error", org.hamcrest.Matchers.containsString("TorchScript"));
    }
}
