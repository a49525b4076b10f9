package dev.srgan.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.embedded.EmbeddedServicesTestResource;
import dev.srgan.networks.image.WebpWriter;
import dev.srgan.platform.blobs.BlobStore;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.imageio.ImageIO;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Output options on {@code POST /api/upscale} and {@code /api/upscale/batch}: format (png, jpeg, webp),
 * quality, outscale or width. Recorded in the job's params, they choose the model's scale when none
 * is given, are part of the Idempotency-Key's request, name a batch's results, and every bad one is
 * refused with its field and stores nothing. (The worker's side is in the worker's
 * UpscaleOutputOptionsTest; the results here are written with SQL, as a worker writes them.)
 */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class UpscaleOutputOptionsTest {
    private static final List<String> TABLES = List.of("jobs", "blobs", "batches");

    @Inject
    DataSource dataSource;

    @Inject
    BlobStore blobs;

    UUID x2;
    UUID x4;

    @BeforeEach
    void setUp() throws Exception {
        TestAuth.asAdmin();
        x2 = TestData.model(dataSource, 2, true);
        x4 = TestData.model(dataSource, 4, true);
    }

    private static RequestSpecification image(int w, int h) throws Exception {
        return given().multiPart("image", "photo.png", TestData.png(w, h), "image/png");
    }

    private static JsonPath job(String id) {
        return given().when()
                .get("/api/jobs/" + id)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    @Test
    void optionsAreRecordedInParamsAndOutscaleOrWidthChooseTheSmallestModelThatReachesThem() throws Exception {
        String jpeg = image(64, 48)
                .multiPart("format", "jpeg")
                .multiPart("outscale", "3")
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        JsonPath p = job(jpeg);
        assertEquals(4, p.getInt("params.scale"), "outscale 3: the 4x model");
        assertEquals("jpeg", p.getString("params.format"));
        assertEquals(92, p.getInt("params.quality"), "the default quality");
        assertEquals(3, p.getInt("params.outscale"));
        assertEquals(x4.toString(), p.getString("modelId"));

        String half = image(64, 48)
                .multiPart("outscale", "1.5")
                .multiPart("format", "PNG")
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        p = job(half);
        assertEquals(2, p.getInt("params.scale"), "outscale 1.5: the 2x model");
        assertEquals(1.5f, p.getFloat("params.outscale"));
        assertEquals("png", p.getString("params.format"));
        assertNull(p.get("params.quality"), "a PNG has no quality");
        assertEquals(x2.toString(), p.getString("modelId"));

        String wide = image(64, 48)
                .multiPart("width", "200")
                .multiPart("format", "jpeg")
                .multiPart("quality", "75")
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        p = job(wide);
        assertEquals(4, p.getInt("params.scale"), "200 / 64 = 3.1 times: the 4x model");
        assertEquals(200, p.getInt("params.width"));
        assertEquals(75, p.getInt("params.quality"));

        // (not 8x: UpscaleSubmissionTest needs the 8x models free of jobs)
        String given = image(16, 16)
                .multiPart("scale", "4")
                .multiPart("outscale", "1.5")
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        assertEquals(4, job(given).getInt("params.scale"), "a scale given is kept, then resized down");

        String plain = image(16, 16)
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        p = job(plain);
        assertEquals(4, p.getInt("params.scale"), "no options: 4x as before");
        assertEquals("png", p.getString("params.format"));
        assertNull(p.get("params.outscale"));
    }

    @Test
    void everyBadOptionIsRefusedWithItsFieldAndNothingIsStored() throws Exception {
        Map<String, Long> before = counts();
        refused(image(64, 48).multiPart("format", "gif"), 400, "format", "format must be png, jpeg or webp, got 'gif'");
        refused(
                image(64, 48).multiPart("quality", "80"),
                400,
                "quality",
                "quality applies to JPEG only (PNG and WebP are lossless); add format=jpeg or leave quality out");
        refused(
                image(64, 48).multiPart("format", "png").multiPart("quality", "80"),
                400,
                "quality",
                "quality applies to JPEG only (PNG and WebP are lossless); add format=jpeg or leave quality out");
        refused(
                image(64, 48).multiPart("format", "jpeg").multiPart("quality", "101"),
                400,
                "quality",
                "quality must be a whole number from 1 to 100, got '101'");
        refused(
                image(64, 48).multiPart("outscale", "9"),
                400,
                "outscale",
                "outscale must be a number from 1 to 8, such as 3 or 2.5, got '9'");
        refused(
                image(64, 48).multiPart("outscale", "three"),
                400,
                "outscale",
                "outscale must be a number from 1 to 8, such as 3 or 2.5, got 'three'");
        refused(
                image(64, 48).multiPart("width", "wide"),
                400,
                "width",
                "width must be a whole number of pixels, at least 1, got 'wide'");
        refused(
                image(64, 48).multiPart("outscale", "2").multiPart("width", "100"),
                400,
                "width",
                "give either outscale or width, not both (width 100, outscale 2)");
        refused(
                image(64, 48).multiPart("scale", "3"),
                400,
                "scale",
                "scale must be 2, 4 or 8, got '3'; for a result 3 times the size, send outscale=3 (the model of the"
                        + " next scale up, then resized)");
        // well formed, but not what the model or the image allow
        refused(
                image(64, 48).multiPart("scale", "2").multiPart("outscale", "3"),
                422,
                "outscale",
                "outscale 3 is more than the 2x model upscales; choose scale 4 or more (or leave scale out to have it"
                        + " chosen from outscale), or an outscale of at most 2");
        refused(
                image(64, 48).multiPart("width", "600"),
                422,
                "width",
                "width 600 is more than 8 times the image's width of 64; the most is 512");
        refused(
                image(64, 48).multiPart("width", "32"),
                422,
                "width",
                "width 32 is less than the image's width of 64; a result is at least as large as its input");
        refused(
                image(64, 48).multiPart("scale", "2").multiPart("width", "200"),
                422,
                "width",
                "width 200 is more than the 2x model makes of the image's width of 64 (128); choose scale 4 or more"
                        + " (or leave scale out to have it chosen from width), or a width of at most 128");
        refused(
                given().multiPart("image", "panorama.png", BatchUpscaleTest.pngClaiming(4100, 100), "image/png")
                        .multiPart("format", "webp"),
                422,
                "format",
                "a WebP holds at most 16384 pixels a side, and this result would be 16400x400; choose png or jpeg, or"
                        + " a smaller size");
        // the output limit (64 MP) holds for the final size, and for the model's output before resizing
        refused(
                given().multiPart("image", "big.png", BatchUpscaleTest.pngClaiming(4000, 4000), "image/png")
                        .multiPart("outscale", "2.5"),
                413,
                "outscale",
                "4000x4000 at 2.5x would be 10000x10000 = 100.0 megapixels; the output limit is 67.1 megapixels");
        refused(
                given().multiPart("image", "big.png", BatchUpscaleTest.pngClaiming(3000, 3000), "image/png")
                        .multiPart("outscale", "2.5"),
                413,
                "outscale",
                "3000x3000 at 2.5x is upscaled by the 4x model to 12000x12000 = 144.0 megapixels before it is resized"
                        + " to 7500x7500; the output limit is 67.1 megapixels (it bounds what a worker holds in"
                        + " memory); ask for a smaller size, or leave scale out so that the smallest model that"
                        + " reaches the size is used");
        assertEquals(before, counts(), "no refused upscale stored anything");
    }

    private static void refused(RequestSpecification request, int status, String field, String error) {
        request.when()
                .post("/api/upscale")
                .then()
                .statusCode(status)
                .body("field", equalTo(field))
                .body("error", equalTo(error));
    }

    @Test
    void aBatchNamesItsResultsByTheOptionsAndZipsTheJpegs() throws Exception {
        String id = given().multiPart("images", "photo.jpg", BatchUpscaleTest.jpeg(10, 8), "image/jpeg")
                .multiPart("images", "trip/photo.png", TestData.png(6, 6), "image/png")
                .multiPart("format", "jpeg")
                .multiPart("outscale", "3")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        JsonPath batch = job(id);
        assertEquals(4, batch.getInt("params.scale"));
        assertEquals("jpeg", batch.getString("params.format"));
        assertEquals(3, batch.getInt("params.outscale"));
        assertEquals(List.of("photo-x3.jpg", "photo-x3-2.jpg"), batch.getList("batch.images.output"));
        List<String> images = batch.getList("batch.images.jobId");
        JsonPath first = job(images.get(0));
        assertEquals("jpeg", first.getString("params.format"));
        assertEquals(3, first.getInt("params.outscale"));
        assertEquals(4, first.getInt("params.scale"));

        succeedAsJpeg(images.get(0), 30, 24);
        succeedAsJpeg(images.get(1), 18, 18);
        byte[] zipped = given().queryParam("download", true)
                .when()
                .get("/api/jobs/" + id + "/result")
                .then()
                .statusCode(200)
                .contentType("application/zip")
                .header(
                        "Content-Disposition",
                        equalTo("attachment; filename=\"batch-" + id.substring(0, 8) + "-x3.zip\""))
                .extract()
                .asByteArray();
        Map<String, byte[]> zip = BatchUpscaleTest.unzip(zipped);
        assertEquals(List.of("photo-x3.jpg", "photo-x3-2.jpg"), new ArrayList<>(zip.keySet()));
        try (ZipInputStream entries = new ZipInputStream(new ByteArrayInputStream(zipped))) {
            for (ZipEntry e = entries.getNextEntry(); e != null; e = entries.getNextEntry()) {
                entries.readAllBytes(); // the sizes follow the data
                assertTrue(
                        e.getCompressedSize() >= e.getSize(), e.getName() + ": a JPEG is stored, not deflated again");
            }
        }
        given().when()
                .get("/upscale/" + id)
                .then()
                .statusCode(200)
                .body(containsString(", resized to 3×"))
                .body(containsString("Download zip (2 JPEGs)"))
                .body(containsString("photo-x3-2.jpg"));
        assertEquals(0xffd8, (zip.get("photo-x3.jpg")[0] & 0xff) << 8 | (zip.get("photo-x3.jpg")[1] & 0xff));

        String half = given().multiPart("images", "photo.jpg", BatchUpscaleTest.jpeg(10, 8), "image/jpeg")
                .multiPart("format", "jpeg")
                .multiPart("outscale", "2.5")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        assertEquals(List.of("photo-x2.5.jpg"), job(half).getList("batch.images.output"));
        String wide = given().multiPart("images", "a.png", TestData.png(60, 20), "image/png")
                .multiPart("images", "b.png", TestData.png(30, 20), "image/png")
                .multiPart("width", "100")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        JsonPath w = job(wide);
        assertEquals(List.of("a-w100.png", "b-w100.png"), w.getList("batch.images.output"));
        assertEquals(4, w.getInt("params.scale"), "a.png needs the 2x model, b.png the 4x: 4x for the batch");
    }

    @Test
    void aBadOptionRefusesTheWholeBatchNamingTheImage() throws Exception {
        Map<String, Long> before = counts();
        given().multiPart("images", "a.png", TestData.png(40, 20), "image/png")
                .multiPart("images", "b.png", TestData.png(200, 20), "image/png")
                .multiPart("width", "120")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(422)
                .body("field", equalTo("width"))
                .body(
                        "error",
                        equalTo("'b.png': width 120 is less than the image's width of 200; a result is at least as"
                                + " large as its input"));
        given().multiPart("images", "a.png", TestData.png(40, 20), "image/png")
                .multiPart("format", "tiff")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(400)
                .body("field", equalTo("format"));
        given().multiPart("images", "a.png", TestData.png(40, 20), "image/png")
                .multiPart("scale", "2")
                .multiPart("outscale", "2.5")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(422)
                .body("field", equalTo("outscale"))
                .body("error", containsString("'a.png': outscale 2.5 is more than the 2x model upscales"));
        given().multiPart("images", "ok.png", TestData.png(16, 16), "image/png")
                .multiPart("images", "big.png", BatchUpscaleTest.pngClaiming(4000, 4000), "image/png")
                .multiPart("outscale", "2.5")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(413)
                .body("field", equalTo("images"))
                .body("error", containsString("'big.png' is 4000x4000: at 2.5x it would be 10000x10000"));
        assertEquals(before, counts(), "no refused batch stored anything");
    }

    @Test
    void aJpegResultIsServedAsJpegWithAJpgName() throws Exception {
        String id = image(10, 8)
                .multiPart("format", "jpeg")
                .multiPart("outscale", "3")
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        succeedAsJpeg(id, 30, 24);
        byte[] body = given().queryParam("download", true)
                .when()
                .get("/api/jobs/" + id + "/result")
                .then()
                .statusCode(200)
                .contentType("image/jpeg")
                .header("Content-Disposition", equalTo("attachment; filename=\"photo-upscaled.jpg\""))
                .extract()
                .asByteArray();
        assertEquals(0xffd8, (body[0] & 0xff) << 8 | (body[1] & 0xff));
        given().when()
                .get("/api/jobs/" + id)
                .then()
                .body("result.contentType", equalTo("image/jpeg"))
                .body("result.width", equalTo(30))
                .body("result.height", equalTo(24));

        // the Upscale page: what was asked for, the JPEG to download, and the bicubic baseline at the result's size
        given().when()
                .get("/upscale/" + id)
                .then()
                .statusCode(200)
                .body(containsString("4× with"))
                .body(containsString(", resized to 3×"))
                .body(containsString("JPEG quality 92"))
                .body(containsString(">Download JPEG</a>"))
                .body(containsString("30×24 px"))
                .body(containsString("<option value=\"jpeg\" selected>"))
                .body(containsString("value=\"3\""));
        byte[] bicubic = given().queryParam("bicubic", true)
                .when()
                .get("/upscale/" + id + "/input")
                .then()
                .statusCode(200)
                .contentType("image/png")
                .extract()
                .asByteArray();
        BufferedImage baseline = ImageIO.read(new ByteArrayInputStream(bicubic));
        assertEquals(30, baseline.getWidth(), "the input enlarged to the result's size, not 4 times");
        assertEquals(24, baseline.getHeight());
    }

    @Test
    void aWebpResultIsServedAsWebpWithAWebpName() throws Exception {
        String id = image(10, 8)
                .multiPart("format", "WebP")
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        given().when().get("/api/jobs/" + id).then().body("params.format", equalTo("webp"));
        BufferedImage upscaled = new BufferedImage(40, 32, BufferedImage.TYPE_INT_ARGB);
        upscaled.setRGB(3, 4, 0x80336699);
        java.io.ByteArrayOutputStream webp = new ByteArrayOutputStream();
        WebpWriter.write(upscaled, webp);
        TestData.succeed(dataSource, blobs, id, webp.toByteArray(), "image/webp", 40, 32);
        byte[] body = given().queryParam("download", true)
                .when()
                .get("/api/jobs/" + id + "/result")
                .then()
                .statusCode(200)
                .contentType("image/webp")
                .header("Content-Disposition", equalTo("attachment; filename=\"photo-upscaled.webp\""))
                .extract()
                .asByteArray();
        BufferedImage read = ImageIO.read(new ByteArrayInputStream(body));
        assertEquals(40, read.getWidth());
        assertEquals(0x80336699, read.getRGB(3, 4), "lossless, alpha kept");

        given().when()
                .get("/upscale/" + id)
                .then()
                .statusCode(200)
                .body(containsString(">Download WebP</a>"))
                .body(containsString("<option value=\"webp\" selected>"));
    }

    @Test
    void anIdempotencyKeyCoversTheOutputOptions() throws Exception {
        byte[] png = TestData.png(16, 16);
        String key = "options-" + UUID.randomUUID();
        String first = given().header("Idempotency-Key", key)
                .multiPart("image", "x.png", png, "image/png")
                .multiPart("format", "jpeg")
                .multiPart("outscale", "3")
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        Map<String, Long> after = counts();
        given().header("Idempotency-Key", key)
                .multiPart("image", "x.png", png, "image/png")
                .multiPart("format", "JPG")
                .multiPart("quality", "92")
                .multiPart("outscale", "3.0")
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .body("id", equalTo(first));
        for (String[] other : List.of(
                new String[] {"format", "png"}, new String[] {"quality", "80"}, new String[] {"outscale", "2.5"})) {
            RequestSpecification request = given().header("Idempotency-Key", key)
                    .multiPart("image", "x.png", png, "image/png")
                    .multiPart("format", "jpeg")
                    .multiPart("outscale", "3");
            if (other[0].equals("format")) {
                request = given().header("Idempotency-Key", key)
                        .multiPart("image", "x.png", png, "image/png")
                        .multiPart("outscale", "3");
            } else if (other[0].equals("quality")) {
                request.multiPart("quality", "80");
            } else {
                request = given().header("Idempotency-Key", key)
                        .multiPart("image", "x.png", png, "image/png")
                        .multiPart("format", "jpeg")
                        .multiPart("outscale", "2.5");
            }
            request.when()
                    .post("/api/upscale")
                    .then()
                    .statusCode(422)
                    .body("field", equalTo("Idempotency-Key"))
                    .body("error", containsString("already used for a different request"));
        }
        String batchKey = "options-batch-" + UUID.randomUUID();
        given().header("Idempotency-Key", batchKey)
                .multiPart("images", "a.png", png, "image/png")
                .multiPart("width", "40")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(202);
        after = counts();
        given().header("Idempotency-Key", batchKey)
                .multiPart("images", "a.png", png, "image/png")
                .multiPart("width", "41")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(422)
                .body("field", equalTo("Idempotency-Key"));
        assertEquals(after, counts(), "a refused retry stored nothing");
    }

    /** Writes a JPEG result and SUCCEEDED in one transaction, as a worker does for format=jpeg. */
    private void succeedAsJpeg(String job, int width, int height) throws Exception {
        TestData.succeed(dataSource, blobs, job, BatchUpscaleTest.jpeg(width, height), "image/jpeg", width, height);
    }

    private Map<String, Long> counts() throws Exception {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String table : TABLES) {
            counts.put(table, TestData.count(dataSource, table));
        }
        return counts;
    }
}
