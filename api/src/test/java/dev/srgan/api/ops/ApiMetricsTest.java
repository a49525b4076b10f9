package dev.srgan.api.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.embedded.EmbeddedServicesTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class ApiMetricsTest {
    @Inject
    DataSource dataSource;

    @Test
    void metricsEndpointShowsJobStatesAndQueueLag() {
        given().when()
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .body(containsString("srgan_jobs{state=\"QUEUED\",type=\"UPSCALE\"}"))
                .body(containsString("srgan_jobs{state=\"SUCCEEDED\",type=\"TRAINING\"}"))
                .body(containsString("srgan_webhook_sends_total{outcome=\"gave_up\"}"))
                .body(containsString("srgan_webhook_sends_total{outcome=\"delivered\"}"))
                .body(
                        containsString(
                                "srgan_queue_lag{group=\"srgan-workers-upscale\",topic=\"srgan.jobs.upscale\",type=\"UPSCALE\"}"))
                .body(
                        containsString(
                                "srgan_queue_lag{group=\"srgan-workers-training\",topic=\"srgan.jobs.training\",type=\"TRAINING\"}"));
    }

    @Test
    void jobStateGaugeCountsTheJobsTable() throws Exception {
        try (Connection c = dataSource.getConnection();
                Statement st = c.createStatement()) {
            // CANCELLED EVALUATE jobs: a pair no other test of this class creates, counted exactly
            st.executeUpdate("""
                    INSERT INTO jobs (id, type, status) VALUES
                    (gen_random_uuid(), 'EVALUATE', 'CANCELLED'), (gen_random_uuid(), 'EVALUATE', 'CANCELLED')""");
        }
        long expected;
        try (Connection c = dataSource.getConnection();
                Statement st = c.createStatement();
                var rs =
                        st.executeQuery("SELECT count(*) FROM jobs WHERE type = 'EVALUATE' AND status = 'CANCELLED'")) {
            rs.next();
            expected = rs.getLong(1);
        }
        // counts are reused for srgan.metrics.cache (10 s): the new rows show at the next refresh
        long deadline = System.nanoTime() + 15_000_000_000L;
        double seen = gauge();
        while (seen != expected && System.nanoTime() < deadline) {
            Thread.sleep(250);
            seen = gauge();
        }
        assertEquals(expected, seen, 0.0);
    }

    private static double gauge() {
        String body = given().when()
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        Matcher m = Pattern.compile("(?m)^srgan_jobs\\{state=\"CANCELLED\",type=\"EVALUATE\"} ([0-9.]+)")
                .matcher(body);
        assertTrue(m.find(), "srgan_jobs for EVALUATE/CANCELLED in the scrape");
        return Double.parseDouble(m.group(1));
    }
}
