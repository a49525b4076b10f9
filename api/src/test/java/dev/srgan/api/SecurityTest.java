package dev.srgan.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.embedded.EmbeddedServicesTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tokens, roles, the dashboard session with its CSRF token, and what every rejection leaves behind: nothing. */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class SecurityTest {
    static final String ADMIN = "Bearer " + TestAuth.ADMIN_TOKEN;

    @Inject
    DataSource dataSource;

    @io.quarkus.test.common.http.TestHTTPResource("/")
    URL root;

    @BeforeEach
    void noDefaultCredentials() {
        TestAuth.anonymous();
    }

    static String token(String name, String role) {
        return given().header("Authorization", ADMIN)
                .contentType(ContentType.JSON)
                .body(Map.of("name", name, "role", role))
                .post("/api/tokens")
                .then()
                .statusCode(201)
                .body("role", equalTo(role))
                .extract()
                .path("token");
    }

    @Test
    void withoutATokenTheApiAnswers401() {
        given().get("/api/jobs")
                .then()
                .statusCode(401)
                .contentType(ContentType.JSON)
                .header("WWW-Authenticate", containsString("Bearer"))
                .body("error", containsString("Authorization: Bearer"));
        given().header("Authorization", "Bearer srgan_not-a-real-token")
                .get("/api/jobs")
                .then()
                .statusCode(401)
                .body("error", containsString("not valid"));
        // what stays open: health, OpenAPI, metrics (srgan.auth.metrics-public=true), static assets
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/openapi").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
        given().get("/static/srgan.js").then().statusCode(200).body(containsString("X-CSRF-Token"));
    }

    @Test
    void viewerReadsButCannotSubmit() throws Exception {
        String viewer = "Bearer " + token("viewer", "VIEWER");
        given().header("Authorization", viewer).get("/api/jobs").then().statusCode(200);
        given().header("Authorization", viewer).get("/api/workers").then().statusCode(200);
        long jobs = TestData.count(dataSource, "jobs");
        long blobs = TestData.count(dataSource, "blobs");
        given().header("Authorization", viewer)
                .multiPart("image", "cat.png", TestData.png(32, 32), "image/png")
                .post("/api/upscale")
                .then()
                .statusCode(403)
                .contentType(ContentType.JSON)
                .body("error", containsString("operator role"))
                .body("error", containsString("viewer role"));
        given().header("Authorization", viewer).get("/api/tokens").then().statusCode(403);
        assertEquals(jobs, TestData.count(dataSource, "jobs"), "a refused submission creates no job");
        assertEquals(blobs, TestData.count(dataSource, "blobs"), "and stores nothing");
    }

    @Test
    void operatorSubmitsAndCancelsButCannotManageModels() throws Exception {
        TestData.model(dataSource, 4, true);
        String operator = "Bearer " + token("operator", "OPERATOR");
        String id = given().header("Authorization", operator)
                .multiPart("image", "cat.png", TestData.png(32, 32), "image/png")
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        given().header("Authorization", operator)
                .post("/api/jobs/" + id + "/cancel")
                .then()
                .statusCode(200)
                .body("status", equalTo("CANCELLED"));
        given().header("Authorization", operator)
                .post("/api/jobs/" + id + "/retry")
                .then()
                .statusCode(202);
        long models = TestData.count(dataSource, "models");
        given().header("Authorization", operator)
                .contentType(ContentType.JSON)
                .body(Map.of("checkpointId", java.util.UUID.randomUUID().toString()))
                .post("/api/models")
                .then()
                .statusCode(403)
                .body("error", containsString("admin role"));
        given().header("Authorization", operator)
                .contentType(ContentType.JSON)
                .body(Map.of("name", "mine", "role", "ADMIN"))
                .post("/api/tokens")
                .then()
                .statusCode(403);
        assertEquals(models, TestData.count(dataSource, "models"));
    }

    @Test
    void adminCreatesListsAndRevokesTokensAndARevokedTokenIs401() {
        String raw = token("ci <script>alert(5)</script>", "OPERATOR");
        assertTrue(raw.startsWith("srgan_") && raw.length() >= 43, raw);
        String id = given().header("Authorization", ADMIN)
                .get("/api/tokens")
                .then()
                .statusCode(200)
                .body("token", org.hamcrest.Matchers.everyItem(org.hamcrest.Matchers.nullValue()))
                .extract()
                .path("find { it.name == 'ci <script>alert(5)</script>' }.id");
        given().header("Authorization", "Bearer " + raw).get("/api/jobs").then().statusCode(200);
        // the admin page lists it, escaped
        given().header("Authorization", ADMIN)
                .accept("text/html")
                .get("/admin")
                .then()
                .statusCode(200)
                .body(containsString("ci &lt;script&gt;alert(5)&lt;/script&gt;"))
                .body(not(containsString("<script>alert(5)")));
        given().header("Authorization", ADMIN)
                .post("/api/tokens/" + id + "/revoke")
                .then()
                .statusCode(200)
                .body("revokedAt", org.hamcrest.Matchers.notNullValue());
        given().header("Authorization", "Bearer " + raw).get("/api/jobs").then().statusCode(401);
        given().header("Authorization", ADMIN)
                .contentType(ContentType.JSON)
                .body(Map.of("name", "x", "role", "ROOT"))
                .post("/api/tokens")
                .then()
                .statusCode(400)
                .body("field", equalTo("role"));
        given().header("Authorization", ADMIN)
                .contentType(ContentType.JSON)
                .body(Map.of("name", " ", "role", "VIEWER"))
                .post("/api/tokens")
                .then()
                .statusCode(400)
                .body("field", equalTo("name"));
    }

    @Test
    void tokensAreStoredOnlyAsTheirHash() throws Exception {
        String raw = token("hash-check", "VIEWER");
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("SELECT token_hash, t::text FROM api_tokens t WHERE name = 'hash-check'")) {
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertArrayEquals(
                        MessageDigest.getInstance("SHA-256").digest(raw.getBytes(StandardCharsets.UTF_8)),
                        rs.getBytes(1));
                assertTrue(!rs.getString(2).contains(raw.substring(6)), "the row holds no trace of the raw token");
            }
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM api_tokens t WHERE t::text LIKE ?")) {
            ps.setString(1, "%" + TestAuth.ADMIN_TOKEN.substring(6) + "%");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals(0, rs.getLong(1), "nor of the bootstrap admin's");
            }
        }
    }

    @Test
    void dashboardSignInUsesAnHttpOnlyStrictCookieAndPostsNeedTheCsrfToken() throws Exception {
        TestData.model(dataSource, 4, true);
        // not signed in: pages send the browser to the login page
        given().redirects()
                .follow(false)
                .accept("text/html")
                .get("/jobs?type=UPSCALE")
                .then()
                .statusCode(303)
                .header("Location", containsString("/login?next=%2Fjobs%3Ftype%3DUPSCALE"));
        given().get("/login").then().statusCode(200).body(containsString("name=\"token\""));
        given().redirects()
                .follow(false)
                .formParam("token", "srgan_wrong")
                .post("/login")
                .then()
                .statusCode(401)
                .body(containsString("not valid"));

        String operator = token("browser", "OPERATOR");
        Response login = given().redirects()
                .follow(false)
                .formParam("token", operator)
                .formParam("next", "/jobs")
                .post("/login");
        login.then().statusCode(303).header("Location", containsString("/jobs"));
        List<String> setCookies = login.headers().getValues("Set-Cookie");
        String sessionHeader = setCookies.stream()
                .filter(h -> h.startsWith("srgan_session="))
                .findFirst()
                .orElseThrow();
        assertTrue(sessionHeader.contains("HttpOnly") && sessionHeader.contains("SameSite=Strict"), sessionHeader);
        String session = login.cookie("srgan_session");
        String csrf = login.cookie("srgan_csrf");
        // an outside redirect target is ignored
        given().redirects()
                .follow(false)
                .formParam("token", operator)
                .formParam("next", "//evil.example")
                .post("/login")
                .then()
                .statusCode(303)
                .header("Location", not(containsString("evil")));

        given().cookie("srgan_session", session)
                .accept("text/html")
                .get("/jobs")
                .then()
                .statusCode(200)
                .body(containsString("Jobs"));
        String id = given().header("Authorization", ADMIN)
                .multiPart("image", "cat.png", TestData.png(32, 32), "image/png")
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        // the session cookie alone is not enough to change anything: a forged cross-site POST has no CSRF header
        given().cookie("srgan_session", session)
                .post("/api/jobs/" + id + "/cancel")
                .then()
                .statusCode(403)
                .contentType(ContentType.JSON)
                .body("error", containsString("CSRF"));
        given().cookie("srgan_session", session)
                .header("X-CSRF-Token", "0".repeat(64))
                .post("/api/jobs/" + id + "/cancel")
                .then()
                .statusCode(403);
        given().header("Authorization", ADMIN).get("/api/jobs/" + id).then().body("status", equalTo("QUEUED"));
        given().cookie("srgan_session", session)
                .cookie("srgan_csrf", csrf)
                .header("X-CSRF-Token", csrf)
                .post("/api/jobs/" + id + "/cancel")
                .then()
                .statusCode(200)
                .body("status", equalTo("CANCELLED"));

        Response logout = given().cookie("srgan_session", session)
                .header("X-CSRF-Token", csrf)
                .post("/logout");
        logout.then().statusCode(200);
        assertTrue(
                logout.headers().getValues("Set-Cookie").stream()
                        .anyMatch(h -> h.startsWith("srgan_session=;") && h.contains("Max-Age=0")),
                logout.headers().getValues("Set-Cookie").toString());
    }

    @Test
    void hostileFileNamesAreEscapedOnEveryPage() throws Exception {
        TestData.model(dataSource, 4, true);
        String id = given().header("Authorization", ADMIN)
                .multiPart("image", "<img src=x onerror=alert(3)>.png", TestData.png(32, 32), "image/png")
                .post("/api/upscale")
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        for (String page : new String[] {"/", "/jobs", "/jobs/" + id, "/upscale/" + id}) {
            given().header("Authorization", ADMIN)
                    .get(page)
                    .then()
                    .statusCode(200)
                    .body(not(containsString("<img src=x onerror")))
                    .body(containsString("&lt;img src=x onerror=alert(3)&gt;"));
        }
    }

    @Test
    void anOversizedBodyIsRefusedAsJsonBeforeItIsRead() throws Exception {
        long jobs = TestData.count(dataSource, "jobs");
        long blobs = TestData.count(dataSource, "blobs");
        // declares 60 MB (over srgan.upload.max-bytes = 50 MB + 1 MiB) and sends almost none of it
        try (Socket s = new Socket(root.getHost(), root.getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /api/upscale HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + ADMIN
                            + "\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: 60000000\r\n\r\n--x\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            // the answer comes while the client is still "uploading": read it without waiting for the close
            StringBuilder answerText = new StringBuilder();
            byte[] buf = new byte[4096];
            int n;
            while (!answerText.toString().endsWith("}") && (n = in.read(buf)) > 0) {
                answerText.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
            String answer = answerText.toString();
            assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
            assertTrue(
                    answer.contains("application/json")
                            && answer.contains("\"error\"")
                            && answer.contains("srgan.upload.max-bytes"),
                    answer);
        }
        assertEquals(jobs, TestData.count(dataSource, "jobs"));
        assertEquals(blobs, TestData.count(dataSource, "blobs"));
    }
}
