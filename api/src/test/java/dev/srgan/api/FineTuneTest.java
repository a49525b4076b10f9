package dev.srgan.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.srgan.embedded.EmbeddedServicesTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Training runs and sweeps that start from a registered model ({@code baseModelId}): fine-tuning. */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class FineTuneTest {
    @BeforeEach
    void signIn() {
        TestAuth.asAdmin();
    }

    @Inject
    DataSource dataSource;

    private String dataset() throws Exception {
        return TestData.dataset(given(), "faces");
    }

    private static String run(String datasetId, String baseModelId, String hyperparameters) {
        return "{\"datasetId\":\"" + datasetId + "\","
                + (baseModelId == null ? "" : "\"baseModelId\":\"" + baseModelId + "\",") + "\"hyperparameters\":"
                + hyperparameters + "}";
    }

    private static final String X4 =
            "{\"scale\":4,\"residualBlocks\":16,\"hrCropSize\":48,\"pretrainSteps\":0,\"ganSteps\":10}";

    @Test
    void aRunStartsFromAModelAndTheModelStaysWhileTheRunNeedsIt() throws Exception {
        String datasetId = dataset();
        UUID model = TestData.model(dataSource, 4, false);

        String id = given().contentType(ContentType.JSON)
                .body(run(datasetId, model.toString(), X4))
                .when()
                .post("/api/training")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        given().get("/api/jobs/" + id)
                .then()
                .body("name", equalTo("test model x4 fine-tuned on faces"))
                .body("modelId", equalTo(model.toString()))
                .body("baseModel.id", equalTo(model.toString()))
                .body("baseModel.name", equalTo("test model x4"))
                .body("params.freezeBatchNorm", equalTo(true));
        given().get("/training/" + id).then().statusCode(200).body(containsString("started from model"));

        // the queued run needs the model: it cannot be deleted
        given().delete("/api/models/" + model)
                .then()
                .statusCode(409)
                .body("error", containsString("1 job that is queued or running uses the model"));

        // once the run has ended, it can; the run keeps the model's name
        given().post("/api/jobs/" + id + "/cancel").then().statusCode(200);
        given().delete("/api/models/" + model).then().statusCode(200);
        given().get("/api/jobs/" + id)
                .then()
                .body("modelId", nullValue())
                .body("baseModel.id", nullValue())
                .body("baseModel.name", equalTo("test model x4"));
        given().get("/training/" + id).then().statusCode(200).body(containsString("test model x4 (deleted)"));

        // with no checkpoint stored, the run has nothing to start from again
        given().post("/api/jobs/" + id + "/retry")
                .then()
                .statusCode(409)
                .body(
                        "error",
                        equalTo("model 'test model x4', which the run starts from, has been deleted and the run stored"
                                + " no checkpoint to resume from; submit it again with another baseModelId"));

        // with one, it resumes from its own checkpoint and needs the model no more
        UUID blob = UUID.randomUUID();
        TestData.exec(
                dataSource,
                "INSERT INTO blobs (id, content_type, size_bytes, complete) VALUES (?, 'application/zip', 0, true)",
                blob);
        TestData.exec(
                dataSource,
                "INSERT INTO checkpoints (id, job_id, step, blob_id, size_bytes) VALUES (?, ?::uuid, 5, ?, 0)",
                UUID.randomUUID(),
                id,
                blob);
        given().post("/api/jobs/" + id + "/retry").then().statusCode(202).body("status", equalTo("QUEUED"));
        given().post("/api/jobs/" + id + "/cancel").then().statusCode(200);
    }

    @Test
    void aModelThatDoesNotFitTheRunIsRefusedAndNothingIsStored() throws Exception {
        String datasetId = dataset();
        UUID model = TestData.model(dataSource, 4, false);
        long jobs = TestData.count(dataSource, "jobs");

        refused(run(datasetId, "not-a-uuid", X4), 400, "baseModelId must be the id of a registered model");
        refused(run(datasetId, UUID.randomUUID().toString(), X4), 422, "no model ");
        refused(
                run(datasetId, model.toString(), X4.replace("\"scale\":4", "\"scale\":2")),
                422,
                "model 'test model x4' upscales 4x and the run trains 2x; set scale 4 or start from a 2x model");
        refused(
                run(datasetId, model.toString(), X4.replace("\"residualBlocks\":16", "\"residualBlocks\":8")),
                422,
                "model 'test model x4' has 16 residual blocks and the run's generator 8; a run that starts from it"
                        + " needs residualBlocks of at least 16");
        TestData.exec(
                dataSource, "UPDATE models SET format = 'TORCHSCRIPT', residual_blocks = NULL WHERE id = ?", model);
        refused(run(datasetId, model.toString(), X4), 422, "is a TorchScript file");
        assertEquals(jobs, TestData.count(dataSource, "jobs"), "no job stored");

        // a deeper run than the model is fine: the added blocks start as identities
        TestData.exec(dataSource, "UPDATE models SET format = 'CHECKPOINT', residual_blocks = 8 WHERE id = ?", model);
        given().contentType(ContentType.JSON)
                .body(run(datasetId, model.toString(), X4))
                .when()
                .post("/api/training")
                .then()
                .statusCode(202);
    }

    @Test
    void batchNormStatisticsAreKeptByDefaultWhenARunStartsFromAModelAndOnlyThen() throws Exception {
        String datasetId = dataset();
        UUID model = TestData.model(dataSource, 4, false);
        String kept = given().contentType(ContentType.JSON)
                .body(run(datasetId, model.toString(), X4.replace("}", ",\"freezeBatchNorm\":false}")))
                .post("/api/training")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        given().get("/api/jobs/" + kept).then().body("params.freezeBatchNorm", equalTo(false));

        // from random weights there are no statistics to keep: refused, nothing stored
        long jobs = TestData.count(dataSource, "jobs");
        given().contentType(ContentType.JSON)
                .body(run(datasetId, null, X4.replace("}", ",\"freezeBatchNorm\":true}")))
                .post("/api/training")
                .then()
                .statusCode(400)
                .body("field", equalTo("freezeBatchNorm"))
                .body("error", containsString("a run from random weights has none to keep"));
        given().contentType(ContentType.JSON)
                .body("{\"datasetId\":\"" + datasetId + "\",\"hyperparameters\":" + X4
                        + ",\"grid\":{\"freezeBatchNorm\":[false,true]}}")
                .post("/api/training/sweeps")
                .then()
                .statusCode(400)
                .body("field", equalTo("freezeBatchNorm"))
                .body("error", containsString("grid point 2 of 2 (freezeBatchNorm=true)"));
        assertEquals(jobs, TestData.count(dataSource, "jobs"), "no job stored");

        // from a model, a sweep may compare both
        List<String> runs = given().contentType(ContentType.JSON)
                .body("{\"datasetId\":\"" + datasetId + "\",\"baseModelId\":\"" + model + "\",\"hyperparameters\":" + X4
                        + ",\"grid\":{\"freezeBatchNorm\":[false,true]}}")
                .post("/api/training/sweeps")
                .then()
                .statusCode(202)
                .extract()
                .path("jobIds");
        given().get("/api/jobs/" + runs.get(0)).then().body("params.freezeBatchNorm", equalTo(false));
        given().get("/api/jobs/" + runs.get(1)).then().body("params.freezeBatchNorm", equalTo(true));
    }

    private static void refused(String body, int status, String message) {
        given().contentType(ContentType.JSON)
                .body(body)
                .when()
                .post("/api/training")
                .then()
                .statusCode(status)
                .body("field", equalTo("baseModelId"))
                .body("error", containsString(message));
    }

    @Test
    void everyRunOfASweepStartsFromTheModel() throws Exception {
        String datasetId = dataset();
        UUID model = TestData.model(dataSource, 4, false);
        String sweep = "{\"datasetId\":\"" + datasetId + "\",\"baseModelId\":\"" + model + "\",\"hyperparameters\":"
                + X4 + ",\"grid\":{\"learningRateG\":[0.0001,0.00001]}}";
        io.restassured.path.json.JsonPath submitted = given().contentType(ContentType.JSON)
                .body(sweep)
                .when()
                .post("/api/training/sweeps")
                .then()
                .statusCode(202)
                .extract()
                .jsonPath();
        List<String> runs = submitted.getList("jobIds");
        assertEquals(2, runs.size());
        given().get("/api/training/sweeps/" + submitted.getString("id"))
                .then()
                .statusCode(200)
                .body("baseModelName", equalTo("test model x4"));
        for (String run : runs) {
            given().get("/api/jobs/" + run).then().body("baseModel.id", equalTo(model.toString()));
        }

        // a grid point of another scale does not fit the model: the whole sweep is refused
        long jobs = TestData.count(dataSource, "jobs");
        given().contentType(ContentType.JSON)
                .body(sweep.replace("\"learningRateG\":[0.0001,0.00001]", "\"scale\":[2,4]")
                        .replace("\"hrCropSize\":48", "\"hrCropSize\":32"))
                .when()
                .post("/api/training/sweeps")
                .then()
                .statusCode(422)
                .body("field", equalTo("baseModelId"))
                .body("error", containsString("upscales 4x and the run trains 2x"));
        assertEquals(jobs, TestData.count(dataSource, "jobs"), "no run of the refused sweep stored");
        given().get("/api/jobs?type=TRAINING&size=200")
                .then()
                .body("items.findAll { it.baseModel != null }.baseModel.name", everyItem(equalTo("test model x4")));
    }

    @Test
    void theSameIdempotencyKeyWithAnotherBaseModelIsRefused() throws Exception {
        String datasetId = dataset();
        UUID first = TestData.model(dataSource, 4, false);
        UUID second = TestData.model(dataSource, 4, false);
        String key = "fine-tune-" + UUID.randomUUID();
        given().header("Idempotency-Key", key)
                .contentType(ContentType.JSON)
                .body(run(datasetId, first.toString(), X4))
                .post("/api/training")
                .then()
                .statusCode(202);
        given().header("Idempotency-Key", key)
                .contentType(ContentType.JSON)
                .body(run(datasetId, second.toString(), X4))
                .post("/api/training")
                .then()
                .statusCode(422)
                .body("field", equalTo("Idempotency-Key"));
    }
}
