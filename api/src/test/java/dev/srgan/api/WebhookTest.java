package dev.srgan.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.srgan.api.webhooks.WebhookRelay;
import dev.srgan.embedded.EmbeddedServicesTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Webhooks: a job submitted with a {@code webhookUrl} is POSTed to it, signed, each time it ends,
 * by whichever path ends it (a cancel through the api, a worker's outcome written with SQL, a
 * batch's roll-up); a receiver that fails is sent again with backoff and given up after
 * {@code srgan.webhooks.max-attempts} (3 in tests); a URL that is not http(s) or names a host the
 * cluster does not call is refused and stores nothing. The receiver is a real HTTP server on
 * loopback.
 */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class WebhookTest {
    /** {@code %test.srgan.webhooks.secret} in application.properties. */
    private static final String SECRET = "srgan-test-webhook-secret";

    @Inject
    DataSource dataSource;

    private HttpServer receiver;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    /** The status the receiver answers next; 200 once the queue is empty. */
    private final ConcurrentLinkedQueue<Integer> answers = new ConcurrentLinkedQueue<>();

    private record Received(String path, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0))
                    .findFirst()
                    .orElse(null);
        }

        JsonPath json() {
            return JsonPath.from(new String(body, StandardCharsets.UTF_8));
        }
    }

    @BeforeEach
    void start() throws Exception {
        TestAuth.asAdmin();
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(
                    new Received(exchange.getRequestURI().getPath(), Map.copyOf(exchange.getRequestHeaders()), body));
            Integer status = answers.poll();
            exchange.sendResponseHeaders(status == null ? 200 : status, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stop() {
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    private String url(String path) {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + path;
    }

    @Test
    void anUpscaleIsPostedSignedEachTimeItEndsWhoeverEndsIt() throws Exception {
        TestData.model(dataSource, 2, true);
        String job = given().multiPart("image", "x.png", TestData.png(16, 16), "image/png")
                .multiPart("scale", "2")
                .multiPart("webhookUrl", url("/hooks/upscale?tag=a"))
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        given().get("/api/jobs/" + job)
                .then()
                .body("webhook.url", equalTo(url("/hooks/upscale?tag=a")))
                .body("webhook.state", equalTo("WAITING"))
                .body("webhook.event", nullValue());

        // cancelled through the api
        given().post("/api/jobs/" + job + "/cancel").then().statusCode(200);
        Received cancelled = next();
        assertEquals("/hooks/upscale", cancelled.path());
        assertEquals("job.cancelled", cancelled.header("X-Srgan-Event"));
        assertEquals("application/json", cancelled.header("Content-Type"));
        String timestamp = cancelled.header("X-Srgan-Timestamp");
        assertTrue(Math.abs(Long.parseLong(timestamp) - System.currentTimeMillis() / 1000) < 60, timestamp);
        assertEquals(WebhookRelay.sign(SECRET, timestamp, cancelled.body()), cancelled.header("X-Srgan-Signature"));
        JsonPath body = cancelled.json();
        assertEquals("job.cancelled", body.getString("event"));
        assertEquals(cancelled.header("X-Srgan-Delivery"), body.getString("deliveryId"));
        assertEquals(job, body.getString("job.id"));
        assertEquals("CANCELLED", body.getString("job.status"));
        assertEquals("x.png", body.getString("job.inputName"));
        assertNull(body.get("job.webhook"), "the delivery's own state is not in it");
        assertNull(cancelled.header("Upgrade"), "plain HTTP/1.1");
        awaitState(job, "DELIVERED");
        given().get("/api/jobs/" + job)
                .then()
                .body("webhook.event", equalTo("CANCELLED"))
                .body("webhook.attempts", equalTo(1))
                .body("webhook.responseCode", equalTo(200));

        // retried, then ended by a worker (its outcome written with SQL, as the worker writes it)
        given().post("/api/jobs/" + job + "/retry").then().statusCode(202);
        TestData.exec(dataSource, "UPDATE jobs SET status = 'SUCCEEDED', finished_at = now() WHERE id = ?::uuid", job);
        Received succeeded = next();
        assertEquals("job.succeeded", succeeded.header("X-Srgan-Event"));
        assertEquals("SUCCEEDED", succeeded.json().getString("job.status"));
        assertTrue(
                Long.parseLong(succeeded.header("X-Srgan-Delivery"))
                        > Long.parseLong(cancelled.header("X-Srgan-Delivery")),
                "a new delivery for the new ending");
        awaitState(job, "DELIVERED");
        given().get("/api/jobs/" + job).then().body("webhook.event", equalTo("SUCCEEDED"));
        // progress and other changes are not endings: nothing more is sent
        TestData.exec(dataSource, "UPDATE jobs SET progress_message = 'noise' WHERE id = ?::uuid", job);
        assertEquals(null, received.poll(1500, TimeUnit.MILLISECONDS));
    }

    @Test
    void aFailingReceiverIsSentAgainWithBackoffAndGivenUpAfterMaxAttempts() throws Exception {
        TestData.model(dataSource, 2, true);
        answers.add(503);
        String flaky = upscaleWithWebhook(url("/flaky"));
        TestData.exec(
                dataSource,
                "UPDATE jobs SET status = 'FAILED', error = 'boom', finished_at = now() WHERE id = ?::uuid",
                flaky);
        Received first = next();
        Received second = next();
        assertEquals(first.header("X-Srgan-Delivery"), second.header("X-Srgan-Delivery"), "the same delivery, resent");
        assertEquals("job.failed", second.header("X-Srgan-Event"));
        assertEquals("boom", second.json().getString("job.error"));
        awaitState(flaky, "DELIVERED");
        given().get("/api/jobs/" + flaky)
                .then()
                .body("webhook.attempts", equalTo(2))
                .body("webhook.lastError", nullValue());

        for (int i = 0; i < 3; i++) {
            answers.add(500);
        }
        String down = upscaleWithWebhook(url("/down"));
        TestData.exec(dataSource, "UPDATE jobs SET status = 'FAILED', finished_at = now() WHERE id = ?::uuid", down);
        for (int i = 0; i < 3; i++) {
            assertEquals("/down", next().path());
        }
        awaitState(down, "GAVE_UP");
        given().get("/api/jobs/" + down)
                .then()
                .body("webhook.attempts", equalTo(3))
                .body("webhook.responseCode", equalTo(500))
                .body("webhook.lastError", equalTo("the receiver answered 500"))
                .body("webhook.nextAttemptAt", nullValue());
        assertEquals(null, received.poll(1500, TimeUnit.MILLISECONDS), "no fourth send");
        // the job's page says so too
        given().get("/jobs/" + down)
                .then()
                .statusCode(200)
                .body(containsString(url("/down")))
                .body(containsString("gave up"))
                .body(containsString("Failed after 3 attempts: the receiver answered 500"));
        given().get("/jobs/" + flaky)
                .then()
                .body(containsString("answered 200"))
                .body(containsString("on attempt 2"));

        // back up: an operator sends the given-up ending again, as a new delivery
        given().post("/api/jobs/" + down + "/webhook/resend")
                .then()
                .statusCode(202)
                .body("webhook.state", equalTo("PENDING"))
                .body("webhook.attempts", equalTo(0));
        Received replay = next();
        assertEquals("/down", replay.path());
        assertEquals("job.failed", replay.header("X-Srgan-Event"));
        awaitState(down, "DELIVERED");
        String notEnded = upscaleWithWebhook(url("/x"));
        given().post("/api/jobs/" + notEnded + "/webhook/resend")
                .then()
                .statusCode(409)
                .body("error", containsString("has not ended yet"));
        given().post("/api/jobs/" + java.util.UUID.randomUUID() + "/webhook/resend")
                .then()
                .statusCode(404);
        TestData.exec(
                dataSource, "UPDATE jobs SET status = 'CANCELLED', finished_at = now() WHERE id = ?::uuid", notEnded);
        assertEquals("/x", next().path());

        // nobody listening at all: the connection is refused, and that is an attempt too
        int port = receiver.getAddress().getPort();
        receiver.stop(0);
        receiver = null;
        String refused = upscaleWithWebhook("http://127.0.0.1:" + port + "/gone");
        TestData.exec(
                dataSource, "UPDATE jobs SET status = 'SUCCEEDED', finished_at = now() WHERE id = ?::uuid", refused);
        awaitState(refused, "GAVE_UP");
        given().get("/api/jobs/" + refused)
                .then()
                .body("webhook.attempts", equalTo(3))
                .body("webhook.responseCode", nullValue())
                .body("webhook.lastError", containsString("ConnectException"));
    }

    @Test
    void aBatchIsPostedOnceWhenItsLastImageEndsAndASweepsRunsEachCarryTheUrl() throws Exception {
        TestData.model(dataSource, 4, true);
        JsonPath batch = given().multiPart("images", "a.png", TestData.png(16, 16), "image/png")
                .multiPart("images", "b.png", TestData.png(20, 12), "image/png")
                .multiPart("scale", "4")
                .multiPart("webhookUrl", url("/batch"))
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(202)
                .extract()
                .jsonPath();
        String id = batch.getString("id");
        List<String> images =
                given().get("/api/jobs/" + id).then().extract().jsonPath().getList("batch.images.jobId");
        TestData.exec(
                dataSource,
                "UPDATE jobs SET status = 'SUCCEEDED', finished_at = now() WHERE id = ?::uuid",
                images.get(0));
        assertEquals(null, received.poll(1500, TimeUnit.MILLISECONDS), "an image's end is not the batch's");
        TestData.exec(
                dataSource,
                "UPDATE jobs SET status = 'FAILED', error = 'bad', finished_at = now() WHERE id = ?::uuid",
                images.get(1));
        Received ended = next();
        assertEquals("/batch", ended.path());
        assertEquals("job.failed", ended.header("X-Srgan-Event"));
        assertEquals(id, ended.json().getString("job.id"));
        assertEquals("BATCH", ended.json().getString("job.type"));
        assertEquals(null, received.poll(1500, TimeUnit.MILLISECONDS), "one delivery for the batch, none per image");

        String dataset = TestData.dataset(given(), "webhook photos");
        JsonPath sweep = given().contentType(ContentType.JSON)
                .body("{\"datasetId\": \"" + dataset + "\", \"webhookUrl\": \"" + url("/sweep") + "\","
                        + " \"hyperparameters\": {\"scale\": 2, \"residualBlocks\": 1, \"hrCropSize\": 24,"
                        + " \"pretrainSteps\": 4, \"ganSteps\": 0}, \"grid\": {\"batchSize\": [1, 2]}}")
                .when()
                .post("/api/training/sweeps")
                .then()
                .statusCode(202)
                .extract()
                .jsonPath();
        List<String> runs = sweep.getList("jobIds");
        assertEquals(2, runs.size());
        for (String run : runs) {
            given().get("/api/jobs/" + run).then().body("webhook.url", equalTo(url("/sweep")));
        }
        given().post("/api/training/sweeps/" + sweep.getString("id") + "/cancel")
                .then()
                .statusCode(200);
        assertEquals("job.cancelled", next().header("X-Srgan-Event"));
        assertEquals("job.cancelled", next().header("X-Srgan-Event"));
    }

    @Test
    void aBadWebhookUrlIsRefusedAndStoresNothing() throws Exception {
        TestData.model(dataSource, 2, true);
        long jobs = TestData.count(dataSource, "jobs");
        long blobs = TestData.count(dataSource, "blobs");
        long webhooks = TestData.count(dataSource, "job_webhooks");
        refusedUpscale("ftp://127.0.0.1/x", 400, "webhookUrl must be an http:// or https:// URL with a host");
        refusedUpscale("not a url", 400, "webhookUrl is not a URL");
        refusedUpscale("http://user:pw@127.0.0.1/x", 400, "must not carry a user name or password");
        refusedUpscale(
                "https://hooks.example.com/x",
                422,
                "webhookUrl's host 'hooks.example.com' is not one this cluster calls (127.0.0.1, localhost;"
                        + " srgan.webhooks.allowed-hosts)");
        given().contentType(ContentType.JSON)
                .body("{\"datasetId\": \"" + java.util.UUID.randomUUID() + "\", \"webhookUrl\": \"http://10.0.0.1/\"}")
                .when()
                .post("/api/training")
                .then()
                .statusCode(422)
                .body("field", equalTo("webhookUrl"));
        given().multiPart("images", "a.png", TestData.png(16, 16), "image/png")
                .multiPart("webhookUrl", "gopher://127.0.0.1/")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(400)
                .body("field", equalTo("webhookUrl"));
        assertEquals(jobs, TestData.count(dataSource, "jobs"));
        assertEquals(blobs, TestData.count(dataSource, "blobs"));
        assertEquals(webhooks, TestData.count(dataSource, "job_webhooks"));
    }

    private void refusedUpscale(String webhookUrl, int status, String message) throws Exception {
        given().multiPart("image", "x.png", TestData.png(16, 16), "image/png")
                .multiPart("scale", "2")
                .multiPart("webhookUrl", webhookUrl)
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(status)
                .body("field", equalTo("webhookUrl"))
                .body("error", containsString(message));
    }

    private String upscaleWithWebhook(String url) throws Exception {
        return given().multiPart("image", "x.png", TestData.png(16, 16), "image/png")
                .multiPart("scale", "2")
                .multiPart("webhookUrl", url)
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
    }

    private Received next() throws InterruptedException {
        Received r = received.poll(15, TimeUnit.SECONDS);
        assertNotNull(r, "no delivery within 15 s");
        return r;
    }

    private void awaitState(String job, String state) throws InterruptedException {
        Supplier<String> current =
                () -> given().get("/api/jobs/" + job).then().extract().path("webhook.state");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!state.equals(current.get())) {
            assertTrue(System.nanoTime() < deadline, "webhook of " + job + " never " + state + ": " + current.get());
            Thread.sleep(100);
        }
    }
}
