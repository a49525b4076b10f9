package dev.srgan.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.embedded.EmbeddedServicesTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class ApiFoundationTest {
    @BeforeEach
    void signIn() {
        TestAuth.asAdmin();
    }

    @Inject
    DataSource dataSource;

    @Inject
    Flyway flyway;

    @Test
    void readyMeansDatabaseAndKafkaAreReachable() {
        given().when()
                .get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("kafka", "Database connections health check"));
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void migrationsCreateTheWholeSchemaAndAreIdempotent() throws Exception {
        Set<String> tables = new HashSet<>();
        try (Connection c = dataSource.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        for (String t : Set.of(
                "jobs",
                "job_events",
                "results",
                "datasets",
                "training_runs",
                "loss_points",
                "checkpoints",
                "models",
                "workers",
                "outbox",
                "blobs",
                "blob_chunks",
                "validation_metrics",
                "sample_images",
                "model_evaluations")) {
            assertTrue(tables.contains(t), "table " + t + " in " + tables);
        }
        // a restart applies nothing twice
        assertEquals(0, flyway.migrate().migrationsExecuted);
        assertTrue(flyway.info().pending().length == 0);
    }

    @Test
    void dashboardAndOpenApiAreServed() {
        given().when()
                .get("/")
                .then()
                .statusCode(200)
                .body(containsString("Overview"))
                .body(containsString("Workers online"));
        given().when().get("/static/srgan.css").then().statusCode(200);
        given().when().get("/q/openapi").then().statusCode(200).body(containsString("/api/workers"));
        given().when().get("/api/workers").then().statusCode(200);
    }
}
