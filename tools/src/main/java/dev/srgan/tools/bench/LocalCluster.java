package dev.srgan.tools.bench;

import dev.srgan.embedded.Preflight;
import dev.srgan.embedded.ServicesProcess;
import dev.srgan.embedded.Stack;
import dev.srgan.tools.Api;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away cluster for the queue benchmark: PostgreSQL and Kafka ({@code Stack services}, a JVM
 * of their own), the packaged api and N workers as separate processes on free loopback ports,
 * with a fresh data directory. The same processes {@code ./srgan up} runs, with a generated admin
 * token. Closing it stops everything it started.
 */
public final class LocalCluster implements AutoCloseable {
    private final Path home;
    private final Path dataDir;
    private final Path logs;
    private final String token = "srgan_bench-" + UUID.randomUUID();
    private ServicesProcess services;
    /** With separate services (see {@link #startSeparate}): PostgreSQL and Kafka, each restartable. */
    private ServicesProcess postgres;

    private ServicesProcess kafka;
    private int pgPort;
    private int kafkaPort;
    private final Map<String, String> extraEnv = new java.util.LinkedHashMap<>();
    private Process api;
    private int apiPort;
    private final List<Process> workers = new ArrayList<>();
    private final List<Integer> workerPorts = new ArrayList<>();
    private Api client;

    private LocalCluster(Path home, Path logs) throws IOException {
        this.home = home;
        this.logs = logs;
        this.dataDir = Files.createTempDirectory("srgan-bench");
        Files.createDirectories(logs);
    }

    /**
     * Starts the services, the api and {@code workerCount} workers, and waits until all are ready.
     *
     * @param home the checkout (its api/ and worker/ quarkus-app builds are used)
     * @param workerCount workers to start
     * @param logs where each process's output goes
     */
    public static LocalCluster start(Path home, int workerCount, Path logs) throws Exception {
        return start(home, workerCount, logs, false, Map.of());
    }

    /**
     * Like {@link #start(Path, int, Path)}, with PostgreSQL and Kafka as separate processes that
     * {@link #restartPostgres} and {@link #restartKafka} can stop and start again on the same data
     * and ports, and {@code env} added to every app's environment (short leases, say).
     */
    public static LocalCluster startSeparate(Path home, int workerCount, Path logs, Map<String, String> env)
            throws Exception {
        return start(home, workerCount, logs, true, env);
    }

    private static LocalCluster start(Path home, int workerCount, Path logs, boolean separate, Map<String, String> env)
            throws Exception {
        LocalCluster c = new LocalCluster(home, logs);
        c.extraEnv.putAll(env);
        try {
            if (separate) {
                c.pgPort = Preflight.freeServicePort();
                c.kafkaPort = Preflight.freeServicePort();
                c.postgres = ServicesProcess.startOnly("postgres", c.dataDir.resolve("pg"), c.pgPort);
                c.kafka = ServicesProcess.startOnly("kafka", c.dataDir.resolve("kafka"), c.kafkaPort);
            } else {
                c.services = ServicesProcess.start(c.dataDir.resolve("services"), freePort(), freePort());
            }
            c.apiPort = freePort();
            c.api = c.startApp("api", "api", c.apiPort);
            c.client =
                    new Api(URI.create("http://127.0.0.1:" + c.apiPort), c.token, Executors.newFixedThreadPool(4, r -> {
                        Thread t = new Thread(r, "srgan-bench-http");
                        t.setDaemon(true);
                        return t;
                    }));
            for (int i = 0; i < workerCount; i++) {
                c.addWorker();
            }
            return c;
        } catch (Exception e) {
            c.close();
            throw e;
        }
    }

    /** Starts one more worker and waits until it is ready and listed ONLINE. */
    public void addWorker() throws Exception {
        addWorker(Map.of());
    }

