package dev.srgan.worker.jobs;

import dev.srgan.domain.jobs.JobType;
import dev.srgan.embedded.EmbeddedServicesTestResource;
import dev.srgan.platform.KafkaSettings;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@QuarkusTestResource(EmbeddedServicesTestResource.class)
class DeadLetterTest {
    @Inject
    KafkaSettings kafka;

    @Test
    void unreadableMessageGoesToTheDeadLetterTopicWithItsOrigin() throws Exception {
        String key = "garbage-" + UUID.randomUUID();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(kafka.clientConfig("test"), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(kafka.topic(JobType.UPSCALE), key, "this is not a job message")).get(30, TimeUnit.SECONDS);
        }
        Map<String, Object> config = kafka.clientConfig("test-dlt");
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "test-dlt-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, String>> dead = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
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
        String source = new String(dead.get(0).headers().lastHeader("srgan.source").value(), StandardCharsets.UTF_8);
        assertTrue(source.startsWith(kafka.topic(JobType.UPSCALE) + "-"), source);
    }
}
