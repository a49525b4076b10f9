package dev.srgan.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.srgan.embedded.EmbeddedServicesTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * WebP uploads, as a browser's "save image" gives them, and TIFF scans: single and batch upscales
 * and datasets take them beside PNG and JPEG, sized as shown (EXIF orientation), stored with their
 * own content type; a truncated or animated WebP and a TIFF of several pages are refused with the
 * reason and nothing stored. The WebP files are the domain module's fixtures (its
 * make-fixtures.py); the TIFFs are written here by the JDK.
 */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class UploadFormatsTest {

    @Inject
    DataSource dataSource;

    @BeforeEach
    void signIn() throws Exception {
        TestAuth.asAdmin();
        TestData.model(dataSource, 4, true);
    }

    /** An upscale of the file at 4x, queued (202); its job id. */
    private static String queued(String name, byte[] file, String contentType) {
        return given().multiPart("image", name, file, contentType)
                .multiPart("scale", "4")
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
    }

    /** An upscale of the file at 4x, refused (400). */
    private static io.restassured.response.ValidatableResponse refused(String name, byte[] file, String contentType) {
        return given().multiPart("image", name, file, contentType)
                .multiPart("scale", "4")
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(400);
    }

    static byte[] webp(String name) throws IOException {
        return Files.readAllBytes(Path.of("../domain/src/test/resources/webp", name));
    }

    @Test
    void aWebpUpscaleIsQueuedAsShownAndStoredAsWebp() throws Exception {
        String id = queued("photo.webp", webp("lossy-alpha.webp"), "image/webp");
        given().get("/api/jobs/" + id)
                .then()
                .statusCode(200)
                .body("inputName", equalTo("photo.webp"))
                .body("params.inputWidth", equalTo(40))
                .body("params.inputHeight", equalTo(30));
        assertEquals("image/webp", inputContentType(id));

        // a phone's photo: 40x24 stored, EXIF orientation 6, so 24x40 as shown
        String rotated = queued("phone.webp", webp("rotated-exif6.webp"), "image/webp");
        given().get("/api/jobs/" + rotated)
                .then()
                .body("params.inputWidth", equalTo(24))
                .body("params.inputHeight", equalTo(40));
        // the Upscale page shows the input as the upscale sees it, upright, whatever the browser does with a WebP
        assertSize(24, 40, given().get("/upscale/" + rotated + "/input"));
        assertSize(96, 160, given().queryParam("bicubic", true).get("/upscale/" + rotated + "/input"));
    }

    private static void assertSize(int width, int height, io.restassured.response.Response response)
            throws IOException {
        byte[] png = response.then()
                .statusCode(200)
                .contentType("image/png")
                .extract()
                .asByteArray();
        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png));
        assertEquals(width, image.getWidth());
        assertEquals(height, image.getHeight());
    }

    @Test
    void aTruncatedOrAnimatedWebpIsRefusedAndNothingStored() throws Exception {
        long jobs = TestData.count(dataSource, "jobs");
        long blobs = TestData.count(dataSource, "blobs");
        byte[] lossy = webp("lossy.webp");
        refused("cut.webp", Arrays.copyOf(lossy, lossy.length - 40), "image/webp")
                .body("field", equalTo("image"))
                .body("error", containsString("'cut.webp' is not a whole WebP image: it is truncated"));
        refused("loop.webp", webp("animated.webp"), "image/webp")
                .body("field", equalTo("image"))
                .body(
                        "error",
                        equalTo("'loop.webp' is an animated WebP (2 frames); only still images are read: save the"
                                + " frame you want as a PNG"));
        assertEquals(jobs, TestData.count(dataSource, "jobs"));
        assertEquals(blobs, TestData.count(dataSource, "blobs"));
    }

    @Test
    void aBatchZipTakesItsWebpEntries() throws Exception {
        byte[] zip = BatchUpscaleTest.zip(Map.of(
                "web/a.webp",
                webp("lossy.webp"),
                "web/b.png",
                TestData.png(24, 24),
                "web/c.WEBP",
                webp("lossless-alpha.webp")));
        String id = given().multiPart("file", "web.zip", zip, "application/zip")
                .multiPart("scale", "4")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(202)
                .body("count", equalTo(3))
                .extract()
                .path("id");
        JsonPath batch =
                given().get("/api/jobs/" + id).then().statusCode(200).extract().jsonPath();
        assertEquals(List.of("a-x4.png", "b-x4.png", "c-x4.png"), batch.getList("batch.images.output"));
        List<String> images = batch.getList("batch.images.jobId");
        int[] widths = {64, 24, 40};
        for (int i = 0; i < 3; i++) {
            given().get("/api/jobs/" + images.get(i)).then().body("params.inputWidth", equalTo(widths[i]));
        }
    }

    @Test
    void aDatasetHoldsWebpPhotosAndRefusesAnAnimatedOne() throws Exception {
        byte[] zip = BatchUpscaleTest.zip(Map.of(
                "a.webp", webp("lossy.webp"), "b.png", TestData.png(48, 48), "c.webp", webp("simple-filter.webp")));
        String id = given().multiPart("file", "web.zip", zip, "application/zip")
                .multiPart("name", "web photos " + UUID.randomUUID())
                .when()
                .post("/api/datasets")
                .then()
                .statusCode(201)
                .body("imageCount", equalTo(3))
                .extract()
                .path("id");
        given().get("/api/datasets/" + id + "/images")
                .then()
                .statusCode(200)
                .body("images[0].name", equalTo("a.webp"))
                .body("images[0].width", equalTo(64))
                .body("images[2].height", equalTo(41));

        long datasets = TestData.count(dataSource, "datasets");
        byte[] animated =
                BatchUpscaleTest.zip(Map.of("a.png", TestData.png(48, 48), "loop.webp", webp("animated.webp")));
        given().multiPart("file", "anim.zip", animated, "application/zip")
                .when()
                .post("/api/datasets")
                .then()
                .statusCode(400)
                .body("field", equalTo("file"))
                .body("error", containsString("'loop.webp' in 'anim.zip' is an animated WebP (2 frames)"));
        // a pasted image part without a name that says its format still counts as an image
        given().multiPart("images", "blob", webp("lossy.webp"), "image/webp")
                .multiPart("name", "pasted " + UUID.randomUUID())
                .when()
                .post("/api/datasets")
                .then()
                .statusCode(201)
                .body("imageCount", equalTo(1));
        assertEquals(datasets + 1, TestData.count(dataSource, "datasets"));
    }

    @Test
    void aTiffScanIsQueuedAndOneOfSeveralPagesRefused() throws Exception {
        String id = queued("scan.tif", TestData.tiff(TestData.image(48, 36)), "image/tiff");
        given().get("/api/jobs/" + id).then().body("params.inputWidth", equalTo(48));
        assertEquals("image/tiff", inputContentType(id));
        assertSize(48, 36, given().get("/upscale/" + id + "/input")); // browsers show no TIFF: a PNG

        long jobs = TestData.count(dataSource, "jobs");
        byte[] pages = TestData.tiff(TestData.image(20, 20), TestData.image(20, 20), TestData.image(20, 20));
        refused("album.tiff", pages, "image/tiff")
                .body(
                        "error",
                        equalTo("'album.tiff' is a TIFF of 3 pages; only one picture is read: save the page you want"
                                + " as its own file"));
        byte[] scan = TestData.tiff(TestData.image(40, 40));
        refused("cut.tif", Arrays.copyOf(scan, scan.length - 300), "image/tiff")
                .body("error", containsString("'cut.tif' is not a whole TIFF image: it is truncated"));
        assertEquals(jobs, TestData.count(dataSource, "jobs"));
    }

    private String inputContentType(String jobId) throws Exception {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(
                        "SELECT b.content_type FROM jobs j JOIN blobs b ON b.id = j.input_blob_id WHERE j.id = ?")) {
            s.setObject(1, UUID.fromString(jobId));
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getString(1);
            }
        }
    }
}