    /** {@link #addWorker()} with {@code env} added to the worker's environment (its threads, say). */
    public void addWorker(Map<String, String> env) throws Exception {
        int port = freePort();
        Process w = startApp("worker", "worker-" + (workers.size() + 1), port, env);
        workers.add(w);
        workerPorts.add(port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (onlineWorkers() < workers.stream().filter(Process::isAlive).count()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("worker " + workers.size() + " is not listed ONLINE after 60 s");
            }
            Thread.sleep(200);
        }
    }

    /**
     * Stops every worker gracefully (SIGTERM, then waits for it to end) and waits until the api
     * lists none ONLINE, so that new ones can be started with other settings.
     */
    public void stopWorkers() throws Exception {
        for (Process w : workers) {
            w.destroy();
        }
        for (Process w : workers) {
            if (!w.waitFor(60, TimeUnit.SECONDS)) {
                w.destroyForcibly().waitFor();
            }
        }
        workers.clear();
        workerPorts.clear();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (onlineWorkers() > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("stopped workers are still listed ONLINE after 60 s");
            }
            Thread.sleep(200);
        }
    }

    /** Workers the api lists as ONLINE. */
    public int onlineWorkers() throws IOException, InterruptedException {
        int n = 0;
        for (var w : client.get("/api/workers")) {
            if ("ONLINE".equals(w.path("state").asText())) {
                n++;
            }
        }
        return n;
    }

    /**
     * CPU seconds (user + system) used so far by each part of the cluster, read from /proc:
     * "api", "workers", "kafka" (the services process, whose JVM runs the broker), "postgres" (the
     * postmaster under this cluster's data directory and its backends) and "client" (this process:
     * the bench's own HTTP client and event watcher). Empty where /proc is absent.
     */
    public Map<String, Double> cpuSeconds() {
        Map<String, Double> cpu = new java.util.LinkedHashMap<>();
        Path proc = Path.of("/proc");
        if (!Files.isDirectory(proc)) {
            return cpu;
        }
        cpu.put("api", cpuOf(api.pid()));
        double w = 0;
        for (Process p : workers) {
            w += cpuOf(p.pid());
        }
        cpu.put("workers", w);
        cpu.put("kafka", cpuOf(services.pid()));
        double pg = 0;
        java.util.Set<Long> postmasters = new java.util.HashSet<>();
        Map<Long, Long> parents = new java.util.HashMap<>();
        try (var dirs = Files.newDirectoryStream(proc, "[0-9]*")) {
            for (Path d : dirs) {
                try {
                    String cmd = Files.readString(d.resolve("cmdline")).replace('\0', ' ');
                    long pid = Long.parseLong(d.getFileName().toString());
                    if (cmd.contains("postgres") && cmd.contains(dataDir.toString())) {
                        postmasters.add(pid);
                    }
                    parents.put(pid, Long.parseLong(statFields(pid)[1]));
                } catch (IOException | RuntimeException e) {
                    // the process ended while it was read
                }
            }
        } catch (IOException e) {
            return cpu;
        }
        for (Map.Entry<Long, Long> e : parents.entrySet()) {
            if (postmasters.contains(e.getKey()) || postmasters.contains(e.getValue())) {
                pg += cpuOf(e.getKey());
            }
        }
        cpu.put("postgres", pg);
        cpu.put("client", cpuOf(ProcessHandle.current().pid()));
        return cpu;
    }

    /** The fields of /proc/PID/stat after the command name: state, ppid, ... */
    private static String[] statFields(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }

    /** User + system CPU seconds of one process (its own threads; ended children are not counted). */
    private static double cpuOf(long pid) {
        try {
            String[] f = statFields(pid);
            // utime and stime, in clock ticks (100 a second on Linux)
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** A client of the api with the admin token. */
    public Api api() {
        return client;
    }

    private Process startApp(String module, String name, int port) throws Exception {
        return startApp(module, name, port, Map.of());
    }

    private Process startApp(String module, String name, int port, Map<String, String> appEnv) throws Exception {
        Path jar = home.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build first (./srgan build)");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx1g", "-XX:+ExitOnOutOfMemoryError", "-jar", jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        logs.resolve(name + ".log").toFile()));
        Map<String, String> env = pb.environment();
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("SRGAN_DB_URL", services != null ? services.jdbcUrl() : postgres.jdbcUrl());
        env.put("SRGAN_DB_USER", services != null ? services.dbUser() : postgres.dbUser());
        env.put("SRGAN_KAFKA_BOOTSTRAP", services != null ? services.kafkaBootstrap() : "localhost:" + kafkaPort);
        env.putAll(extraEnv);
        env.putAll(appEnv);
        // as ./srgan up runs them: workers preload the allocator ./srgan names, the api does not
        env.remove("LD_PRELOAD");
        String allocator = System.getenv(Stack.WORKER_ALLOCATOR);
        if (module.equals("worker") && allocator != null && !allocator.isBlank()) {
            env.put("LD_PRELOAD", allocator);
        }
        env.put("SRGAN_PARENT_PID", String.valueOf(ProcessHandle.current().pid()));
        env.put("SRGAN_DATA_DIR", dataDir.toString());
        if (module.equals("api")) {
            env.put("SRGAN_BOOTSTRAP_ADMIN_TOKEN", token);
        }
        Process p = pb.start();
        Api probe = new Api(URI.create("http://127.0.0.1:" + port), token, null);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (probe.status("/q/health/ready") != 200) {
            if (!p.isAlive()) {
                throw new IllegalStateException(
                        name + " exited with " + p.exitValue() + "; see " + logs.resolve(name + ".log"));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " not ready in 180 s; see " + logs.resolve(name + ".log"));
            }
            Thread.sleep(300);
        }
        return p;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The JDBC URL of the cluster's PostgreSQL (user: {@link #dbUser()}). */
    public String jdbcUrl() {
        return services != null ? services.jdbcUrl() : postgres.jdbcUrl();
    }

    /** The database user. */
    public String dbUser() {
        return services != null ? services.dbUser() : postgres.dbUser();
    }

    /** The worker processes started so far, in order (a killed one stays, dead). */
    public List<Process> workers() {
        return workers;
    }

    /** The text of worker {@code i}'s {@code /q/metrics}, or null when it does not answer. */
    public String workerMetrics(int i) {
        try {
            var r = client.http()
                    .send(
                            java.net.http.HttpRequest.newBuilder(
                                            URI.create("http://127.0.0.1:" + workerPorts.get(i) + "/q/metrics"))
                                    .timeout(java.time.Duration.ofSeconds(5))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Sends a POSIX signal (STOP, CONT, KILL) to worker {@code i}. */
    public void signalWorker(int i, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder(
                        "kill", "-" + signal, Long.toString(workers.get(i).pid()))
                .inheritIO()
                .start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + signal + " " + workers.get(i).pid() + " failed");
        }
    }

    /** Stops PostgreSQL (fast shutdown), waits {@code down}, and starts it again on the same data and port. */
    public void restartPostgres(java.time.Duration down) throws InterruptedException {
        postgres.close();
        Thread.sleep(down.toMillis());
        postgres = ServicesProcess.startOnly("postgres", dataDir.resolve("pg"), pgPort);
    }

    /** Stops the Kafka broker, waits {@code down}, and starts it again on the same data and port. */
    public void restartKafka(java.time.Duration down) throws InterruptedException {
        kafka.close();
        Thread.sleep(down.toMillis());
        kafka = ServicesProcess.startOnly("kafka", dataDir.resolve("kafka"), kafkaPort);
    }

    @Override
    public void close() {
        for (Process w : workers) {
            if (w.isAlive()) {
                try {
                    // a paused worker cannot stop
                    new ProcessBuilder("kill", "-CONT", Long.toString(w.pid()))
                            .start()
                            .waitFor(5, TimeUnit.SECONDS);
                } catch (IOException e) {
                    // gone already
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            stop(w);
        }
        if (api != null) {
            stop(api);
        }
        if (services != null) {
            services.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        deleteQuietly(dataDir);
    }

    private static void stop(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temp dir left behind is harmless
        }
    }
}
