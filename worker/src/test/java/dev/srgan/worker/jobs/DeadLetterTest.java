package dev.srgan.worker.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.domain.jobs.JobType;
import dev.srgan.embedded.EmbeddedServicesTestResource;
import dev.srgan.platform.KafkaSettings;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class DeadLetterTest {
    @Inject
    KafkaSettings kafka;

    @Test
    void unreadableMessageGoesToTheDeadLetterTopicWithItsOrigin() throws Exception {
        String key = "garbage-" + UUID.randomUUID();
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(kafka.clientConfig("test"), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(kafka.topic(JobType.UPSCALE), key, "this is not a job message"))
                    .get(30, TimeUnit.SECONDS);
        }
        Map<String, Object> config = kafka.clientConfig("test-dlt");
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "test-dlt-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, String>> dead = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(kafka.deadLetterTopic()));
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (dead.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(300)).forEach(r -> {
                    if (key.equals(r.key())) {
                        dead.add(r);
                    }
                });
            }
        }
        assertEquals(1, dead.size(), "the message reached the dead-letter topic once");
        assertEquals("this is not a job message", dead.get(0).value());
        String source =
                new String(dead.get(0).headers().lastHeader("srgan.source").value(), StandardCharsets.UTF_8);
        assertTrue(source.startsWith(kafka.topic(JobType.UPSCALE) + "-"), source);
    }

    private static void topicConfig(Admin admin, ConfigResource topic, String name, String value) throws Exception {
        AlterConfigOp op = value == null
                ? new AlterConfigOp(new ConfigEntry(name, ""), AlterConfigOp.OpType.DELETE)
                : new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET);
        admin.incrementalAlterConfigs(Map.of(topic, List.of(op))).all().get(30, TimeUnit.SECONDS);
    }

    private long deadLettered(String key, Duration wait) {
        Map<String, Object> config = kafka.clientConfig("test-dlt");
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "test-dlt-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        long found = 0;
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(kafka.deadLetterTopic()));
            long deadline = System.nanoTime() + wait.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(300))) {
                    if (key.equals(r.key())) {
                        found++;
                    }
                }
            }
        }
        return found;
    }

    private OffsetAndMetadata committed(Admin admin, TopicPartition tp) throws Exception {
        return admin.listConsumerGroupOffsets(kafka.consumerGroup(JobType.UPSCALE))
                .partitionsToOffsetAndMetadata()
                .get(10, TimeUnit.SECONDS)
                .get(tp);
    }

    @Test
    void aDeadLetterWriteThatFailsKeepsTheOffsetUntilTheTopicTakesIt() throws Exception {
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, kafka.deadLetterTopic());
        String key = "refused-" + UUID.randomUUID();
        try (Admin admin = Admin.create(kafka.clientConfig("test-dlt-admin"))) {
            if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(kafka.deadLetterTopic())) {
                // as the api's TopicSetup makes it
                admin.createTopics(List.of(
                                new org.apache.kafka.clients.admin.NewTopic(kafka.deadLetterTopic(), 1, (short) 1)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            }
            // the dead-letter topic refuses every record for now (each is larger than this)
            topicConfig(admin, topic, "max.message.bytes", "64");
            RecordMetadata sent;
            try (KafkaProducer<String, String> producer =
                    new KafkaProducer<>(kafka.clientConfig("test"), new StringSerializer(), new StringSerializer())) {
                sent = producer.send(new ProducerRecord<>(
                                kafka.topic(JobType.UPSCALE), key, "not a job message " + "x".repeat(200)))
                        .get(30, TimeUnit.SECONDS);
            }
            TopicPartition tp = new TopicPartition(sent.topic(), sent.partition());
            try {
                // the worker reads it, cannot dead-letter it, and tries again after a pause: the offset stays
                Thread.sleep(6_000);
                OffsetAndMetadata before = committed(admin, tp);
                assertTrue(
                        before == null || before.offset() <= sent.offset(),
                        "not committed past a message the dead-letter topic refused: " + before + " vs "
                                + sent.offset());
                assertEquals(0, deadLettered(key, Duration.ofSeconds(2)));
            } finally {
                topicConfig(admin, topic, "max.message.bytes", null);
            }
            // the topic takes records again: a later try dead-letters it, once, and only then the offset moves on
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            OffsetAndMetadata after = committed(admin, tp);
            while ((after == null || after.offset() <= sent.offset()) && System.nanoTime() < deadline) {
                Thread.sleep(200);
                after = committed(admin, tp);
            }
            assertTrue(after != null && after.offset() > sent.offset(), "committed once dead-lettered: " + after);
            assertEquals(1, deadLettered(key, Duration.ofSeconds(5)), "dead-lettered once");
        }
    }
}
