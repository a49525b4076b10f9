package dev.srgan.embedded;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code Stack services} (a real PostgreSQL and a real Kafka broker) in a child JVM, for tests
 * and tools. The child watches its stdin, which this object holds: if the parent dies, however it
 * dies, the services stop with it. Kafka's server jars stay out of the caller's classpath.
 */
public final class ServicesProcess implements AutoCloseable {
    private final Process process;
    private final Map<String, String> endpoints;
    private final OutputStream stdin;

    private ServicesProcess(Process process, Map<String, String> endpoints) {
        this.process = process;
        this.endpoints = endpoints;
        this.stdin = process.getOutputStream();
    }

    /** Starts PostgreSQL and Kafka on free ports with their data under {@code dataDir}; blocks until both are up. */
    public static ServicesProcess start(Path dataDir) {
        return start(dataDir, 0, 0);
    }

    /** As {@link #start(Path)} on given ports (0 = any free port); the same data dir and ports restart the same services. */
    public static ServicesProcess start(Path dataDir, int pgPort, int kafkaPort) {
        return start(dataDir, pgPort, kafkaPort, null);
    }

    /** Only one of the services ({@code "postgres"} or {@code "kafka"}), so a test can stop and restart it alone. */
    public static ServicesProcess startOnly(String service, Path dataDir, int port) {
        return "kafka".equals(service) ? start(dataDir, 0, port, service) : start(dataDir, port, 0, service);
    }

    private static ServicesProcess start(Path dataDir, int pgPort, int kafkaPort, String only) {
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce(dataDir, pgPort, kafkaPort, only);
            } catch (IllegalStateException e) {
                // a free port picked by the child (the Kafka controller's, or any with 0) can be taken by
                // another process before the child binds it: pick again, a few times
                if (attempt >= 3 || e.getMessage() == null || !e.getMessage().contains("is already in use")) {
                    throw e;
                }
            }
        }
    }

    private static ServicesProcess startOnce(Path dataDir, int pgPort, int kafkaPort, String only) {
        List<String> cmd = new ArrayList<>(command("services"));
        cmd.addAll(List.of(
                "--data-dir",
                dataDir.toString(),
                "--pg-port",
                String.valueOf(pgPort),
                "--kafka-port",
                String.valueOf(kafkaPort),
                "--watch-stdin",
                // tests: no fsync, asynchronous commits (nothing outlives the run); ./srgan up is durable
                "--pg-durable",
                "false"));
        if (only != null) {
            cmd.addAll(List.of("--only", only));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("SRGAN_DB_URL");
        pb.environment().remove("SRGAN_KAFKA_BOOTSTRAP");
        try {
            Process p = pb.start();
            Map<String, String> endpoints = new LinkedHashMap<>();
            StringBuilder output = new StringBuilder();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null) {
                output.append(line).append('\n');
                if (line.equals("READY")) {
                    Thread drain = new Thread(() -> drain(out), "services-output");
                    drain.setDaemon(true);
                    drain.start();
                    return new ServicesProcess(p, endpoints);
                }
                int eq = line.indexOf('=');
                if (line.startsWith("SRGAN_") && eq > 0) {
                    endpoints.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            p.waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("embedded services did not start:\n" + output);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start embedded services: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting embedded services", e);
        }
    }

    /** {@code java -cp <this module and its libs> dev.srgan.embedded.Stack <subcommand>}. */
    public static List<String> command(String subcommand) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return List.of(java, "-Xmx768m", "-cp", classpath(), Stack.class.getName(), subcommand);
    }

    static String classpath() {
        try {
            Path self = Path.of(ServicesProcess.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            // self is target/classes or target/srgan-embedded.jar; copy-dependencies put the rest in target/lib
            Path lib = self.getParent().resolve("lib");
            if (!Files.isDirectory(lib) && System.getProperty("srgan.home") != null) {
                // resolved from the local repository (a build of one module): use the checkout's build
                Path target = Path.of(System.getProperty("srgan.home"), "embedded", "target");
                self = target.resolve("srgan-embedded.jar");
                lib = target.resolve("lib");
            }
            if (!Files.isDirectory(lib)) {
                throw new IllegalStateException(
                        "the embedded services' libraries are not built (" + lib + "); run mvn package -pl embedded");
            }
            return self + File.pathSeparator + lib + File.separator + "*";
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void drain(BufferedReader out) {
        try {
            while (out.readLine() != null) {
                // keep the pipe from filling
            }
        } catch (IOException ignored) {
            // process ended
        }
    }

    public String jdbcUrl() {
        return endpoints.get("SRGAN_DB_URL");
    }

    public String dbUser() {
        return endpoints.get("SRGAN_DB_USER");
    }

    public String kafkaBootstrap() {
        return endpoints.get("SRGAN_KAFKA_BOOTSTRAP");
    }

    public long pid() {
        return process.pid();
    }

    /** Stops Kafka and PostgreSQL cleanly and waits for the child to exit. */
    @Override
    public void close() {
        try {
            stdin.close();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            process.destroy();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /**
     * Deletes a stopped services' data directory with everything in it (tests start their services
     * on a fresh temporary directory each time; PostgreSQL and Kafka leave about 2 GB there).
     */
    public static void deleteDataDir(Path dir) {
        if (dir == null || !java.nio.file.Files.exists(dir)) {
            return;
        }
        try (var files = java.nio.file.Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // what is left is only disk space; the next run uses a new directory
        }
    }
}
