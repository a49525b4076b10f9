package dev.srgan.domain.jobs;

import java.util.Locale;

/** What a job does. Each type has its own Kafka topic and consumer group. */
public enum JobType {
    UPSCALE,
    TRAINING,
    EVALUATE;

    /** The topic a job of this type is published to: {@code <prefix>.upscale} etc. */
    public String topic(String prefix) {
        return prefix + "." + name().toLowerCase(Locale.ROOT);
    }

    /** The consumer group of the workers that run this type. */
    public String consumerGroup(String prefix) {
        return prefix + "-workers-" + name().toLowerCase(Locale.ROOT);
    }
}
