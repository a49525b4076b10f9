package dev.srgan.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srgan.api.models.ShippedModels;
import dev.srgan.embedded.EmbeddedServicesTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The model in models/ is registered at first start, once, with the numbers of its evaluation. */
@QuarkusTest
@QuarkusTestResource(EmbeddedServicesTestResource.class)
class ShippedModelTest {
    @Inject
    ShippedModels shipped;

    @Inject
    DataSource dataSource;

    @BeforeEach
    void auth() {
        TestAuth.asAdmin();
    }

    @Test
    void shippedModelIsRegisteredOnceWithItsEvaluation() throws Exception {
        List<Map<String, Object>> models = given().get("/api/models").then().statusCode(200).extract().jsonPath()
                .getList("findAll { it.source.startsWith('shipped with SRGAN Cluster') }");
        assertEquals(1, models.size(), "one shipped model: " + models);
        Map<String, Object> m = models.get(0);
        assertEquals(4, m.get("scale"));
        assertEquals("CHECKPOINT", m.get("format"));
        @SuppressWarnings("unchecked")
        Map<String, Object> ev = (Map<String, Object>) m.get("evaluation");
        double gain = ((Number) ev.get("psnr")).doubleValue() - ((Number) ev.get("bicubicPsnr")).doubleValue();
        assertTrue(gain >= 1.0, "it beats bicubic by at least 1 dB on photos it never saw (issue 6): " + ev);
        assertEquals(7, ev.get("imageCount"));
        // NIQE as shipped.json has it: null where the model shipped before NIQE was measured
        JsonNode shippedEvaluation;
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream("shipped-models/shipped.json")) {
            shippedEvaluation = new ObjectMapper().readTree(in).path("models").get(0).path("evaluation");
        }
        for (String field : new String[] {"niqe", "bicubicNiqe", "hrNiqe"}) {
            assertTrue(ev.containsKey(field), field + " in " + ev);
            JsonNode expected = shippedEvaluation.path(field);
            if (expected.isNumber()) {
                assertEquals(expected.asDouble(), ((Number) ev.get(field)).doubleValue(), 1e-4, field);
            } else {
                assertNull(ev.get(field), field);
            }
        }

        shipped.registerAll();
        assertEquals(1, (int) given().get("/api/models").then().extract().jsonPath()
                .getList("findAll { it.source.startsWith('shipped with SRGAN Cluster') }").size(), "a second start registers nothing");
    }
}
