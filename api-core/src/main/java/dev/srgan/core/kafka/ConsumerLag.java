package dev.srgan.core.kafka;

import dev.srgan.core.config.ApiConfig;
import dev.srgan.domain.jobs.JobType;
import dev.srgan.platform.KafkaSettings;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Consumer lag per job type for the overview: messages on a job topic that its worker group has
 * not yet committed (end offset minus committed offset, over all partitions of its topics: for
 * UPSCALE, the single upscales' and the batch images' bulk topic). Asked of Kafka with
 * a short timeout and reused for a few seconds, so a page view never waits long and a down broker
 * shows as "unknown" instead of an error.
 */
@ApplicationScoped
public class ConsumerLag {
    private static final Logger LOG = Logger.getLogger(ConsumerLag.class);

    @Inject
    ApiConfig config;

    @Inject
    KafkaSettings kafka;

    private Admin admin;
    private Map<JobType, Optional<Long>> cached;
    private long cachedAt;

    /** Lag per job type; empty where Kafka did not answer in time. */
    public synchronized Map<JobType, Optional<Long>> lagByType() {
        if (cached != null
                && System.nanoTime() - cachedAt < config.dashboard().lagCache().toNanos()) {
            return cached;
        }
        Map<JobType, Optional<Long>> result = new LinkedHashMap<>();
        long deadline = System.nanoTime() + config.dashboard().lagTimeout().toNanos();
        for (JobType type : JobType.queued()) {
            result.put(type, lag(type, deadline));
        }
        cached = result;
        cachedAt = System.nanoTime();
        return result;
    }

    private Optional<Long> lag(JobType type, long deadline) {
        try {
            Admin a = admin();
            Map<TopicPartition, OffsetAndMetadata> committed = a.listConsumerGroupOffsets(kafka.consumerGroup(type))
                    .partitionsToOffsetAndMetadata()
                    .get(remaining(deadline), TimeUnit.NANOSECONDS);
            Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
            for (String topic : kafka.topics(type)) {
                for (int p = 0; p < kafka.partitions(); p++) {
                    partitions.put(new TopicPartition(topic, p), OffsetSpec.latest());
                }
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                    a.listOffsets(partitions).all().get(remaining(deadline), TimeUnit.NANOSECONDS);
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            partitions.keySet().forEach(tp -> earliest.put(tp, OffsetSpec.earliest()));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts =
                    a.listOffsets(earliest).all().get(remaining(deadline), TimeUnit.NANOSECONDS);
            long lag = 0;
            for (var e : ends.entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                long from = c != null ? c.offset() : starts.get(e.getKey()).offset();
                lag += Math.max(0, e.getValue().offset() - from);
            }
            return Optional.of(lag);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (Exception e) {
            LOG.debugf("consumer lag of %s unknown: %s", type, e.toString());
            return Optional.empty();
        }
    }

    private static long remaining(long deadline) {
        return Math.max(1, deadline - System.nanoTime());
    }

    private Admin admin() {
        if (admin == null) {
            Map<String, Object> client = kafka.clientConfig("srgan-api-dashboard");
            int ms = (int) config.dashboard().lagTimeout().toMillis();
            client.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
            client.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
            client.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 5000);
            admin = Admin.create(client);
        }
        return admin;
    }

    synchronized void close(@Observes ShutdownEvent event) {
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
        }
    }
}
