package dev.srgan.platform;

import dev.srgan.domain.jobs.JobType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Where Kafka is and how our topics are named; one place, read from configuration. */
@ApplicationScoped
public class KafkaSettings {
    /** Kafka's own key (the clients and SmallRye read it too), so it stays a plain property. */
    @ConfigProperty(name = "kafka.bootstrap.servers", defaultValue = "localhost:9092")
    String bootstrapServers;

    @Inject
    KafkaConfig config;

    /** The consumers' session timeout in milliseconds ({@link KafkaConfig#sessionTimeout()}). */
    public int sessionTimeoutMs() {
        return (int) config.sessionTimeout().toMillis();
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public int partitions() {
        return config.partitions();
    }

    public String topicPrefix() {
        return config.topicPrefix();
    }

    /** The topic of a job type, e.g. {@code srgan.jobs.upscale}. */
    public String topic(JobType type) {
        return type.topic(config.topicPrefix());
    }

    /**
     * The topic of a job's message: the type's own, or for an image of a batch the type's bulk
     * topic ({@code srgan.jobs.upscale.bulk}), which a worker takes from only when no single
     * upscale waits on its partitions of the type's own topic.
     */
    public String topic(JobType type, boolean inBatch) {
        return inBatch && type == JobType.UPSCALE ? topic(type) + BULK_SUFFIX : topic(type);
    }

    /** Every topic of a job type, its own first: UPSCALE has the bulk topic of batch images too. */
    public List<String> topics(JobType type) {
        return type == JobType.UPSCALE ? List.of(topic(type), topic(type, true)) : List.of(topic(type));
    }

    /** Whether {@code topic} is a bulk topic (batch images). */
    public static boolean isBulk(String topic) {
        return topic.endsWith(BULK_SUFFIX);
    }

    private static final String BULK_SUFFIX = ".bulk";

    /** The dead-letter topic for messages no worker can parse. */
    public String deadLetterTopic() {
        return config.topicPrefix() + ".dead-letter";
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
