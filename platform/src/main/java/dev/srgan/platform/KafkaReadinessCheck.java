package dev.srgan.platform;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the Kafka cluster answers: {@code /q/health/ready} reports it as "kafka". */
@Readiness
@ApplicationScoped
public class KafkaReadinessCheck implements HealthCheck {
    @Inject
    KafkaSettings settings;

    private volatile Admin admin;

    @Override
    public HealthCheckResponse call() {
        try {
            int nodes =
                    admin().describeCluster().nodes().get(3, TimeUnit.SECONDS).size();
            return HealthCheckResponse.named("kafka")
                    .up()
                    .withData("bootstrap", settings.bootstrapServers())
                    .withData("nodes", nodes)
                    .build();
        } catch (Exception e) {
            return HealthCheckResponse.named("kafka")
                    .down()
                    .withData("bootstrap", settings.bootstrapServers())
                    .withData(
                            "error",
                            String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage()))
                    .build();
        }
    }

    private Admin admin() {
        Admin a = admin;
        if (a == null) {
            synchronized (this) {
                if (admin == null) {
                    Map<String, Object> config = settings.clientConfig("srgan-health");
                    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
                    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
                    config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
                    admin = Admin.create(config);
                }
                a = admin;
            }
        }
        return a;
    }

    @jakarta.annotation.PreDestroy
    void close() {
        if (admin != null) {
            admin.close(java.time.Duration.ofSeconds(2));
        }
    }
}
