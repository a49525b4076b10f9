package dev.srgan.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.api.jobs.LeaseReaper;
import dev.srgan.embedded.EmbeddedServicesTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class JobLifecycleApiTest {
    @BeforeEach
    void signIn() {
        TestAuth.asAdmin();
    }

    @Inject
    DataSource dataSource;

    @Inject
    LeaseReaper reaper;

    @io.quarkus.test.common.http.TestHTTPResource("/api/events")
    URI events;

    String submit() throws Exception {
        TestData.model(dataSource, 2, true);
        return given().multiPart("image", "x.png", TestData.png(16, 16), "image/png")
                .multiPart("scale", "2")
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
    }

    @Test
    void queuedJobIsCancelledAtOnceAndCanBeRetried() throws Exception {
        String id = submit();
        given().post("/api/jobs/" + id + "/cancel").then().statusCode(200).body("status", equalTo("CANCELLED"));
        given().post("/api/jobs/" + id + "/cancel")
                .then()
                .statusCode(409)
                .body("error", containsString("already CANCELLED"));
        given().post("/api/jobs/" + id + "/retry")
                .then()
                .statusCode(202)
                .body("status", equalTo("QUEUED"))
                .body("attempts", equalTo(0));
        given().post("/api/jobs/" + id + "/retry").then().statusCode(409);
        given().get("/api/jobs/" + id + "/events")
                .then()
                .statusCode(200)
                .body("status", hasItems("QUEUED", "CANCELLED"))
                .body(
                        "message",
                        hasItems(
                                "submitted by bootstrap admin",
                                "cancelled by bootstrap admin while queued",
                                "retried by bootstrap admin"));
        assertEquals(2, messagesOnKafka(id, 2), "one message at submission, one at retry");
        awaitOutboxEmpty(id);
    }

    @Test
    void sentOutboxRowsAreDeletedSoTheTableStaysBounded() throws Exception {
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(submit());
        }
        for (String id : ids) {
            awaitOutboxEmpty(id);
        }
        assertEquals(1, messagesOnKafka(ids.get(19), 1), "the row went to Kafka before it was deleted");
    }

    @Inject
    dev.srgan.platform.KafkaSettings kafka;

    /** Counts the messages keyed {@code key} on the upscale topic, reading until {@code expected} are seen or 30 s pass. */
    private int messagesOnKafka(String key, int expected) {
        java.util.Map<String, Object> config = kafka.clientConfig("test-count");
        config.put(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_ID_CONFIG, "test-count-" + UUID.randomUUID());
        config.put(org.apache.kafka.clients.consumer.ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        int seen = 0;
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                config,
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.StringDeserializer())) {
            consumer.subscribe(List.of(kafka.topic(dev.srgan.domain.jobs.JobType.UPSCALE)));
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
            while (seen < expected && System.nanoTime() < deadline) {
                for (var r : consumer.poll(java.time.Duration.ofMillis(300))) {
                    if (key.equals(r.key())) {
                        seen++;
                    }
                }
            }
        }
        return seen;
    }

    private void awaitOutboxEmpty(String key) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        while (true) {
            try (Connection c = dataSource.getConnection();
                    PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM outbox WHERE message_key = ?")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) == 0) {
                        return;
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("outbox rows of " + key + " still there after 30 s");
            }
            Thread.sleep(100);
        }
    }

    @Test
    void jobsAreFilteredAndPaged() throws Exception {
        for (int i = 0; i < 3; i++) {
            submit();
        }
        given().get("/api/jobs?type=upscale&status=QUEUED&size=2&page=0")
                .then()
                .statusCode(200)
                .body("items.size()", equalTo(2))
                .body("items.type", everyItem(equalTo("UPSCALE")))
                .body("items.status", everyItem(equalTo("QUEUED")))
                .body("total", greaterThanOrEqualTo(3));
        given().get("/api/jobs?status=DONE").then().statusCode(400).body("field", equalTo("status"));
        given().get("/api/jobs?size=0").then().statusCode(400).body("field", equalTo("size"));
        given().get("/api/jobs/" + UUID.randomUUID()).then().statusCode(404).body("error", containsString("no job"));
        given().get("/api/jobs/not-a-uuid").then().statusCode(404);
        given().get("/api/jobs/" + submit() + "/result")
                .then()
                .statusCode(404)
                .body("error", containsString("has no result"));
    }

    @Test
    void onlyASucceededJobServesAResult() throws Exception {
        String id = submit();
        // a result row next to a job that did not succeed (the reaper failed it on its last attempt)
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            UUID blob = UUID.randomUUID();
            byte[] png = TestData.png(32, 32);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO blobs (id, content_type, size_bytes, sha256, complete) VALUES (?, 'image/png', ?, 'x', true)")) {
                ps.setObject(1, blob);
                ps.setLong(2, png.length);
                ps.executeUpdate();
            }
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO blob_chunks (blob_id, seq, data) VALUES (?, 0, ?)")) {
                ps.setObject(1, blob);
                ps.setBytes(2, png);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO results (job_id, blob_id, width, height, content_type) VALUES (?, ?, 32, 32, 'image/png')")) {
                ps.setObject(1, UUID.fromString(id));
                ps.setObject(2, blob);
                ps.executeUpdate();
            }
            try (PreparedStatement ps =
                    c.prepareStatement("UPDATE jobs SET status = 'FAILED', finished_at = now() WHERE id = ?")) {
                ps.setObject(1, UUID.fromString(id));
                ps.executeUpdate();
            }
            c.commit();
        }
        given().get("/api/jobs/" + id + "/result").then().statusCode(404).body("error", containsString("it is FAILED"));
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("UPDATE jobs SET status = 'SUCCEEDED' WHERE id = ?")) {
            ps.setObject(1, UUID.fromString(id));
            ps.executeUpdate();
        }
        given().get("/api/jobs/" + id + "/result").then().statusCode(200).contentType("image/png");
    }

    @Test
    void expiredLeaseIsQueuedAgainThenFailsAfterTheLastAttempt() throws Exception {
        String id = submit();
        setRunning(id, 1);
        reaper.reapExpired();
        given().get("/api/jobs/" + id).then().body("status", equalTo("QUEUED")).body("attempts", equalTo(1));
        setRunning(id, 3);
        reaper.reapExpired();
        given().get("/api/jobs/" + id)
                .then()
                .body("status", equalTo("FAILED"))
                .body("error", containsString("stopped heartbeating on the last of 3 attempts"));
    }

    @Test
    void cancelOfARunningJobIsARequestTheWorkerHonours() throws Exception {
        String id = submit();
        setRunning(id, 1);
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "UPDATE jobs SET lease_expires_at = now() + interval '1 hour' WHERE id = ?::uuid")) {
            ps.setString(1, id);
            ps.executeUpdate();
        }
        given().post("/api/jobs/" + id + "/cancel")
                .then()
                .statusCode(200)
                .body("status", equalTo("RUNNING"))
                .body("cancelRequested", equalTo(true));
    }

    @Test
    void stateChangesArriveAsServerSentEvents() throws Exception {
        String id = submit();
        HttpClient http = HttpClient.newHttpClient();
        CompletableFuture<HttpResponse<Stream<String>>> response = http.sendAsync(
                HttpRequest.newBuilder(URI.create(events + "?jobId=" + id))
                        .header("Authorization", "Bearer " + TestAuth.ADMIN_TOKEN)
                        .build(),
                HttpResponse.BodyHandlers.ofLines());
        HttpResponse<Stream<String>> r = response.get(10, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode());
        CompletableFuture<String> cancelled = CompletableFuture.supplyAsync(() -> r.body()
                .filter(l -> l.startsWith("data:") && l.contains("CANCELLED"))
                .findFirst()
                .orElse(""));
        Thread.sleep(500);
        given().post("/api/jobs/" + id + "/cancel").then().statusCode(200);
        String event = cancelled.get(15, TimeUnit.SECONDS);
        assertTrue(event.contains(id) && event.contains("\"kind\" : \"job\""), event);
    }

    @Test
    void aBurstOfEventsReachesAnEventStreamWhole() throws Exception {
        // 3000 notifications in one statement arrive together, faster than one SSE connection
        // asks for them; before each subscriber had a buffer the stream failed ("Could not emit")
        // and the client was cut off: the load script lost its live view at 200 submissions/s
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<Stream<String>> r = http.sendAsync(
                        HttpRequest.newBuilder(events)
                                .header("Authorization", "Bearer " + TestAuth.ADMIN_TOKEN)
                                .build(),
                        HttpResponse.BodyHandlers.ofLines())
                .get(10, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode());
        CompletableFuture<Long> last = CompletableFuture.supplyAsync(
                () -> r.body().filter(l -> l.contains("\"burst\"")).limit(3000).count());
        Thread.sleep(500);
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT count(pg_notify('srgan_events', json_build_object('kind', 'burst', 'n', i)::text)) FROM generate_series(1, 3000) i")) {
            ps.executeQuery().close();
        }
        assertEquals(
                3000L, last.get(60, TimeUnit.SECONDS), "every event of the burst arrives, and the stream stays open");
    }

    @Test
    void anEventStreamClosesWithinSecondsOfItsTokensRevocation() throws Exception {
        io.restassured.response.ExtractableResponse<?> created = given().contentType("application/json")
                .body("{\"name\": \"watcher\", \"role\": \"VIEWER\"}")
                .post("/api/tokens")
                .then()
                .statusCode(201)
                .extract();
        String token = created.path("token");
        String tokenId = created.path("id");
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<Stream<String>> r = http.sendAsync(
                        HttpRequest.newBuilder(events)
                                .header("Authorization", "Bearer " + token)
                                .build(),
                        HttpResponse.BodyHandlers.ofLines())
                .get(10, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode());
        CompletableFuture<List<String>> lines =
                CompletableFuture.supplyAsync(() -> r.body().toList());
        Thread.sleep(1_000);
        assertTrue(!lines.isDone(), "the stream is open while the token stands");
        given().post("/api/tokens/" + tokenId + "/revoke").then().statusCode(200);
        long revoked = System.nanoTime();
        List<String> received = lines.get(5, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - revoked) / 1e9;
        assertTrue(seconds < 5, "closed " + seconds + " s after the revocation");
        assertTrue(received.stream().anyMatch(l -> l.contains("revoked")), "the last event says why: " + received);
    }

    void setRunning(String id, int attempts) throws Exception {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "UPDATE jobs SET status = 'RUNNING', attempts = ?, worker_id = 'gone', lease_expires_at = now() - interval '1 second' WHERE id = ?::uuid")) {
            ps.setInt(1, attempts);
            ps.setString(2, id);
            ps.executeUpdate();
        }
    }
}
