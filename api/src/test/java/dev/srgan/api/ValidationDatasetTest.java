package dev.srgan.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.embedded.EmbeddedServicesTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A run (or every run of a sweep) that validates on a dataset of its own, {@code validationDatasetId}:
 * submitted, shown, checked, and kept from deletion while it is needed. (That the worker then
 * validates on it is TrainingJobTest's.)
 */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class ValidationDatasetTest {
    private static final String HYPERPARAMETERS =
            "\"hyperparameters\":{\"scale\":2,\"residualBlocks\":2,\"batchSize\":4,\"hrCropSize\":32,"
                    + "\"pretrainSteps\":10,\"ganSteps\":5}";

    @Inject
    DataSource dataSource;

    @BeforeEach
    void signIn() {
        TestAuth.asAdmin();
    }

    private static String dataset(String name, int side) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry("eval/a.png"));
            z.write(TestData.png(side, side));
            z.closeEntry();
        }
        return given().multiPart("file", name + ".zip", out.toByteArray(), "application/zip")
                .multiPart("name", name)
                .post("/api/datasets")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    @Test
    void aRunValidatesOnTheDatasetItNamesWhichCannotGoWhileTheRunNeedsIt() throws Exception {
        String training = TestData.dataset(given(), "validation-test photos");
        String eval = dataset("eval set", 64);
        String id = given().contentType(ContentType.JSON)
                .body("{\"datasetId\":\"" + training + "\",\"validationDatasetId\":\"" + eval + "\"," + HYPERPARAMETERS
                        + "}")
                .post("/api/training")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        given().get("/api/jobs/" + id)
                .then()
                .body("validationDataset.id", equalTo(eval))
                .body("validationDataset.name", equalTo("eval set"));
        given().get("/training/" + id).then().body(containsString("validates on dataset eval set"));
        String[] rows = given().get("/api/training/runs.csv?q=validation-test photos")
                .asString()
                .split("\n");
        assertEquals(2, rows.length, String.join("\n", rows));
        assertTrue(rows[1].contains(",QUEUED,bootstrap admin,"), rows[1]);
        assertTrue(rows[1].contains(",,eval set,0,15,"), "no base model, then the validation dataset: " + rows[1]);

        given().delete("/api/datasets/" + eval)
                .then()
                .statusCode(409)
                .body(
                        "error",
                        equalTo("1 training run that is queued or running validates on the dataset; delete it"
                                + " once they have ended, or cancel them"));
        given().post("/api/jobs/" + id + "/cancel").then().statusCode(200);
        given().delete("/api/datasets/" + eval).then().statusCode(200);
        given().get("/api/jobs/" + id)
                .then()
                .body("validationDataset.id", nullValue())
                .body("validationDataset.name", equalTo("eval set"));
        given().get("/training/" + id).then().body(containsString("validates on dataset eval set (deleted)"));
        given().post("/api/jobs/" + id + "/retry")
                .then()
                .statusCode(409)
                .body(
                        "error",
                        equalTo("the run's validation dataset 'eval set' has been deleted; it cannot run again"));
    }

    @Test
    void aValidationDatasetIsCheckedAndNothingIsStoredForABadOne() throws Exception {
        String training = TestData.dataset(given(), "validation-check photos");
        String tiny = dataset("tiny eval", 16);
        long jobs = TestData.count(dataSource, "jobs");
        for (Object[] refused : List.of(
                new Object[] {"\"nope\"", 400, "validationDatasetId must be the id of an uploaded dataset"},
                new Object[] {"\"" + java.util.UUID.randomUUID() + "\"", 422, "no dataset"})) {
            given().contentType(ContentType.JSON)
                    .body("{\"datasetId\":\"" + training + "\",\"validationDatasetId\":" + refused[0] + ","
                            + HYPERPARAMETERS + "}")
                    .post("/api/training")
                    .then()
                    .statusCode((Integer) refused[1])
                    .body("field", equalTo("validationDatasetId"))
                    .body("error", containsString((String) refused[2]));
        }
        given().contentType(ContentType.JSON)
                .body("{\"datasetId\":\"" + training + "\",\"validationDatasetId\":\"" + tiny + "\","
                        + "\"hyperparameters\":{\"scale\":4,\"hrCropSize\":32,\"pretrainSteps\":1,\"ganSteps\":0}}")
                .post("/api/training")
                .then()
                .statusCode(422)
                .body("field", equalTo("validationDatasetId"))
                .body(
                        "error",
                        equalTo("'eval/a.png' in dataset 'tiny eval' is 16 pixels on its short side; validating at 4x"
                                + " needs at least 19"));
        assertEquals(jobs, TestData.count(dataSource, "jobs"), "nothing stored");

        // a sweep's runs all validate on it
        String eval = dataset("sweep eval", 64);
        List<String> runs = given().contentType(ContentType.JSON)
                .body("{\"datasetId\":\"" + training + "\",\"validationDatasetId\":\"" + eval + "\"," + HYPERPARAMETERS
                        + ",\"grid\":{\"batchSize\":[2,4]}}")
                .post("/api/training/sweeps")
                .then()
                .statusCode(202)
                .extract()
                .path("jobIds");
        for (String run : runs) {
            given().get("/api/jobs/" + run).then().body("validationDataset.name", equalTo("sweep eval"));
        }
    }
}
