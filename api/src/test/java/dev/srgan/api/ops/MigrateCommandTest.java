package dev.srgan.api.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.embedded.EmbeddedServicesTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** The Kubernetes migration Job and the wait-for-schema init containers, against a fresh database. */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class MigrateCommandTest {
    @Inject
    DataSource dataSource;

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String url;

    @ConfigProperty(name = "quarkus.datasource.username")
    String user;

    // empty in the test profile, which config injection reads as absent
    @ConfigProperty(name = "quarkus.datasource.password")
    Optional<String> configuredPassword;

    @Test
    void migrateAppliesTheSchemaOnceAndWaitReturnsWhenItIsCurrent() throws Exception {
        String password = configuredPassword.orElse("");
        String db = "migrate_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = dataSource.getConnection();
                Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + db);
        }
        String freshUrl = url.replaceFirst("/[^/?]+(\\?|$)", "/" + db + "$1");

        // nothing applied yet: an init container would keep waiting
        IllegalStateException notYet = assertThrows(
                IllegalStateException.class, () -> MigrateCommand.awaitSchema(freshUrl, user, password, Duration.ZERO));
        assertTrue(notYet.getMessage().contains("pending"), notYet.getMessage());

        assertTrue(MigrateCommand.migrate(freshUrl, user, password) > 0, "the Job applies every migration");
        assertEquals(0, MigrateCommand.migrate(freshUrl, user, password), "a second rollout applies nothing twice");
        MigrateCommand.awaitSchema(freshUrl, user, password, Duration.ZERO);

        try (Connection c = java.sql.DriverManager.getConnection(freshUrl, user, password);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('jobs', 'outbox', 'workers')")) {
            rs.next();
            assertEquals(3, rs.getInt(1));
        }
    }
}
