package dev.srgan.platform;

import dev.srgan.domain.jobs.JobType;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.CommonClientConfigs;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.HashMap;
import java.util.Map;

/** Where Kafka is and how our topics are named; one place, read from configuration. */
@ApplicationScoped
public class KafkaSettings {
    @ConfigProperty(name = "kafka.bootstrap.servers", defaultValue = "localhost:9092")
    String bootstrapServers;

    @ConfigProperty(name = "srgan.kafka.topic-prefix", defaultValue = "srgan.jobs")
    String topicPrefix;

    @ConfigProperty(name = "srgan.kafka.partitions", defaultValue = "12")
    int partitions;

    /**
     * How long the broker waits for a silent consumer (a crashed or frozen worker) before it gives
     * the worker's partitions to the others; Kafka's own default is 45 s.
     */
    @ConfigProperty(name = "srgan.kafka.session-timeout", defaultValue = "45s")
    java.time.Duration sessionTimeout;

    /** The consumers' session timeout in milliseconds (see the field). */
    public int sessionTimeoutMs() {
        return (int) sessionTimeout.toMillis();
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public int partitions() {
        return partitions;
    }

    public String topicPrefix() {
        return topicPrefix;
    }

    /** The topic of a job type, e.g. {@code srgan.jobs.upscale}. */
    public String topic(JobType type) {
        return type.topic(topicPrefix);
    }

    /** The dead-letter topic for messages no worker can parse. */
    public String deadLetterTopic() {
        return topicPrefix + ".dead-letter";
    }

    /** The consumer group of the workers for a job type. */
    public String consumerGroup(JobType type) {
        return type.consumerGroup("srgan");
    }

    /** Base client properties: bootstrap servers and a client id. */
    public Map<String, Object> clientConfig(String clientId) {
        Map<String, Object> config = new HashMap<>();
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        return config;
    }
}
