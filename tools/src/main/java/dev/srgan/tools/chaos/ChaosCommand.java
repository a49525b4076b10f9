package dev.srgan.tools.chaos;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.srgan.tools.Api;
import dev.srgan.tools.bench.LocalCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * {@code ./srgan chaos [--minutes N] [--workers N] [--seed S] [--out DIR]}: starts a cluster of
 * its own (PostgreSQL and Kafka as separate processes, the packaged api, N workers, 6 s leases),
 * runs {@link ChaosRun} for N minutes (default 10), and writes chaos.json. Exit status 0 only when
 * every check held.
 */
public final class ChaosCommand {
    private ChaosCommand() {}

    /** The environment of the chaos cluster's apps: short leases and sessions, so faults show within seconds. */
    public static final Map<String, String> ENV = Map.of(
            "SRGAN_WORKER_LEASE", "6s",
            "SRGAN_WORKER_HEARTBEAT_INTERVAL", "1s",
            "SRGAN_REAPER_INTERVAL", "1s",
            "SRGAN_KAFKA_SESSION_TIMEOUT", "10s");

    public static void main(String[] args) throws Exception {
        double minutes = 10;
        int workers = 2;
        long seed = 1;
        Path out = Path.of("target/chaos");
        try {
            for (int i = 0; i < args.length; i += 2) {
                String v = i + 1 < args.length ? args[i + 1] : null;
                if (v == null) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                switch (args[i]) {
                    case "--minutes" -> minutes = Double.parseDouble(v);
                    case "--workers" -> workers = Integer.parseInt(v);
                    case "--seed" -> seed = Long.parseLong(v);
                    case "--out" -> out = Path.of(v);
                    default ->
                        throw new IllegalArgumentException(
                                "unknown option " + args[i]
                                        + "; usage: ./srgan chaos [--minutes 10] [--workers 2] [--seed 1] [--out target/chaos]");
                }
            }
            if (minutes <= 0 || workers < 1) {
                throw new IllegalArgumentException("--minutes must be > 0 and --workers >= 1");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("srgan chaos: " + e.getMessage());
            System.exit(2);
        }
        Path home =
                Path.of(System.getProperty("srgan.home", ".")).toAbsolutePath().normalize();
        Files.createDirectories(out);
        Map<String, Object> report;
        try (LocalCluster cluster = LocalCluster.startSeparate(home, workers, out.resolve("logs"), ENV)) {
            ChaosRun.Settings settings = new ChaosRun.Settings(
                    Duration.ofSeconds(Math.round(minutes * 60)),
                    Duration.ofSeconds(15),
                    Duration.ofSeconds(6),
                    Duration.ofMinutes(5),
                    seed,
                    2.0,
                    3,
                    600);
            report = ChaosRun.run(cluster, settings, System.out);
        }
        Api.JSON
                .copy()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(out.resolve("chaos.json").toFile(), report);
        System.out.println("wrote " + out.resolve("chaos.json"));
        System.exit(Boolean.TRUE.equals(report.get("ok")) ? 0 : 1);
    }
}
