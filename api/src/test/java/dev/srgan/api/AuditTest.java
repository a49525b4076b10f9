package dev.srgan.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.embedded.EmbeddedServicesTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The audit log: deletions and changes to tokens and models, written with the change, and who made it. */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class AuditTest {
    @Inject
    DataSource dataSource;

    String me;

    @BeforeEach
    void signIn() {
        TestAuth.asAdmin();
        me = given().get("/api/me").then().statusCode(200).extract().path("name");
    }

    /** The newest entry about {@code target}. */
    private static JsonPath latest(String target) {
        return given().get("/api/audit?size=200")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .setRootPath("items.find { it.target == '" + target + "' }");
    }

    private static int count(String target) {
        return given().get("/api/audit?size=200")
                .then()
                .extract()
                .jsonPath()
                .getList("items.findAll { it.target == '" + target + "' }")
                .size();
    }

    @Test
    void tokenChangesAreRecordedWithWhoMadeThem() {
        String name = "audited-" + UUID.randomUUID().toString().substring(0, 8);
        String id = given().contentType(ContentType.JSON)
                .body(Map.of("name", name, "role", "OPERATOR", "maxActiveJobs", 5))
                .post("/api/tokens")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        JsonPath created = latest(id);
        assertEquals("token.created", created.getString("action"));
        assertEquals(me, created.getString("actor"));
        assertEquals("OPERATOR token '" + name + "', at most 5 active jobs", created.getString("detail"));

        given().contentType(ContentType.JSON)
                .body(Map.of("maxActiveJobs", 9))
                .patch("/api/tokens/" + id)
                .then()
                .statusCode(200);
        assertEquals("token '" + name + "': at most 9 active jobs", latest(id).getString("detail"));

        given().post("/api/tokens/" + id + "/revoke").then().statusCode(200);
        given().post("/api/tokens/" + id + "/revoke").then().statusCode(200);
        assertEquals("token.revoked", latest(id).getString("action"));
        assertEquals(3, count(id), "created, limit, revoked: revoking twice is one");

        given().get("/api/audit?action=token.revoked")
                .then()
                .statusCode(200)
                .body("items.action", everyItem(equalTo("token.revoked")));
        given().get("/api/audit?action=token.stolen")
                .then()
                .statusCode(400)
                .body("field", equalTo("action"))
                .body("error", containsString("action must be one of"));
        given().get("/admin").then().statusCode(200).body(containsString(name));
    }

    @Test
    void deletionsAreRecordedAndARefusedOneIsNot() throws Exception {
        String datasetId = TestData.dataset(given(), "audited photos");
        String run = given().contentType(ContentType.JSON)
                .body("{\"datasetId\":\"" + datasetId + "\",\"name\":\"audited run\",\"hyperparameters\":{\"scale\":2,"
                        + "\"residualBlocks\":1,\"hrCropSize\":24,\"pretrainSteps\":10,\"ganSteps\":0}}")
                .post("/api/training")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        given().delete("/api/datasets/" + datasetId).then().statusCode(409);
        assertEquals(0, count(datasetId), "a refused deletion is not recorded");

        given().post("/api/jobs/" + run + "/cancel").then().statusCode(200);
        given().delete("/api/jobs/" + run).then().statusCode(200);
        JsonPath job = latest(run);
        assertEquals("job.deleted", job.getString("action"));
        assertEquals(me, job.getString("actor"));
        assertEquals("TRAINING 'audited run', 0 files (0 bytes)", job.getString("detail"));

        given().delete("/api/datasets/" + datasetId).then().statusCode(200);
        assertTrue(
                latest(datasetId).getString("detail").startsWith("dataset 'audited photos', 1 file ("),
                latest(datasetId).getString("detail"));

        UUID model = TestData.model(dataSource, 8, false);
        given().delete("/api/models/" + model).then().statusCode(200);
        assertEquals(
                "model 'test model x8' (8x), 1 file (0 bytes)",
                latest(model.toString()).getString("detail"));

        // only admins read the log
        TestAuth.anonymous();
        String viewer = "Bearer " + SecurityTest.token("audit viewer", "VIEWER");
        given().header("Authorization", viewer).get("/api/audit").then().statusCode(403);
    }
}
