package dev.srgan.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import dev.srgan.embedded.EmbeddedServicesTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import javax.imageio.ImageIO;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Images named by URL ({@code imageUrl}, {@code imageUrls}): fetched by the api from a server on
 * loopback (the test profile allows 127.0.0.1, not localhost), stored as an upload would be, and
 * every way a URL can fail answered with the field and the reason, storing nothing.
 */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class ImageUrlTest {
    @Inject
    DataSource dataSource;

    private HttpServer server;
    private String base;
    private byte[] photo;
    private final java.util.concurrent.CountDownLatch together = new java.util.concurrent.CountDownLatch(4);
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger mostInFlight =
            new java.util.concurrent.atomic.AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        TestAuth.asAdmin();
        TestData.model(dataSource, 4, true);
        photo = TestData.png(40, 30);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/photos/cat one.png", x -> answer(x, 200, "image/png", photo));
        server.createContext("/photos/dog.png", x -> answer(x, 200, "image/png", TestData.png(24, 16)));
        server.createContext("/moved", x -> {
            x.getResponseHeaders().add("Location", "/photos/cat%20one.png");
            answer(x, 302, "text/plain", new byte[0]);
        });
        server.createContext("/elsewhere", x -> {
            x.getResponseHeaders()
                    .add("Location", "http://localhost:" + server.getAddress().getPort() + "/photos/dog.png");
            answer(x, 302, "text/plain", new byte[0]);
        });
        server.createContext("/missing.png", x -> answer(x, 404, "text/plain", "no such photo".getBytes()));
        server.createContext("/page.html", x -> answer(x, 200, "text/html", "<html>not an image</html>".getBytes()));
        server.createContext("/slow.png", x -> {
            try {
                Thread.sleep(4000); // past the test profile's 2 s url-timeout
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answer(x, 200, "image/png", photo);
        });
        server.createContext("/stalls.png", x -> {
            x.getResponseHeaders().add("Content-Type", "image/png");
            x.sendResponseHeaders(200, photo.length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(photo, 0, 20);
                out.flush();
                Thread.sleep(4000); // the headers came at once, the rest of the body too late
                out.write(photo, 20, photo.length - 20);
            } catch (java.io.IOException | InterruptedException closedByTheApi) {
                // the api gave up at its deadline
            }
        });
        server.createContext("/huge.png", x -> {
            x.getResponseHeaders().add("Content-Type", "image/png");
            x.sendResponseHeaders(200, 0); // chunked: the size is only known by reading
            try (OutputStream out = x.getResponseBody()) {
                byte[] zeros = new byte[1 << 20];
                for (int i = 0; i < 60; i++) { // 60 MiB, over the 50 MiB upload limit
                    out.write(zeros);
                }
            } catch (java.io.IOException closedByTheApi) {
                // the api stops reading at the limit
            }
        });
        // answers once four requests are in (or after 1.5 s, within the 2 s url-timeout): fetched one
        // after another, each would wait alone
        server.createContext("/together/", x -> {
            inFlight.incrementAndGet();
            together.countDown();
            try {
                together.await(1500, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            mostInFlight.accumulateAndGet(inFlight.get(), Math::max);
            answer(x, 200, "image/png", TestData.png(20, 16));
            inFlight.decrementAndGet();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool()); // a stalled answer holds up no other
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static void answer(com.sun.net.httpserver.HttpExchange x, int status, String type, byte[] body)
            throws java.io.IOException {
        x.getResponseHeaders().add("Content-Type", type);
        x.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(body);
        }
    }

    @Test
    void anUpscaleOfAnImageUrlStoresTheImageItServes() throws Exception {
        for (String url : new String[] {base + "/photos/cat%20one.png", base + "/moved"}) {
            String id = given().multiPart("imageUrl", url)
                    .multiPart("scale", "4")
                    .when()
                    .post("/api/upscale")
                    .then()
                    .statusCode(202)
                    .extract()
                    .path("id");
            given().when()
                    .get("/api/jobs/" + id)
                    .then()
                    .statusCode(200)
                    .body("inputName", equalTo("cat one.png"))
                    .body("params.inputWidth", equalTo(40))
                    .body("params.inputHeight", equalTo(30));
            byte[] stored = given().when()
                    .get("/upscale/" + id + "/input")
                    .then()
                    .statusCode(200)
                    .extract()
                    .asByteArray();
            BufferedImage expected = ImageIO.read(new ByteArrayInputStream(photo));
            BufferedImage actual = ImageIO.read(new ByteArrayInputStream(stored));
            for (int y = 0; y < 30; y++) {
                for (int x = 0; x < 40; x++) {
                    assertEquals(expected.getRGB(x, y), actual.getRGB(x, y), url + " pixel " + x + "," + y);
                }
            }
        }
    }

    @Test
    void aBatchOfImageUrlsHoldsEachImage() {
        String id = given().multiPart("imageUrls", base + "/photos/cat%20one.png")
                .multiPart("imageUrls", base + "/photos/dog.png")
                .multiPart("scale", "2")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(202)
                .body("count", equalTo(2))
                .extract()
                .path("id");
        given().when()
                .get("/api/jobs/" + id)
                .then()
                .statusCode(200)
                .body("batch.images.name", org.hamcrest.Matchers.containsInAnyOrder("cat one.png", "dog.png"));
    }

    @Test
    void aBatchFetchesItsUrlsFourAtATime() {
        var request = given();
        for (int i = 0; i < 4; i++) {
            request.multiPart("imageUrls", base + "/together/" + i + ".png");
        }
        request.multiPart("scale", "2")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(202)
                .body("count", equalTo(4));
        assertEquals(4, mostInFlight.get(), "the four requests were in flight together");
    }

    @Test
    void everyUrlThatCannotBeFetchedIsRefusedWithItsReasonAndStoresNothing() throws Exception {
        long jobs = TestData.count(dataSource, "jobs");
        long blobs = TestData.count(dataSource, "blobs");
        int port = server.getAddress().getPort();
        refused("http://localhost:" + port + "/photos/dog.png", 422, "the host 'localhost'", "srgan.upscale.url-hosts");
        refused(base + "/elsewhere", 422, "the host 'localhost'", "is not one this cluster fetches from");
        refused(base + "/missing.png", 422, "answered HTTP 404", base + "/missing.png");
        refused(base + "/slow.png", 422, "did not answer within 2 s", "srgan.upscale.url-timeout");
        refused(base + "/stalls.png", 422, "did not answer within 2 s", "srgan.upscale.url-timeout");
        refused(base + "/huge.png", 413, "the limit is", "bytes");
        refused("http://127.0.0.1:1/photo.png", 422, "could not be reached", "127.0.0.1");
        refused("ftp://127.0.0.1/photo.png", 400, "must be an http:// or https:// URL", "ftp://");
        refused("http://user:secret@127.0.0.1/photo.png", 400, "must not carry a user name or password", "imageUrl");
        given().multiPart("imageUrl", base + "/page.html")
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(415)
                .body("field", equalTo("imageUrl"));
        given().multiPart("imageUrl", base + "/photos/dog.png")
                .multiPart("image", "cat.png", photo, "image/png")
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(400)
                .body("field", equalTo("imageUrl"))
                .body("error", containsString("one of image, imageUrl and sourceJobId"));
        // a batch with one bad URL among good ones: refused, naming it, and none of them kept
        given().multiPart("imageUrls", base + "/photos/dog.png")
                .multiPart("imageUrls", base + "/missing.png")
                .when()
                .post("/api/upscale/batch")
                .then()
                .statusCode(422)
                .body("field", equalTo("imageUrls"))
                .body("error", containsString(base + "/missing.png answered HTTP 404"));
        assertEquals(jobs, TestData.count(dataSource, "jobs"), "no job stored");
        assertEquals(blobs, TestData.count(dataSource, "blobs"), "no image stored");
    }

    private static void refused(String url, int status, String... says) {
        var body = given().multiPart("imageUrl", url)
                .when()
                .post("/api/upscale")
                .then()
                .statusCode(status)
                .body("field", equalTo("imageUrl"));
        for (String s : says) {
            body.body("error", containsString(s));
        }
    }
}
