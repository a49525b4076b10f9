package dev.srgan.systemtests;

import static dev.srgan.systemtests.Cluster.form;
import static dev.srgan.systemtests.Cluster.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.srgan.client.ApiClient;
import dev.srgan.client.ApiException;
import dev.srgan.client.ApiResponse;
import dev.srgan.client.api.JobsApi;
import dev.srgan.client.api.ModelsApi;
import dev.srgan.client.api.UpscaleApi;
import dev.srgan.client.model.ApiError;
import dev.srgan.client.model.JobDetail;
import dev.srgan.client.model.JobPage;
import dev.srgan.client.model.ModelView;
import dev.srgan.client.model.UpscaleSubmitted;
import java.awt.image.BufferedImage;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The job pipeline end to end: api -> outbox -> Kafka -> two worker processes -> PostgreSQL. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineSystemTest {
    static Cluster cluster;

    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension(2, c -> cluster = c);

    @BeforeAll
    static void start() throws Exception {
        // The seed's generator at 2x, traced with torch.jit.trace
        // (networks/src/test/python/make_torchscript_fixtures.py).
        Path model = cluster.home.resolve("networks/src/test/resources/torchscript/seed-generator-x2.pt");
        HttpResponse<String> r = cluster.postMultipart(
                "/api/models",
                form(
                        "file",
                        new Cluster.FilePart(
                                "seed-generator-x2.pt", Files.readAllBytes(model), "application/octet-stream"),
                        "name",
                        "seed x2",
                        "scale",
                        "2",
                        "makeDefault",
                        "true"));
        assertEquals(201, r.statusCode(), r.body());
    }

    static String submit(byte[] png, String name) throws Exception {
        HttpResponse<String> r = cluster.postMultipart(
                "/api/upscale", form("image", new Cluster.FilePart(name, png, "image/png"), "scale", "2"));
        assertEquals(202, r.statusCode(), r.body());
        return Cluster.JSON.readTree(r.body()).path("id").asText();
    }

    @Test
    @Order(1)
    void fiftyUpscaleJobsAcrossTwoWorkersEachRunOnce() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ids.add(submit(Images.png(24 + i % 8, 20 + i % 5, i), "img-" + i + ".png"));
        }
        Map<String, Integer> byWorker = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            JsonNode job = cluster.awaitJob(ids.get(i), status("SUCCEEDED", "FAILED"), Duration.ofSeconds(180));
            assertEquals("SUCCEEDED", job.path("status").asText(), job.toString());
            assertEquals(1, job.path("attempts").asInt(), "ran once: " + job);
            assertEquals((24 + i % 8) * 2, job.path("result").path("width").asInt());
            byWorker.merge(job.path("workerId").asText(), 1, Integer::sum);
        }
        assertEquals(2, byWorker.size(), "both workers took jobs: " + byWorker);
        try (Connection c = cluster.db();
                PreparedStatement ps = c.prepareStatement("""
                SELECT count(*), count(DISTINCT r.job_id) FROM results r WHERE r.job_id = ANY (?::uuid[])""")) {
            ps.setArray(1, c.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals(50, rs.getInt(1), "one result per job");
                assertEquals(50, rs.getInt(2));
            }
        }
        var img = Images.read(cluster.getBytes("/api/jobs/" + ids.get(0) + "/result"));
        assertEquals(48, img.getWidth());
        assertEquals(40, img.getHeight());
    }

    @Test
    @Order(2)
    void killedWorkerJobCompletesOnTheOtherWorker() throws Exception {
        String id = submit(Images.png(512, 512, 7), "big.png");
        JsonNode running =
                cluster.awaitJob(id, j -> j.path("status").asText().equals("RUNNING"), Duration.ofSeconds(60));
        String victim = running.path("workerId").asText();
        Cluster.App victimApp = null;
        for (Cluster.App w : cluster.workers()) {
            if (victim.contains("-" + w.process.pid() + "-")) {
                victimApp = w;
            }
        }
        assertTrue(victimApp != null, "the running worker is one of ours: " + victim);
        cluster.kill(victimApp);

        JsonNode done = cluster.awaitJob(id, status("SUCCEEDED", "FAILED"), Duration.ofSeconds(240));
        assertEquals("SUCCEEDED", done.path("status").asText(), done.toString());
        assertEquals(2, done.path("attempts").asInt(), "the killed attempt and the one that finished");
        assertTrue(!done.path("workerId").asText().equals(victim), "finished elsewhere");
        assertEquals(1024, done.path("result").path("width").asInt());
        JsonNode events = cluster.get("/api/jobs/" + id + "/events");
        assertTrue(events.toString().contains("stopped heartbeating"), events.toString());
        cluster.startWorker();
    }

    @Test
    @Order(3)
    void jobsSubmittedWhileKafkaIsDownRunWhenItIsBack() throws Exception {
        cluster.stopKafka();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(submit(Images.png(32, 32, 1000 + i), "offline-" + i + ".png"));
        }
        for (String id : ids) {
            assertEquals("QUEUED", cluster.get("/api/jobs/" + id).path("status").asText());
        }
        cluster.startKafka();
        for (String id : ids) {
            JsonNode job = cluster.awaitJob(id, status("SUCCEEDED", "FAILED"), Duration.ofSeconds(180));
            assertEquals("SUCCEEDED", job.path("status").asText(), job.toString());
            assertEquals(1, job.path("attempts").asInt());
        }
    }

    @Test
    @Order(4)
    void jobsSurviveAPostgresRestartWhileTheyRun() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ids.add(submit(Images.png(160, 160, 2000 + i), "during-restart-" + i + ".png"));
        }
        cluster.stopPostgres();
        Thread.sleep(3000);
        cluster.startPostgres();
        for (String id : ids) {
            JsonNode job = cluster.awaitJob(id, status("SUCCEEDED", "FAILED"), Duration.ofSeconds(240));
            assertEquals("SUCCEEDED", job.path("status").asText(), job.toString());
        }
        try (Connection c = cluster.db();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT count(*), count(DISTINCT job_id) FROM results WHERE job_id = ANY (?::uuid[])")) {
            ps.setArray(1, c.createArrayOf("text", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals(ids.size(), rs.getInt(1), "one result per job, none twice");
                assertEquals(ids.size(), rs.getInt(2));
            }
        }
    }

    /**
     * A batch of three images in a zip is one BATCH job whose images run as UPSCALE jobs on the
     * workers. One image's structure is whole (so the api takes it) but its pixel data is noise:
     * it fails at once with its reason, the other two finish, the batch ends FAILED naming it, and
     * its zip holds the two PNGs.
     */
    @Test
    @Order(5)
    void aBatchWithABrokenImageEndsFailedNamingItAndZipsTheOthers() throws Exception {
        java.io.ByteArrayOutputStream zip = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(zip)) {
            String[] names = {"shots/one.png", "shots/broken.png", "shots/three.png"};
            for (int i = 0; i < names.length; i++) {
                byte[] png = Images.png(32 + 8 * i, 24, 3000 + i);
                z.putNextEntry(new java.util.zip.ZipEntry(names[i]));
                z.write(i == 1 ? Images.scrambledPixels(png) : png);
                z.closeEntry();
            }
        }
        HttpResponse<String> r = cluster.postMultipart(
                "/api/upscale/batch",
                form("file", new Cluster.FilePart("shots.zip", zip.toByteArray(), "application/zip"), "scale", "2"));
        assertEquals(202, r.statusCode(), r.body());
        JsonNode submitted = Cluster.JSON.readTree(r.body());
        assertEquals(3, submitted.path("count").asInt());
        String id = submitted.path("id").asText();

        JsonNode batch = cluster.awaitJob(id, status("SUCCEEDED", "FAILED", "CANCELLED"), Duration.ofSeconds(180));
        assertEquals("FAILED", batch.path("status").asText(), batch.toString());
        assertTrue(
                batch.path("error")
                        .asText()
                        .startsWith(
                                "1 of 3 images failed: shots/broken.png: the input is not a readable PNG, JPEG, WebP or TIFF image"),
                batch.path("error").asText());
        assertEquals(2, batch.path("batch").path("succeeded").asInt());
        assertEquals(1, batch.path("batch").path("failed").asInt());
        List<String> states = new ArrayList<>();
        batch.path("batch")
                .path("images")
                .forEach(i -> states.add(i.path("status").asText()));
        assertEquals(List.of("SUCCEEDED", "FAILED", "SUCCEEDED"), states);
        assertEquals(
                1,
                cluster.get("/api/jobs/"
                                + batch.path("batch")
                                        .path("images")
                                        .get(1)
                                        .path("jobId")
                                        .asText())
                        .path("attempts")
                        .asInt(),
                "a broken image is not retried");

        Map<String, Integer> widths = new HashMap<>();
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(
                new java.io.ByteArrayInputStream(cluster.getBytes("/api/jobs/" + id + "/result?download=true")))) {
            for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null; ) {
                widths.put(e.getName(), Images.read(in.readAllBytes()).getWidth());
            }
        }
        assertEquals(Map.of("one-x2.png", 64, "three-x2.png", 96), widths);
    }

    /**
     * The API description is one a client can trust: the Java client that openapi-generator made
     * from the api's OpenAPI document at build time (this module's pom) upscales an image (with
     * output options: 1.5x as a JPEG), follows the job to its result, lists jobs, and reads the
     * API's errors as the document describes them.
     */
    @Test
    @Order(6)
    void theClientGeneratedFromTheOpenApiDocumentUpscalesAndFollowsTheJob() throws Exception {
        ApiClient client = new ApiClient();
        client.updateBaseUri(cluster.url("").toString());
        client.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + Cluster.ADMIN_TOKEN));
        ModelView model = new ModelsApi(client)
                .listModels().stream()
                        .filter(m -> m.getScale() == 2 && Boolean.TRUE.equals(m.getIsDefault()))
                        .findFirst()
                        .orElseThrow();
        Path image = Files.createTempFile(cluster.dataDir, "client", ".png");
        Files.write(image, Images.png(40, 30, 4242));

        // with output options: the 2x model, resized to 1.5x, as a JPEG; tagged to be found again
        ApiResponse<UpscaleSubmitted> submitted = new UpscaleApi(client)
                .upscaleWithHttpInfo(
                        null,
                        image.toFile(),
                        null,
                        "2",
                        model.getId(),
                        "jpeg",
                        "90",
                        "1.5",
                        null,
                        "client, pipeline",
                        null,
                        null,
                        null,
                        null,
                        null);
        assertEquals(202, submitted.getStatusCode());
        assertEquals(
                "/api/jobs/" + submitted.getData().getId(), submitted.getData().getUrl());

        String id = submitted.getData().getId().toString();
        JobsApi jobs = new JobsApi(client);
        JobDetail job = jobs.getJob(id);
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (!List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(job.getStatus()) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            job = jobs.getJob(id);
        }
        assertEquals("SUCCEEDED", job.getStatus(), job.toString());
        assertEquals("UPSCALE", job.getType());
        assertEquals(model.getId(), job.getModelId());
        assertEquals(2, ((Map<?, ?>) job.getParams()).get("scale"));
        assertEquals("jpeg", ((Map<?, ?>) job.getParams()).get("format"));
        assertEquals(60, (int) job.getResult().getWidth(), "round(40 * 1.5)");
        assertEquals(45, (int) job.getResult().getHeight(), "round(30 * 1.5)");
        assertEquals("image/jpeg", job.getResult().getContentType());
        byte[] result = Files.readAllBytes(jobs.getJobResult(id, false).toPath());
        assertEquals(0xffd8, (result[0] & 0xff) << 8 | (result[1] & 0xff), "a JPEG file");
        assertEquals(60, Images.read(result).getWidth());

        assertEquals(List.of("client", "pipeline"), job.getTags());
        JobPage page = jobs.listJobs(null, 0, null, 200, "SUCCEEDED", null, null, "UPSCALE");
        assertTrue(
                page.getItems().stream()
                        .anyMatch(j -> j.getId().equals(submitted.getData().getId())),
                page.toString());
        JobPage tagged = jobs.listJobs(null, 0, null, 200, null, null, List.of("pipeline", "client"), null);
        assertEquals(
                List.of(submitted.getData().getId()),
                tagged.getItems().stream().map(j -> j.getId()).toList(),
                "the job with both tags");

        ApiException refused = assertThrows(
                ApiException.class,
                () -> new UpscaleApi(client)
                        .upscale(
                                null,
                                image.toFile(),
                                null,
                                "3",
                                model.getId(),
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null));
        assertEquals(400, refused.getCode());
        ApiError error = client.getObjectMapper().readValue(refused.getResponseBody(), ApiError.class);
        assertEquals("scale", error.getField());
        assertTrue(error.getError().startsWith("scale must be 2, 4 or 8"), error.getError());

        ApiClient anonymous = new ApiClient();
        anonymous.updateBaseUri(cluster.url("").toString());
        assertEquals(
                401,
                assertThrows(ApiException.class, () -> new JobsApi(anonymous).getJob(id))
                        .getCode());
    }

    /**
     * Files as phones and scanners write them come back as a viewer shows them: a JPEG with EXIF
     * orientation 6 (stored lying down) is upscaled upright, and a grey PNG keeps its levels
     * (ImageIO alone reads grey as linear light and would return grey 64 as 137). Run with the
     * shipped SRResNet 4x, which keeps flat colours.
     */
    @Test
    @Order(7)
    void aPhonePhotoComesBackUprightAndGreyAndWideGamutFilesKeepTheirColours() throws Exception {
        byte[] phone =
                Files.readAllBytes(cluster.home.resolve("networks/src/test/resources/images/phone-orientation-6.jpg"));
        HttpResponse<String> r = cluster.postMultipart(
                "/api/upscale", form("image", new Cluster.FilePart("phone.jpg", phone, "image/jpeg"), "scale", "4"));
        assertEquals(202, r.statusCode(), r.body());
        String id = Cluster.JSON.readTree(r.body()).path("id").asText();
        JsonNode job = cluster.awaitJob(id, status("SUCCEEDED", "FAILED", "CANCELLED"), Duration.ofSeconds(180));
        assertEquals("SUCCEEDED", job.path("status").asText(), job.toString());
        assertEquals(32, job.path("params").path("inputWidth").asInt(), "the size as the photo is shown");
        assertEquals(48, job.path("params").path("inputHeight").asInt());
        BufferedImage upright = Images.read(cluster.getBytes("/api/jobs/" + id + "/result"));
        assertEquals(128, upright.getWidth());
        assertEquals(192, upright.getHeight());
        // the stored quadrants are red, blue / green, white; turned 90 degrees clockwise:
        assertEquals("green", nearestQuadrantColour(upright.getRGB(20, 20)), "top left");
        assertEquals("red", nearestQuadrantColour(upright.getRGB(108, 20)), "top right");
        assertEquals("white", nearestQuadrantColour(upright.getRGB(20, 172)), "bottom left");
        assertEquals("blue", nearestQuadrantColour(upright.getRGB(108, 172)), "bottom right");

        BufferedImage scan = new BufferedImage(32, 16, BufferedImage.TYPE_BYTE_GRAY);
        for (int x = 0; x < 32; x++) {
            for (int y = 0; y < 16; y++) {
                scan.getRaster().setSample(x, y, 0, x < 16 ? 64 : 160);
            }
        }
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(scan, "png", png);
        String grey = cluster.postMultipart(
                        "/api/upscale",
                        form("image", new Cluster.FilePart("scan.png", png.toByteArray(), "image/png"), "scale", "4"))
                .body();
        String greyId = Cluster.JSON.readTree(grey).path("id").asText();
        job = cluster.awaitJob(greyId, status("SUCCEEDED", "FAILED", "CANCELLED"), Duration.ofSeconds(180));
        assertEquals("SUCCEEDED", job.path("status").asText(), job.toString());
        BufferedImage out = Images.read(cluster.getBytes("/api/jobs/" + greyId + "/result"));
        assertNear(0x404040, out.getRGB(24, 32), "grey 64 stays 64");
        assertNear(0xA0A0A0, out.getRGB(104, 32), "grey 160 stays 160");

        byte[] screenshot =
                Files.readAllBytes(cluster.home.resolve("networks/src/test/resources/images/display-p3.png"));
        String p3 = cluster.postMultipart(
                        "/api/upscale",
                        form("image", new Cluster.FilePart("screenshot.png", screenshot, "image/png"), "scale", "4"))
                .body();
        String p3Id = Cluster.JSON.readTree(p3).path("id").asText();
        job = cluster.awaitJob(p3Id, status("SUCCEEDED", "FAILED", "CANCELLED"), Duration.ofSeconds(180));
        assertEquals("SUCCEEDED", job.path("status").asText(), job.toString());
        out = Images.read(cluster.getBytes("/api/jobs/" + p3Id + "/result"));
        assertNear(0xDA001A, out.getRGB(24, 32), "Display P3 (200, 40, 40) is sRGB (218, 0, 26)");
        assertNear(0x00A352, out.getRGB(104, 32), "Display P3 (30, 160, 90) is sRGB (0, 163, 82)");
    }

    private static String nearestQuadrantColour(int argb) {
        Map<String, Integer> colours = Map.of("red", 0xDC1E1E, "blue", 0x1E1EDC, "green", 0x1EC81E, "white", 0xF0F0F0);
        String nearest = null;
        int best = Integer.MAX_VALUE;
        for (var c : colours.entrySet()) {
            int d = 0;
            for (int shift = 0; shift <= 16; shift += 8) {
                d += Math.abs(((c.getValue() >> shift) & 0xFF) - ((argb >> shift) & 0xFF));
            }
            if (d < best) {
                best = d;
                nearest = c.getKey();
            }
        }
        return nearest;
    }

    @Test
    @Order(8)
    void aWebhookIsPostedSignedWhenTheWorkerFinishesTheJob() throws Exception {
        java.util.concurrent.BlockingQueue<Map<String, String>> deliveries =
                new java.util.concurrent.LinkedBlockingQueue<>();
        com.sun.net.httpserver.HttpServer receiver = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/done", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            deliveries.add(Map.of(
                    "body", new String(body, java.nio.charset.StandardCharsets.UTF_8),
                    "timestamp", exchange.getRequestHeaders().getFirst("X-Srgan-Timestamp"),
                    "signature", exchange.getRequestHeaders().getFirst("X-Srgan-Signature")));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try {
            String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/done";
            HttpResponse<String> r = cluster.postMultipart(
                    "/api/upscale",
                    form(
                            "image",
                            new Cluster.FilePart("hooked.png", Images.png(24, 16, 8), "image/png"),
                            "scale",
                            "2",
                            "webhookUrl",
                            hook));
            assertEquals(202, r.statusCode(), r.body());
            String id = Cluster.JSON.readTree(r.body()).path("id").asText();
            Map<String, String> delivery = deliveries.poll(180, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(delivery != null, "no webhook within 180 s");
            // the receiver checks the signature as docs/webhooks.md says
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(
                    Cluster.WEBHOOK_SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((delivery.get("timestamp") + ".").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            String expected = "sha256="
                    + java.util.HexFormat.of()
                            .formatHex(mac.doFinal(
                                    delivery.get("body").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            assertEquals(expected, delivery.get("signature"));
            JsonNode body = Cluster.JSON.readTree(delivery.get("body"));
            assertEquals("job.succeeded", body.path("event").asText(), body.toString());
            assertEquals(id, body.path("job").path("id").asText());
            assertEquals(48, body.path("job").path("result").path("width").asInt(), body.toString());
            BufferedImage result = Images.read(
                    cluster.getBytes(body.path("job").path("result").path("url").asText()));
            assertEquals(32, result.getHeight());
            JsonNode job = cluster.awaitJob(
                    id, j -> j.path("webhook").path("state").asText().equals("DELIVERED"), Duration.ofSeconds(30));
            assertEquals(204, job.path("webhook").path("responseCode").asInt(), job.toString());
        } finally {
            receiver.stop(0);
        }
    }

    /** Within 16 levels per channel (a model's output on flat grey; read as linear light, 64 would be 137). */
    private static void assertNear(int expected, int argb, String where) {
        for (int shift = 0; shift <= 16; shift += 8) {
            int e = (expected >> shift) & 0xFF;
            int a = (argb >> shift) & 0xFF;
            assertTrue(
                    Math.abs(e - a) <= 16,
                    where + ": expected " + Integer.toHexString(expected) + ", got "
                            + Integer.toHexString(argb & 0xFFFFFF));
        }
    }
}
