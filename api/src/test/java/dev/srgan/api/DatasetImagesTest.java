package dev.srgan.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import dev.srgan.embedded.EmbeddedServicesTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/datasets/{id}/images} and the dataset page: what a dataset holds, by name, and
 * which images a run holds out for validation ({@code ValidationSplit}, the worker's rule).
 */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class DatasetImagesTest {
    @Inject
    DataSource dataSource;

    @BeforeEach
    void signIn() {
        TestAuth.asAdmin();
    }

    @Test
    void aDatasetListsItsImagesByNameWithTheHeldOutTenth() throws Exception {
        // eleven images (one held out), zipped out of order, with a file that is no image
        List<String> names = new java.util.ArrayList<>(List.of("notes.txt", "photos/k.png", "photos/b.png"));
        for (char c = 'c'; c <= 'j'; c++) {
            names.add("photos/" + c + ".png");
        }
        names.add("a.png");
        String id = given().multiPart("file", "set.zip", TestData.zip(names.toArray(String[]::new)), "application/zip")
                .multiPart("name", "listed")
                .post("/api/datasets")
                .then()
                .statusCode(201)
                .extract()
                .path("id");

        given().get("/api/datasets/" + id + "/images")
                .then()
                .statusCode(200)
                .body("name", equalTo("listed"))
                .body("count", equalTo(11))
                .body("heldOut", equalTo(1))
                .body("images[0].name", equalTo("a.png"))
                .body("images[0].width", equalTo(48))
                .body("images[0].split", equalTo("training"))
                .body("images[1].name", equalTo("photos/b.png"))
                .body("images[10].name", equalTo("photos/k.png"))
                .body("images[10].split", equalTo("validation"))
                .body("images.findAll { it.split == 'validation' }.size()", equalTo(1));
        given().get("/training/datasets/" + id)
                .then()
                .statusCode(200)
                .body(containsString("<tr data-split=\"validation\"><td class=\"mono small\">photos/k.png</td>"))
                .body(containsString("A run validates on the last 1 by name"));
        given().get("/training").then().body(containsString("href=\"/training/datasets/" + id + "\""));
        given().get("/training/datasets/" + id).then().body(containsString("<p class=\"empty\" id=\"dataset-users\">"));
        String run = given().contentType(io.restassured.http.ContentType.JSON)
                .body("{\"datasetId\":\"" + id + "\",\"validationDatasetId\":\"" + id + "\",\"name\":\"uses it\","
                        + "\"hyperparameters\":{\"scale\":2,\"hrCropSize\":32,\"pretrainSteps\":1,\"ganSteps\":0}}")
                .post("/api/training")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        given().get("/training/datasets/" + id)
                .then()
                .body(containsString("<a href=\"/training/" + run + "\">uses it</a>"))
                .body(containsString("<td>trains on it</td>"));
        given().post("/api/jobs/" + run + "/cancel").then().statusCode(200);

        // a dataset stored before its images were recorded: listed from its zip when first asked for
        TestData.exec(dataSource, "DELETE FROM dataset_images WHERE dataset_id = ?::uuid", id);
        given().get("/training/datasets/" + id)
                .then()
                .body(containsString("id=\"images-unknown\""))
                .body(not(containsString("id=\"dataset-images\"")));
        given().get("/api/datasets/" + id + "/images")
                .then()
                .statusCode(200)
                .body("count", equalTo(11))
                .body("images[10].split", equalTo("validation"));
        given().get("/training/datasets/" + id).then().body(containsString("id=\"dataset-images\""));

        given().get("/api/datasets/" + UUID.randomUUID() + "/images").then().statusCode(404);
        given().get("/api/datasets/nope/images").then().statusCode(404);
        given().get("/training/datasets/" + UUID.randomUUID()).then().statusCode(404);
    }

    @Test
    void aSingleImageBothTrainsAndValidates() throws Exception {
        String id = given().multiPart("file", "one.zip", TestData.zip("only.png"), "application/zip")
                .post("/api/datasets")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        given().get("/api/datasets/" + id + "/images")
                .then()
                .body("count", equalTo(1))
                .body("images[0].split", equalTo("both"));
    }
}
