package dev.srgan.api.ops;

import dev.srgan.core.kafka.ConsumerLag;
import dev.srgan.domain.jobs.JobType;
import dev.srgan.platform.KafkaSettings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Optional;

/**
 * {@code srgan_queue_lag{type, topic, group}}: messages on a job topic that its worker group has not
 * taken yet, the number KEDA scales the workers on. It is the dashboard's own lag lookup (Kafka
 * Admin, short timeout, cached), so the graph, the dashboard and the autoscaler agree; NaN while
 * Kafka does not answer, which Prometheus shows as a gap rather than a false zero.
 */
@ApplicationScoped
public class QueueLagGauges {
    @Inject
    ConsumerLag lag;

    @Inject
    KafkaSettings kafka;

    @Inject
    MeterRegistry registry;

    void register(@Observes StartupEvent event) {
        for (JobType type : JobType.queued()) {
            Gauge.builder(
                            "srgan.queue.lag",
                            lag,
                            l -> l.lagByType()
                                    .getOrDefault(type, Optional.empty())
                                    .map(Long::doubleValue)
                                    .orElse(Double.NaN))
                    .description("Messages on the job topic not yet taken by the worker consumer group")
                    .tag("type", type.name())
                    .tag("topic", kafka.topic(type))
                    .tag("group", kafka.consumerGroup(type))
                    .strongReference(true)
                    .register(registry);
        }
    }
}
