package dev.srgan.platform;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * {@code srgan.kafka.*}: the job topics, as the api and the worker both need them, with their
 * defaults (the one place for them). The brokers are Kafka's own {@code kafka.bootstrap.servers}.
 */
@ConfigMapping(prefix = "srgan.kafka")
public interface KafkaConfig {

    /** Topics are {@code <prefix>.upscale}, {@code .training}, {@code .evaluate}, {@code .dead-letter}. */
    @WithDefault("srgan.jobs")
    String topicPrefix();

    /** Partitions per job topic: the most workers one job type can spread over. */
    @WithDefault("12")
    int partitions();

    /** How long the broker waits for a silent worker before its partitions go to the others. */
    @WithDefault("45s")
    Duration sessionTimeout();
}
