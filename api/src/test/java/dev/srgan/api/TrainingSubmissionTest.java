package dev.srgan.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.embedded.EmbeddedServicesTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class TrainingSubmissionTest {
    @BeforeEach
    void signIn() {
        TestAuth.asAdmin();
    }

    @Inject
    DataSource dataSource;

    String dataset() throws Exception {
        return given().multiPart("file", "photos.zip", TestData.zip("a.png", "b/c.png", "notes.txt"), "application/zip")
                .multiPart("name", "photos")
                .when()
                .post("/api/datasets")
                .then()
                .statusCode(201)
                .body("imageCount", equalTo(2))
                .body("name", equalTo("photos"))
                .extract()
                .path("id");
    }

    @Test
    void trainingRunIsQueuedWithItsFullConfig() throws Exception {
        String datasetId = dataset();
        String id = given().contentType(ContentType.JSON)
                .body("{\"datasetId\":\"" + datasetId
                        + "\",\"name\":\"tiny\",\"hyperparameters\":{\"scale\":2,\"residualBlocks\":2,"
                        + "\"batchSize\":4,\"hrCropSize\":32,\"pretrainSteps\":10,\"ganSteps\":5,"
                        + "\"noiseSigma\":10,\"jpegQuality\":40}}")
                .when()
                .post("/api/training")
                .then()
                .statusCode(202)
                .body("totalSteps", equalTo(15))
                .extract()
                .path("id");
        given().get("/api/jobs/" + id)
                .then()
                .body("type", equalTo("TRAINING"))
                .body("name", equalTo("tiny"))
                .body("params.scale", equalTo(2))
                .body("params.learningRateG", equalTo(1.0E-4f))
                .body("params.blurSigma", equalTo(0.0f))
                .body("params.noiseSigma", equalTo(10.0f))
                .body("params.jpegQuality", equalTo(40))
                .body("datasetId", equalTo(datasetId));
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT total_steps, content_loss FROM training_runs WHERE job_id = ?::uuid")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(15, rs.getInt(1));
                assertEquals("pixel-mse", rs.getString(2));
            }
        }
        given().get("/api/jobs/" + id + "/losses?afterStep=0")
                .then()
                .statusCode(200)
                .body("size()", equalTo(0));
        given().get("/api/jobs/" + id + "/checkpoints").then().statusCode(200).body("size()", equalTo(0));
        given().get("/training/" + id)
                .then()
                .statusCode(200)
                .body(
                        containsString(
                                "<span id=\"degradation\">inputs degraded: noise σ up to 10 levels, JPEG quality 40–95</span>"));
    }

    @Test
    void aRunsMetricsDownloadAsTheCsvFilesOfSrganTrain() throws Exception {
        String datasetId = dataset();
        String id = given().contentType(ContentType.JSON)
                .body("{\"datasetId\":\"" + datasetId
                        + "\",\"name\":\"csv run/1, big\",\"hyperparameters\":{\"scale\":2,\"residualBlocks\":2,"
                        + "\"batchSize\":4,\"hrCropSize\":32,\"pretrainSteps\":10,\"ganSteps\":5}}")
                .post("/api/training")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        TestData.exec(
                dataSource,
                "INSERT INTO loss_points (job_id, step, phase, g_loss, content_loss, lr_g, lr_d, seconds_per_step)"
                        + " VALUES (?::uuid, 1, 'pretrain', 0.5, 0.5, 0.0001, 0.0001, 1.25)",
                id);
        TestData.exec(
                dataSource,
                "INSERT INTO loss_points (job_id, step, phase, d_loss, g_loss, content_loss, adversarial_loss, d_real,"
                        + " d_fake, lr_g, lr_d, seconds_per_step)"
                        + " VALUES (?::uuid, 11, 'gan', 1.375, 0.0123456789012, 0.012, 0.69, 0.75, 0.25, 0.0001, 0.0001, 2.5)",
                id);
        TestData.exec(
                dataSource,
                "INSERT INTO validation_metrics (job_id, step, psnr, ssim, bicubic_psnr, bicubic_ssim, niqe, bicubic_niqe)"
                        + " VALUES (?::uuid, 10, 24.5, 0.75, 25, 0.8, 7.5, 8), (?::uuid, 15, 25.125, 0.8, 25, 0.8, NULL, NULL)",
                id,
                id);

        io.restassured.response.Response losses = given().get("/api/jobs/" + id + "/losses.csv");
        assertEquals(200, losses.statusCode());
        assertTrue(losses.contentType().startsWith("text/csv"), losses.contentType());
        assertEquals("attachment; filename=\"csv_run_1__big-losses.csv\"", losses.header("Content-Disposition"));
        assertEquals(
                "step,phase,d_loss,g_loss,content_loss,adversarial_loss,d_real,d_fake,lr_g,lr_d,seconds_per_step\n"
                        + "1,pretrain,,0.5,0.5,,,,1.0E-4,1.0E-4,1.25\n"
                        + "11,gan,1.375,0.0123456789012,0.012,0.69,0.75,0.25,1.0E-4,1.0E-4,2.5\n",
                losses.asString(),
                "every point at full precision; D's losses empty in pre-training");
        io.restassured.response.Response validation = given().get("/api/jobs/" + id + "/validation.csv");
        assertEquals(
                "attachment; filename=\"csv_run_1__big-validation.csv\"", validation.header("Content-Disposition"));
        assertEquals(
                "step,phase,psnr,ssim,bicubic_psnr,bicubic_ssim,niqe,bicubic_niqe\n"
                        + "10,pretrain,24.5,0.75,25.0,0.8,7.5,8.0\n"
                        + "15,gan,25.125,0.8,25.0,0.8,,\n",
                validation.asString(),
                "the phase from the run's pretrainSteps; NIQE empty where not measured");

        // the run page links the files, and marks the checkpoint whose validation PSNR is highest
        java.util.UUID blob = java.util.UUID.randomUUID();
        TestData.exec(
                dataSource,
                "INSERT INTO blobs (id, content_type, size_bytes, complete) VALUES (?, 'application/zip', 0, true)",
                blob);
        TestData.exec(
                dataSource,
                "INSERT INTO checkpoints (id, job_id, step, blob_id, size_bytes) VALUES (?, ?::uuid, 10, ?, 0),"
                        + " (?, ?::uuid, 15, ?, 0)",
                java.util.UUID.randomUUID(),
                id,
                blob,
                java.util.UUID.randomUUID(),
                id,
                blob);
        given().get("/training/" + id)
                .then()
                .statusCode(200)
                .body(containsString("href=\"/api/jobs/" + id + "/losses.csv\""))
                .body(containsString("<tr data-step=\"15\" class=\"best\" data-best=\"psnr\">"))
                .body(containsString("25.13 <span class=\"muted small\">/ 25.00</span>"))
                .body(not(containsString("<tr data-step=\"10\" class=\"best\"")));
        // many runs in one table: a row per run, its best validation and every hyperparameter
        io.restassured.response.Response runs = given().get("/api/training/runs.csv?q=csv run/1, big");
        assertEquals(200, runs.statusCode());
        assertEquals("attachment; filename=\"runs.csv\"", runs.header("Content-Disposition"));
        String[] rows = runs.asString().split("\n");
        assertEquals(2, rows.length, runs.asString());
        assertTrue(
                rows[0].startsWith(
                        "job_id,name,status,submitted_by,created_at,finished_at,tags,base_model,validation_dataset,steps_done,"
                                + "total_steps,best_psnr,best_psnr_step,bicubic_psnr,best_ssim,best_ssim_step,best_niqe,"
                                + "best_niqe_step,last_psnr,last_psnr_step,scale,residualBlocks,batchSize,hrCropSize,"),
                rows[0]);
        assertTrue(rows[0].endsWith(",freezeBatchNorm,blurSigma,noiseSigma,jpegQuality"), rows[0]);
        assertTrue(rows[1].startsWith(id + ",\"csv run/1, big\",QUEUED,bootstrap admin,"), rows[1]);
        assertTrue(rows[1].contains(",,,,,0,15,25.125,15,25.0,0.8,15,7.5,10,25.125,15,2,2,4,32,1.0E-4,"), rows[1]);
        given().get("/api/training/runs.csv?q=no run is called this")
                .then()
                .statusCode(200)
                .body(equalTo(runs.asString().substring(0, runs.asString().indexOf('\n') + 1)));
        given().get("/api/training/runs.csv?sweepId=nope")
                .then()
                .statusCode(400)
                .body("field", equalTo("sweepId"));

        given().get("/api/jobs/" + java.util.UUID.randomUUID() + "/losses.csv")
                .then()
                .statusCode(404)
                .body("error", containsString("no job"));
        java.util.UUID upscale = java.util.UUID.randomUUID();
        TestData.exec(
                dataSource,
                "INSERT INTO jobs (id, type, status, name) VALUES (?, 'UPSCALE', 'QUEUED', 'an upscale')",
                upscale);
        given().get("/api/jobs/" + upscale + "/validation.csv")
                .then()
                .statusCode(404)
                .body("error", containsString("is upscale, not a training run"));
        TestData.exec(dataSource, "DELETE FROM jobs WHERE id = ?", upscale);
        given().post("/api/jobs/" + id + "/cancel").then().statusCode(200);
    }

    @Test
    void outOfRangeHyperparametersNameTheirField() throws Exception {
        String datasetId = dataset();
        long jobs = TestData.count(dataSource, "jobs");
        given().contentType(ContentType.JSON)
                .body("{\"datasetId\":\"" + datasetId + "\",\"hyperparameters\":{\"batchSize\":1000}}")
                .when()
                .post("/api/training")
                .then()
                .statusCode(400)
                .body("field", equalTo("batchSize"))
                .body("error", containsString("batchSize must be from 1 to 64"));
        given().contentType(ContentType.JSON)
                .body("{\"datasetId\":\"" + datasetId + "\",\"hyperparameters\":{\"scale\":3}}")
                .when()
                .post("/api/training")
                .then()
                .statusCode(400)
                .body("field", equalTo("scale"));
        given().contentType(ContentType.JSON)
                .body("{\"datasetId\":\"" + datasetId + "\",\"hyperparameters\":{\"learningRateG\":-1}}")
                .when()
                .post("/api/training")
                .then()
                .statusCode(400)
                .body("field", equalTo("learningRateG"));
        given().contentType(ContentType.JSON)
                .body("{\"datasetId\":\"" + datasetId + "\",\"hyperparameters\":{\"jpegQuality\":100}}")
                .when()
                .post("/api/training")
                .then()
                .statusCode(400)
                .body("field", equalTo("jpegQuality"))
                .body("error", containsString("jpegQuality must be 1 to 95, or null for no JPEG compression"));
        given().contentType(ContentType.JSON)
                .body("{\"datasetId\":\"" + datasetId + "\",\"hyperparameters\":{\"noiseSigma\":-2}}")
                .when()
                .post("/api/training")
                .then()
                .statusCode(400)
                .body("field", equalTo("noiseSigma"));
        given().contentType(ContentType.JSON)
                .body("{\"datasetId\":\"" + datasetId
                        + "\",\"hyperparameters\":{\"featureExtractorPath\":\"/etc/passwd\"}}")
                .when()
                .post("/api/training")
                .then()
                .statusCode(400)
                .body("field", equalTo("featureExtractorPath"));
        given().contentType(ContentType.JSON)
                .body("{\"datasetId\":\"" + datasetId + "\",\"contentLoss\":\"vgg19\"}")
                .when()
                .post("/api/training")
                .then()
                .statusCode(422)
                .body("field", equalTo("contentLoss"));
        given().contentType(ContentType.JSON)
                .body("{\"datasetId\":\"" + java.util.UUID.randomUUID() + "\"}")
                .when()
                .post("/api/training")
                .then()
                .statusCode(422)
                .body("field", equalTo("datasetId"));
        given().contentType(ContentType.JSON)
                .body("{not json")
                .when()
                .post("/api/training")
                .then()
                .statusCode(400)
                .body("error", containsString("JSON"));
        assertEquals(jobs, TestData.count(dataSource, "jobs"), "no job for a rejected submission");
    }

    @Test
    void aCropLargerThanTheDatasetsSmallestImageIsRefusedNamingTheImage() throws Exception {
        String datasetId = given().multiPart(
                        "file",
                        "mixed.zip",
                        zipOf(
                                new String[] {"big.png", "thumbs/small.png", "wide.png"},
                                new byte[][] {TestData.png(48, 48), TestData.png(40, 20), TestData.png(64, 32)}),
                        "application/zip")
                .when()
                .post("/api/datasets")
                .then()
                .statusCode(201)
                .body("smallestSide", equalTo(20))
                .extract()
                .path("id");
        long jobs = TestData.count(dataSource, "jobs");
        given().contentType(ContentType.JSON)
                .body("{\"datasetId\":\"" + datasetId + "\",\"hyperparameters\":{\"scale\":2,\"hrCropSize\":24}}")
                .when()
                .post("/api/training")
                .then()
                .statusCode(422)
                .body("field", equalTo("hrCropSize"))
                .body(
                        "error",
                        equalTo("hrCropSize 24 does not fit in every image of dataset 'mixed': 'thumbs/small.png' is"
                                + " 20 pixels on its short side; use an hrCropSize of at most 20 (a multiple of the"
                                + " scale), or a dataset without that image"));
        // the seed's default crop, 96, is refused the same way
        given().contentType(ContentType.JSON)
                .body("{\"datasetId\":\"" + datasetId + "\"}")
                .when()
                .post("/api/training")
                .then()
                .statusCode(422)
                .body("field", equalTo("hrCropSize"));
        assertEquals(jobs, TestData.count(dataSource, "jobs"), "no job for a refused run");
        given().contentType(ContentType.JSON)
                .body("{\"datasetId\":\"" + datasetId + "\",\"hyperparameters\":{\"scale\":2,\"hrCropSize\":20,"
                        + "\"pretrainSteps\":1,\"ganSteps\":0}}")
                .when()
                .post("/api/training")
                .then()
                .statusCode(202);
    }

    @Test
    void unsafeOrEmptyDatasetsAreRefusedAndNothingStored() throws Exception {
        long blobs = TestData.count(dataSource, "blobs");
        given().multiPart("file", "evil.zip", TestData.zip("../../etc/x.png"), "application/zip")
                .when()
                .post("/api/datasets")
                .then()
                .statusCode(400)
                .body("error", containsString("unsafe path"));
        given().multiPart("file", "text.zip", TestData.zip("readme.txt"), "application/zip")
                .when()
                .post("/api/datasets")
                .then()
                .statusCode(422)
                .body("error", containsString("no PNG, JPEG, WebP or TIFF"));
        given().multiPart("file", "junk.zip", "not a zip".getBytes(), "application/zip")
                .when()
                .post("/api/datasets")
                .then()
                .statusCode(400)
                .body("error", containsString("not a readable zip"));
        assertEquals(blobs, TestData.count(dataSource, "blobs"));
    }

    private static byte[] zipOf(String[] names, byte[][] contents) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(out)) {
            for (int i = 0; i < names.length; i++) {
                z.putNextEntry(new java.util.zip.ZipEntry(names[i]));
                z.write(contents[i]);
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    @Test
    void everyImageOfADatasetIsCheckedFromItsStructureAndTheEntryIsNamed() throws Exception {
        long blobs = TestData.count(dataSource, "blobs");
        long datasets = TestData.count(dataSource, "datasets");
        byte[] good = TestData.png(48, 48);
        // a decompression bomb inside the zip: 30000x30000 from the header alone
        given().multiPart(
                        "file",
                        "bomb.zip",
                        zipOf(
                                new String[] {"ok.png", "photos/bomb.png"},
                                new byte[][] {good, TestData.pngHeaderOnly(30000, 30000)}),
                        "application/zip")
                .when()
                .post("/api/datasets")
                .then()
                .statusCode(413)
                .body("error", containsString("'photos/bomb.png' in 'bomb.zip' is 30000x30000"));
        // a truncated image
        given().multiPart(
                        "file",
                        "cut.zip",
                        zipOf(
                                new String[] {"ok.png", "cut.png"},
                                new byte[][] {good, java.util.Arrays.copyOf(good, good.length - 20)}),
                        "application/zip")
                .when()
                .post("/api/datasets")
                .then()
                .statusCode(400)
                .body("error", containsString("'cut.png' in 'cut.zip' is not a whole PNG image: it is truncated"));
        // a text file named like an image
        given().multiPart(
                        "file",
                        "fake.zip",
                        zipOf(new String[] {"fake.jpg"}, new byte[][] {"hello".getBytes()}),
                        "application/zip")
                .when()
                .post("/api/datasets")
                .then()
                .statusCode(400)
                .body("error", containsString("'fake.jpg' in 'fake.zip' is named as an image but is"));
        // many images that each pass but together exceed what a run decodes (400 megapixels)
        byte[] bigWhole = TestData.png(4000, 4000);
        String[] names = new String[26];
        byte[][] contents = new byte[26][];
        for (int i = 0; i < names.length; i++) {
            names[i] = "big-" + i + ".png";
            contents[i] = bigWhole;
        }
        given().multiPart("file", "many.zip", zipOf(names, contents), "application/zip")
                .when()
                .post("/api/datasets")
                .then()
                .statusCode(413)
                .body("error", containsString("add up to more than 400.0 megapixels (at 'big-25.png')"));
        assertEquals(blobs, TestData.count(dataSource, "blobs"));
        assertEquals(datasets, TestData.count(dataSource, "datasets"));
    }

    @Test
    void severalImagesBecomeOneDataset() throws Exception {
        given().multiPart("images", "one.png", TestData.png(40, 40), "image/png")
                .multiPart("images", "two.png", TestData.png(40, 40), "image/png")
                .when()
                .post("/api/datasets")
                .then()
                .statusCode(201)
                .body("imageCount", equalTo(2));
        given().get("/api/datasets").then().statusCode(200);
    }
}
