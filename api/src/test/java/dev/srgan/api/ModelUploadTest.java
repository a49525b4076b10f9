package dev.srgan.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.srgan.embedded.EmbeddedServicesTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.InputStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An SRGAN model zip (what {@code ./srgan train} writes) uploads as a model; bad files store nothing. */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class ModelUploadTest {
    @Inject
    DataSource dataSource;

    @BeforeEach
    void auth() {
        TestAuth.asAdmin();
    }

    private static byte[] shippedZip() throws Exception {
        try (InputStream in = Thread.currentThread()
                .getContextClassLoader()
                .getResourceAsStream("shipped-models/srresnet-x4.srgan.zip")) {
            assertNotNull(in, "the shipped model is packed into the api");
            return in.readAllBytes();
        }
    }

    @Test
    void srganZipUploadsWithScaleAndBlocksFromItsManifest() throws Exception {
        given().multiPart("file", "mine.srgan.zip", shippedZip(), "application/zip")
                .multiPart("name", "uploaded x4")
                .post("/api/models")
                .then()
                .statusCode(201)
                .body("name", equalTo("uploaded x4"))
                .body("format", equalTo("CHECKPOINT"))
                .body("scale", equalTo(4))
                .body("residualBlocks", equalTo(16))
                .body("source", containsString("upload 'mine.srgan.zip'"));
    }

    @Test
    void badModelFilesAreRejectedAndStoreNothing() throws Exception {
        long models = TestData.count(dataSource, "models");
        long blobs = TestData.count(dataSource, "blobs");
        given().multiPart("file", "x4.srgan.zip", shippedZip(), "application/zip")
                .multiPart("scale", "2")
                .post("/api/models")
                .then()
                .statusCode(422)
                .body("field", equalTo("scale"))
                .body("error", containsString("4x model"));
        given().multiPart(
                        "file",
                        "broken.srgan.zip",
                        TestData.zip("manifest.json", "generator.params"),
                        "application/zip")
                .post("/api/models")
                .then()
                .statusCode(422)
                .body("field", equalTo("file"))
                .body("error", containsString("not a usable SRGAN model"));
        given().multiPart("file", "notes.zip", TestData.zip("notes.txt"), "application/zip")
                .multiPart("scale", "4")
                .post("/api/models")
                .then()
                .statusCode(415)
                .body("error", containsString("neither an SRGAN model"));
        given().multiPart("file", "x.pt", TestData.zip("x/data.pkl"), "application/zip")
                .post("/api/models")
                .then()
                .statusCode(400)
                .body("field", equalTo("scale"));
        assertEquals(models, TestData.count(dataSource, "models"));
        assertEquals(blobs, TestData.count(dataSource, "blobs"));
    }
}
