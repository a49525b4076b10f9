package dev.srgan.api;

import dev.srgan.platform.TopicSetup;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Creates the job topics in the background once Kafka answers. The api starts and accepts jobs
 * while Kafka is down: a submission is durable in PostgreSQL and is dispatched when Kafka is back.
 */
@ApplicationScoped
public class ApiStartup {
    private static final Logger LOG = Logger.getLogger(ApiStartup.class);

    @Inject
    TopicSetup topics;

    void onStart(@Observes StartupEvent event) {
        Thread t = new Thread(
                () -> {
                    long backoff = 1000;
                    while (!Thread.currentThread().isInterrupted()) {
                        try {
                            topics.ensureTopics(15_000);
                            return;
                        } catch (Exception e) {
                            LOG.warnf(
                                    "Kafka topics not ready yet (%s); retrying in %d s",
                                    e.getMessage(), backoff / 1000);
                            try {
                                Thread.sleep(backoff);
                            } catch (InterruptedException ie) {
                                return;
                            }
                            backoff = Math.min(backoff * 2, 30_000);
                        }
                    }
                },
                "srgan-topic-setup");
        t.setDaemon(true);
        t.start();
    }
}
