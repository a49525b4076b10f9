package dev.srgan.worker.config;

import dev.srgan.domain.jobs.JobType;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Every {@code srgan.worker.*} setting, with its default: the one place each default lives.
 * (Kafka's topic settings, shared with the api, are the platform's {@code KafkaConfig}.) Each key
 * can also be set as an environment variable ({@code srgan.worker.lease} ->
 * {@code SRGAN_WORKER_LEASE}). docs/configuration.md lists them all; {@code
 * ConfigurationDocsTest} keeps the two in step.
 */
@ConfigMapping(prefix = "srgan.worker")
public interface WorkerConfig {

    /** Job types this worker takes. */
    @WithDefault("UPSCALE,TRAINING,EVALUATE")
    List<JobType> jobTypes();

    /** {@code cpu} or {@code cuda:N}. */
    @WithDefault("cpu")
    String device();

    /** Jobs run at once. */
    @WithDefault("1")
    int concurrency();

    /** PyTorch compute threads; unset: the host's cores divided by {@link #workersOnHost()}. */
    Optional<Integer> threads();

    /** Workers sharing this host's cores ({@code ./srgan up --workers N} sets N). */
    @WithDefault("1")
    int workersOnHost();

    /** Heartbeat and lease renewal period. */
    @WithDefault("5s")
    Duration heartbeatInterval();

    /** A job whose worker misses heartbeats this long is run again elsewhere. */
    @WithDefault("30s")
    Duration lease();

    /** A job that reports no progress this long while its worker lives is given up. */
    @WithDefault("10m")
    Duration stallTimeout();

    /** First retry delay of a transient failure; doubles per attempt. */
    @WithDefault("2s")
    Duration retryBackoff();

    /** On SIGTERM, how long the current job may take to finish or checkpoint. */
    @WithDefault("90s")
    Duration shutdownGrace();

    /**
     * Number format of checkpoint generators (upscale and evaluate jobs): {@code auto} (bfloat16
     * where the CPU has avx512_bf16 or amx_bf16, else float32), {@code float32} or {@code
     * bfloat16} (refused at startup on a CPU without it).
     */
    @WithDefault("auto")
    String precision();

    /** Loaded models kept in memory. */
    @WithDefault("2")
    int modelCacheSize();

    /**
     * Largest upscale tile core in input pixels (cores are near-equal, ceil(side / tile-size) per
     * axis); unset: 512 for SRGAN checkpoints, 192 for TorchScript.
     */
    Optional<Integer> tileSize();

    /** Tiles per generator call; unset: 1 for SRGAN checkpoints, 2 for TorchScript. */
    Optional<Integer> tilesPerBatch();

    /** Larger results fail at once with a message. */
    @WithDefault("67108864")
    long maxOutputPixels();

    /** The most bytes a dataset may unpack to on the worker. */
    @WithDefault("4294967296")
    long maxDatasetBytes();

    /** Newest checkpoints of a run that keep the full training state. */
    @WithDefault("2")
    int fullCheckpoints();

    /** Scratch files; unset: the JVM's temp dir. */
    Optional<Path> tempDir();
}
