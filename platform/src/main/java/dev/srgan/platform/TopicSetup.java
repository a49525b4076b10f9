package dev.srgan.platform;

import dev.srgan.domain.jobs.JobType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jboss.logging.Logger;

/**
 * Creates the job topics (one per job type, {@code srgan.kafka.partitions} partitions each, keyed
 * by job id) and the dead-letter topic when they are missing. Idempotent: api and workers both
 * call it, and a topic that exists is left as it is.
 */
@ApplicationScoped
public class TopicSetup {
    private static final Logger LOG = Logger.getLogger(TopicSetup.class);

    @Inject
    KafkaSettings settings;

    /** Ensures every topic exists; throws if Kafka cannot be reached within the timeout. */
    public void ensureTopics(long timeoutMs) throws Exception {
        Map<String, Object> config = settings.clientConfig("srgan-topic-setup");
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMs);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeoutMs, 10_000));
        try (Admin admin = Admin.create(config)) {
            Set<String> existing = admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (JobType type : JobType.queued()) {
                for (String topic : settings.topics(type)) {
                    if (!existing.contains(topic)) {
                        missing.add(new NewTopic(topic, settings.partitions(), (short) 1));
                    }
                }
            }
            if (!existing.contains(settings.deadLetterTopic())) {
                missing.add(new NewTopic(settings.deadLetterTopic(), 1, (short) 1));
            }
            if (missing.isEmpty()) {
                return;
            }
            for (NewTopic topic : missing) {
                try {
                    admin.createTopics(List.of(topic)).all().get(timeoutMs, TimeUnit.MILLISECONDS);
                    LOG.infof("created topic %s with %d partitions", topic.name(), topic.numPartitions());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        }
    }
}
