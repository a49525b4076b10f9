package dev.srgan.domain.jobs;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What a job does. Each type that workers run has its own Kafka topic and consumer group; a
 * {@link #BATCH} is not run by anyone: it is the sum of its images, one UPSCALE job each.
 */
public enum JobType {
    UPSCALE,
    TRAINING,
    EVALUATE,
    /** Several images upscaled together: its state follows from its UPSCALE jobs (migration V8). */
    BATCH;

    /** The types workers take from Kafka: every type but {@link #BATCH}. */
    public static List<JobType> queued() {
        return Arrays.stream(values()).filter(JobType::isQueued).toList();
    }

    /** Whether jobs of this type travel on a Kafka topic to the workers. */
    public boolean isQueued() {
        return this != BATCH;
    }

    /** The topic a job of this type is published to: {@code <prefix>.upscale} etc. */
    public String topic(String prefix) {
        return prefix + "." + name().toLowerCase(Locale.ROOT);
    }

    /** The consumer group of the workers that run this type. */
    public String consumerGroup(String prefix) {
        return prefix + "-workers-" + name().toLowerCase(Locale.ROOT);
    }
}
