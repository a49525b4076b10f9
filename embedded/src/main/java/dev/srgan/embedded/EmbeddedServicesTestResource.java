package dev.srgan.embedded;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starts a real PostgreSQL and a real Kafka broker for a {@code @QuarkusTest} and points the app
 * at them (the role a container plays in the Quarkus quickstarts; here nothing needs Docker).
 */
public class EmbeddedServicesTestResource implements QuarkusTestResourceLifecycleManager {
    private ServicesProcess services;
    private Path dataDir;

    @Override
    public Map<String, String> start() {
        try {
            dataDir = Files.createTempDirectory("srgan-test-services");
            services = ServicesProcess.start(dataDir);
            return Map.of(
                    "quarkus.datasource.jdbc.url", services.jdbcUrl(),
                    "quarkus.datasource.username", services.dbUser(),
                    "kafka.bootstrap.servers", services.kafkaBootstrap());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (services != null) {
            services.close();
        }
        ServicesProcess.deleteDataDir(dataDir);
    }
}
