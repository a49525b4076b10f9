package dev.srgan.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.srgan.embedded.EmbeddedServicesTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /api/models/{id}/evaluate}: an EVALUATE job on a dataset's photos, their LR inputs
 * the bicubic shrink or degraded as real photos are; what the Models page and the API show of it.
 */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class EvaluateModelTest {
    @Inject
    DataSource dataSource;

    @BeforeEach
    void signIn() {
        TestAuth.asAdmin();
    }

    @Test
    void anEvaluationMayDegradeItsInputsAndABadStrengthIsRefusedNamingIt() throws Exception {
        UUID model = TestData.model(dataSource, 4, false);
        String dataset = TestData.dataset(given(), "eval photos");
        String clean = given().contentType(ContentType.JSON)
                .body("{\"datasetId\": \"" + dataset + "\"}")
                .post("/api/models/" + model + "/evaluate")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        given().get("/api/jobs/" + clean)
                .then()
                .body("type", equalTo("EVALUATE"))
                .body("name", equalTo("evaluate test model x4 on eval photos"))
                .body("params.scale", equalTo(4))
                .body("params.degradation", nullValue());
        String degraded = given().contentType(ContentType.JSON)
                .body("{\"datasetId\": \"" + dataset
                        + "\", \"blurSigma\": 1.5, \"noiseSigma\": 5, \"jpegQuality\": 67}")
                .post("/api/models/" + model + "/evaluate")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        given().get("/api/jobs/" + degraded)
                .then()
                .body(
                        "name",
                        equalTo("evaluate test model x4 on eval photos (degraded: blur σ 1.5 px, noise σ 5 levels,"
                                + " JPEG quality 67)"))
                .body("params.degradation.blurSigma", equalTo(1.5f))
                .body("params.degradation.noiseSigma", equalTo(5.0f))
                .body("params.degradation.jpegQuality", equalTo(67));

        long jobs = TestData.count(dataSource, "jobs");
        String[][] bad = {
            {"\"blurSigma\": -1", "blurSigma"},
            {"\"noiseSigma\": 80", "noiseSigma"},
            {"\"jpegQuality\": 0", "jpegQuality"},
        };
        for (String[] b : bad) {
            given().contentType(ContentType.JSON)
                    .body("{\"datasetId\": \"" + dataset + "\", " + b[0] + "}")
                    .post("/api/models/" + model + "/evaluate")
                    .then()
                    .statusCode(400)
                    .body("field", equalTo(b[1]))
                    .body("error", containsString(b[1] + " must be from"));
        }
        assertEquals(jobs, TestData.count(dataSource, "jobs"), "nothing queued for a refused evaluation");

        // what a worker stores for the degraded evaluation, as the Models page and the API show it
        TestData.exec(
                dataSource,
                "INSERT INTO model_evaluations (id, model_id, job_id, scale, image_count, psnr, ssim, bicubic_psnr,"
                        + " bicubic_ssim, ms_per_image, details, degradation) VALUES (?, ?, ?::uuid, 4, 2, 24.5, 0.7,"
                        + " 24.1, 0.68, 100, '[]'::jsonb,"
                        + " '{\"blurSigma\": 1.5, \"noiseSigma\": 5.0, \"jpegQuality\": 67}'::jsonb)",
                UUID.randomUUID(),
                model,
                degraded);
        given().get("/api/models/" + model)
                .then()
                .statusCode(200)
                .body("evaluation.psnr", equalTo(24.5f))
                .body("evaluation.degradation", equalTo("blur σ 1.5 px, noise σ 5 levels, JPEG quality 67"));
        given().get("/models")
                .then()
                .statusCode(200)
                .body(containsString("inputs degraded: blur σ 1.5 px, noise σ 5 levels, JPEG quality 67</div>"));
    }

    @Test
    void anEvaluationMayMeasureTheModelBlendedWithAnotherAndShowsItApart() throws Exception {
        UUID model = TestData.model(dataSource, 4, false);
        UUID other = TestData.model(dataSource, 4, false);
        UUID twice = TestData.model(dataSource, 2, false);
        String dataset = TestData.dataset(given(), "blend photos");
        String job = given().contentType(ContentType.JSON)
                .body("{\"datasetId\": \"" + dataset + "\", \"blendModelId\": \"" + other
                        + "\", \"blendWeight\": 0.3, \"blendMode\": \"pixels\"}")
                .post("/api/models/" + model + "/evaluate")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        given().get("/api/jobs/" + job)
                .then()
                .body("name", equalTo("evaluate test model x4 + 30% test model x4, outputs mixed on blend photos"))
                .body("params.blendModelId", equalTo(other.toString()))
                .body("params.blendWeight", equalTo(0.3f))
                .body("params.blendMode", equalTo("pixels"));

        long jobs = TestData.count(dataSource, "jobs");
        given().contentType(ContentType.JSON)
                .body("{\"datasetId\": \"" + dataset + "\", \"blendModelId\": \"" + twice
                        + "\", \"blendWeight\": 0.5, \"blendMode\": \"pixels\"}")
                .post("/api/models/" + model + "/evaluate")
                .then()
                .statusCode(422)
                .body("field", equalTo("blendModelId"))
                .body("error", containsString("only models of one scale mix their outputs"));
        given().contentType(ContentType.JSON)
                .body("{\"datasetId\": \"" + dataset + "\", \"blendModelId\": \"" + other
                        + "\", \"blendWeight\": 0.5, \"blendMode\": \"average\"}")
                .post("/api/models/" + model + "/evaluate")
                .then()
                .statusCode(400)
                .body("field", equalTo("blendMode"));
        given().contentType(ContentType.JSON)
                .body("{\"datasetId\": \"" + dataset + "\", \"blendModelId\": \"" + other + "\"}")
                .post("/api/models/" + model + "/evaluate")
                .then()
                .statusCode(400)
                .body("field", equalTo("blendWeight"));
        assertEquals(jobs, TestData.count(dataSource, "jobs"), "nothing queued for a refused evaluation");

        // what a worker stores for the blend's evaluation: a row of its own, not the model's
        TestData.exec(
                dataSource,
                "INSERT INTO model_evaluations (id, model_id, job_id, scale, image_count, psnr, ssim, bicubic_psnr,"
                        + " bicubic_ssim, ms_per_image, details, blend) VALUES (?, ?, ?::uuid, 4, 2, 26.5, 0.8,"
                        + " 24.1, 0.68, 100, '[]'::jsonb, ?::jsonb)",
                UUID.randomUUID(),
                model,
                job,
                "{\"modelId\": \"" + other + "\", \"weight\": 0.3, \"mode\": \"pixels\"}");
        given().get("/api/models/" + model)
                .then()
                .statusCode(200)
                .body("evaluation", nullValue())
                .body("evaluations.size()", equalTo(0))
                .body("blendEvaluations[0].psnr", equalTo(26.5f))
                .body("blendEvaluations[0].blend", equalTo("blended 30% with test model x4, outputs mixed"));
        given().get("/models")
                .then()
                .statusCode(200)
                .body(containsString("test model x4 blended 30% with test model x4, outputs mixed, on the bicubic"));

        // the blend model stays while the evaluation is queued; deleting it then takes the
        // evaluations of blends with it along
        given().delete("/api/models/" + other).then().statusCode(409);
        given().post("/api/jobs/" + job + "/cancel").then().statusCode(200);
        given().delete("/api/models/" + other).then().statusCode(200);
        assertEquals(0, TestData.count(dataSource, "model_evaluations WHERE model_id = '" + model + "'"));
    }
}
