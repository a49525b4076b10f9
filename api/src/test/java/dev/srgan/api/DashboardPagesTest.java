package dev.srgan.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.embedded.EmbeddedServicesTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The dashboard's pages render from real data, escape what users typed, and stay fast with 10,000 jobs. */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardPagesTest {
    @BeforeEach
    void signIn() {
        TestAuth.asAdmin();
    }

    static final String MARK = "dashboard-bulk-";
    static final long FAST_MS = 2000;

    @Inject
    DataSource dataSource;

    UUID hostile;

    @BeforeAll
    void tenThousandJobs() throws Exception {
        try (Connection c = dataSource.getConnection();
                Statement st = c.createStatement()) {
            st.executeUpdate("""
                    INSERT INTO jobs (id, type, status, name, params, created_at, started_at, finished_at, error)
                    SELECT gen_random_uuid(), (ARRAY['UPSCALE','TRAINING','EVALUATE'])[1 + i % 3],
                           (ARRAY['QUEUED','RUNNING','SUCCEEDED','FAILED','CANCELLED'])[1 + i % 5], 'MARK' || i, '{"scale":2}',
                           now() - i * interval '1 second', CASE WHEN i % 5 > 0 THEN now() - i * interval '1 second' END,
                           CASE WHEN i % 5 >= 2 THEN now() - i * interval '1 second' + interval '500 milliseconds' END,
                           CASE WHEN i % 5 = 3 THEN 'bulk failure ' || i END
                    FROM generate_series(1, 10000) AS i""".replace("MARK", MARK));
            hostile = UUID.randomUUID();
            st.executeUpdate("INSERT INTO jobs (id, type, status, name, error, finished_at) VALUES ('" + hostile
                    + "', 'UPSCALE', 'FAILED', '<script>alert(1)</script>', '<img src=x onerror=alert(2)>', now())");
        }
    }

    @AfterAll
    void removeThem() throws Exception {
        try (Connection c = dataSource.getConnection();
                Statement st = c.createStatement()) {
            st.executeUpdate("DELETE FROM jobs WHERE name LIKE '" + MARK + "%' OR id = '" + hostile + "'");
            st.executeUpdate("DELETE FROM models WHERE name LIKE '" + MARK + "%'");
        }
    }

    /** The jobs the Jobs page lists: all but the images of batch upscales, which are listed under their batch. */
    long total() throws Exception {
        try (Connection c = dataSource.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM jobs WHERE batch_id IS NULL")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static long timeGet(String path) {
        long t0 = System.nanoTime();
        given().get(path).then().statusCode(200).contentType(containsString("text/html"));
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Test
    void overviewAndJobsRenderQuicklyWithTenThousandJobs() throws Exception {
        for (String warm : new String[] {"/", "/jobs", "/workers"}) {
            given().get(warm).then().statusCode(200);
        }
        for (String path : new String[] {
            "/",
            "/jobs",
            "/jobs?page=200",
            "/jobs?type=TRAINING&status=FAILED",
            "/jobs?status=RUNNING&page=50",
            "/training",
            "/overview/live",
            "/jobs/table?type=UPSCALE&page=3"
        }) {
            long ms = timeGet(path);
            System.out.printf("%s rendered in %d ms with 10,000 jobs%n", path, ms);
            assertTrue(ms < FAST_MS, path + " took " + ms + " ms");
        }
        given().get("/")
                .then()
                .body(containsString("Workers online"))
                .body(containsString("Jobs per minute"))
                .body(containsString("Consumer lag"))
                .body(containsString(MARK + "1<"));
    }

    @Test
    void jobsArePagedAndFiltered() throws Exception {
        long total = total();
        long pages = (total + 24) / 25;
        given().get("/jobs")
                .then()
                .statusCode(200)
                .body(containsString("1–25 of " + total))
                .body(containsString("page 1 of " + pages))
                .body(containsString("rel=\"next\""))
                .body(not(containsString("rel=\"prev\"")));
        given().get("/jobs?page=2")
                .then()
                .body(containsString("26–50 of " + total))
                .body(containsString("rel=\"prev\""));
        given().get("/jobs?page=" + pages)
                .then()
                .body(containsString("page " + pages + " of " + pages))
                .body(not(containsString("rel=\"next\"")));
        // a page past the end shows the last one
        given().get("/jobs?page=" + (pages + 100))
                .then()
                .statusCode(200)
                .body(containsString("page " + pages + " of " + pages));
        // 10,000 / 15 type-and-state combinations: exactly 666 or 667 bulk jobs are FAILED trainings (i % 15 == 5)
        given().get("/jobs?type=TRAINING&status=FAILED")
                .then()
                .body(containsString("of 66"))
                .body(containsString("badge FAILED"))
                .body(not(containsString("badge QUEUED")));
        given().get("/jobs?type=NOPE").then().statusCode(200).body(containsString("There is no job type"));
        given().get("/jobs?page=abc").then().statusCode(200).body(containsString("is not a page number"));
    }

    @Test
    void trainingRunsCanBeOpenedAndCompared() throws Exception {
        java.util.List<String> ids = new java.util.ArrayList<>();
        try (Connection c = dataSource.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT id FROM jobs WHERE type = 'TRAINING' AND name LIKE '" + MARK
                        + "%' ORDER BY created_at DESC LIMIT 2")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        given().get("/training/" + ids.get(0)).then().statusCode(200).body(containsString("id=\"charts\""));
        given().get("/training/compare?id=" + ids.get(0) + "&id=" + ids.get(1))
                .then()
                .statusCode(200)
                .body(containsString("data-run=\"" + ids.get(0) + "\""))
                .body(containsString("data-run=\"" + ids.get(1) + "\""))
                .body(containsString("<option value=\"niqe\">"));

        // validations with NIQE, and one whose images were too small for it (null)
        UUID run = UUID.fromString(ids.get(0));
        TestData.exec(
                dataSource,
                "INSERT INTO validation_metrics (job_id, step, psnr, ssim, bicubic_psnr, bicubic_ssim, niqe, bicubic_niqe) "
                        + "VALUES (?, 0, 20.5, 0.61, 27.25, 0.75, 9.25, 6.25), (?, 10, 24.5, 0.7, 27.25, 0.75, NULL, NULL)",
                run,
                run);
        given().get("/api/jobs/" + run + "/validation")
                .then()
                .statusCode(200)
                .body("step", contains(0, 10))
                .body("[0].niqe", equalTo(9.25f))
                .body("[0].bicubicNiqe", equalTo(6.25f))
                .body("[1]", hasKey("niqe"))
                .body("[1].niqe", nullValue())
                .body("[1].bicubicNiqe", nullValue());
        given().get("/training/" + run)
                .then()
                .statusCode(200)
                .body(containsString("id=\"chart-niqe\""))
                .body(containsString("NIQE 9.25 (bicubic 6.25)"));
    }

    @Test
    void modelsPageShowsNiqeNextToPsnrAndSsim() throws Exception {
        UUID model = TestData.model(dataSource, 2, false);
        TestData.exec(dataSource, "UPDATE models SET name = ? WHERE id = ?", MARK + "model", model);
        TestData.exec(
                dataSource,
                "INSERT INTO model_evaluations (id, model_id, scale, image_count, psnr, ssim, bicubic_psnr, bicubic_ssim, ms_per_image, "
                        + "niqe, bicubic_niqe, hr_niqe) VALUES (?, ?, 2, 3, 30.5, 0.9, 29.5, 0.88, 12, 4.25, 6.5, 3.75)",
                UUID.randomUUID(),
                model);

        given().get("/api/models/" + model)
                .then()
                .statusCode(200)
                .body("evaluation.psnr", equalTo(30.5f))
                .body("evaluation.niqe", equalTo(4.25f))
                .body("evaluation.bicubicNiqe", equalTo(6.5f))
                .body("evaluation.hrNiqe", equalTo(3.75f));
        given().get("/models")
                .then()
                .statusCode(200)
                .body(containsString(">NIQE</th>"))
                .body(containsString("4.25 <span class=\"muted small\">/ 6.50</span>"))
                .body(containsString("photos 3.75"))
                .body(containsString("NIQE: no-reference naturalness, lower is better"));

        // an evaluation without NIQE (photos too small, or made before NIQE) shows a dash, and null in the JSON
        TestData.exec(
                dataSource,
                "UPDATE model_evaluations SET niqe = NULL, bicubic_niqe = NULL, hr_niqe = NULL WHERE model_id = ?",
                model);
        given().get("/api/models/" + model)
                .then()
                .statusCode(200)
                .body("evaluation", hasKey("niqe"))
                .body("evaluation.niqe", nullValue())
                .body("evaluation.hrNiqe", nullValue());
        given().get("/models").then().statusCode(200).body(not(containsString("4.25 <span")));
    }

    @Test
    void userTextIsEscaped() {
        given().get("/jobs/" + hostile)
                .then()
                .statusCode(200)
                .body(containsString("&lt;script&gt;alert(1)&lt;/script&gt;"))
                .body(not(containsString("<script>alert(1)")))
                .body(containsString("&lt;img src=x onerror=alert(2)&gt;"));
        given().get("/").then().body(not(containsString("<script>alert(1)"))).body(not(containsString("<img src=x")));
    }

    @Test
    void everyPageRenders() {
        for (String path : new String[] {"/upscale", "/training", "/workers", "/models", "/training/compare"}) {
            given().get(path).then().statusCode(200).body(containsString("SRGAN Cluster"));
        }
        given().get("/jobs/" + hostile + "/detail")
                .then()
                .statusCode(200)
                .body(containsString("badge FAILED"))
                .body(not(containsString("<html")));
        given().get("/jobs/" + UUID.randomUUID()).then().statusCode(404);
        given().get("/static/srgan.js").then().statusCode(200);
        given().get("/webjars/chart.js/dist/chart.umd.js")
                .then()
                .statusCode(200)
                .body(containsString("Chart"));
        // an upscale job's page is its result page; a failed one shows its error there
        given().redirects()
                .follow(false)
                .get("/upscale/" + hostile)
                .then()
                .statusCode(200)
                .body(containsString("&lt;img src=x"));
    }
}
