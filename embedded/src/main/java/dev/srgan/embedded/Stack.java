package dev.srgan.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The launcher behind {@code ./srgan}: {@code up} runs the whole system on embedded defaults,
 * {@code worker} adds one worker to a running stack, {@code services} runs only PostgreSQL and
 * Kafka (the tests use it). Everything it starts it stops again, in reverse order, on SIGINT or
 * SIGTERM.
 */
public final class Stack {
    /** The malloc library workers preload ({@code LD_PRELOAD}), set by {@code ./srgan}; see {@code NativeAllocator}. */
    public static final String WORKER_ALLOCATOR = "SRGAN_WORKER_ALLOCATOR";

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(240);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(90);

    private final Options options;
    private final Path home;
    private final List<AutoCloseable> started = new ArrayList<>();
    private final List<Child> children = new ArrayList<>();
    private volatile boolean stopping;

    private Stack(Options options, Path home) {
        this.options = options;
        this.home = home;
    }

    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: Stack up|worker|services [options]");
            System.exit(2);
        }
        Path home =
                Path.of(System.getProperty("srgan.home", ".")).toAbsolutePath().normalize();
        String command = args[0];
        try {
            Options options = new Options(Arrays.asList(args).subList(1, args.length), System.getenv());
            Stack stack = new Stack(options, home);
            switch (command) {
                case "up" -> stack.up();
                case "services" -> stack.services();
                case "worker" -> stack.worker();
                default -> throw new LaunchException("unknown command '" + command + "'; see ./srgan help");
            }
        } catch (LaunchException e) {
            System.err.println("srgan: " + e.getMessage());
            System.exit(1);
        }
    }

    /** PostgreSQL and Kafka only; prints where they are, then runs until stdin closes or a signal. */
    private void services() {
        Path dataDir = Preflight.requireWritableDir(options.dataDir(), "data dir");
        routeServiceLogs(dataDir);
        started.add(DataDirLock.acquire(dataDir));
        installStopHandlers();
        Endpoints endpoints = startServices(dataDir, false);
        if (endpoints.embeddedDb()) {
            System.out.println("SRGAN_DB_URL=" + endpoints.dbUrl());
            System.out.println("SRGAN_DB_USER=" + endpoints.dbUser());
        }
        if (endpoints.embeddedKafka()) {
            System.out.println("SRGAN_KAFKA_BOOTSTRAP=" + endpoints.kafkaBootstrap());
        }
        System.out.println("READY");
        System.out.flush();
        if (options.flag("watch-stdin")) {
            // The parent (a test JVM) holds our stdin: when it dies, however it dies, we stop too.
            try (InputStream in = System.in) {
                while (in.read() >= 0) {
                    // discard
                }
            } catch (IOException ignored) {
                // stdin closed
            }
            stopAll();
            System.exit(0);
        }
        awaitForever();
    }

    private void up() {
        int workers = options.intValue("workers", 1, 0, 64);
        int apiPort = options.intValue("api-port", 8080, 1, 65535);
        int firstWorkerPort = options.intValue("worker-port", apiPort + 1, 1, 65535);
        Path dataDir = Preflight.requireWritableDir(options.dataDir(), "data dir");
        Path apiJar = requireApp("api");
        Path workerJar = workers > 0 ? requireApp("worker") : null;
        started.add(DataDirLock.acquire(dataDir));
        Preflight.requirePortFree(apiPort, "api and dashboard", "--api-port or SRGAN_API_PORT");
        for (int i = 0; i < workers; i++) {
            Preflight.requirePortFree(
                    firstWorkerPort + i, "worker " + (i + 1) + " health", "--worker-port or SRGAN_WORKER_PORT");
        }
        routeServiceLogs(dataDir);
        installStopHandlers();
        watchParent();

        System.out.println("srgan: data in " + dataDir);
        Endpoints endpoints = startServices(dataDir, true);
        writeStackEnv(dataDir, endpoints, apiPort, workers);

        Map<String, String> env = appEnv(endpoints, dataDir);
        // the api registers this token's hash as the first admin (only while no admin exists);
        // workers never see it
        AdminTokenFile.Token adminToken = AdminTokenFile.loadOrCreate(dataDir);
        Map<String, String> apiEnv = new LinkedHashMap<>(env);
        apiEnv.put("SRGAN_BOOTSTRAP_ADMIN_TOKEN", adminToken.value());
        Child api = startApp("api", apiJar, apiPort, apiEnv, dataDir.resolve("logs/api.log"));
        awaitReady(api);
        // workers on one host share its cores (each gets cores / workers compute threads)
        Map<String, String> workerEnv = new LinkedHashMap<>(env);
        workerEnv.put("SRGAN_WORKER_WORKERS_ON_HOST", Integer.toString(Math.max(1, workers)));
        for (int i = 0; i < workers; i++) {
            Child w = startApp(
                    "worker-" + (i + 1),
                    workerJar,
                    firstWorkerPort + i,
                    workerEnv,
                    dataDir.resolve("logs/worker-" + (i + 1) + ".log"));
            awaitReady(w);
        }

        StringBuilder s = new StringBuilder("\nSRGAN Cluster is up\n");
        s.append(String.format(
                "  %-16s http://localhost:%d/   (REST API under /api, OpenAPI at /q/openapi)%n",
                "dashboard + API", apiPort));
        for (Child c : children) {
            if (c.name.startsWith("worker")) {
                s.append(String.format(
                        "  %-16s http://localhost:%d/q/health   log %s%n", c.name, c.port, dataDir.relativize(c.log)));
            }
        }
        s.append(String.format(
                "  %-16s %s%s%n",
                "PostgreSQL",
                endpoints.dbUrl(),
                endpoints.embeddedDb() ? "   (embedded, data " + dataDir.resolve("postgres") + ")" : "   (external)"));
        s.append(String.format(
                "  %-16s %s%s%n",
                "Kafka",
                endpoints.kafkaBootstrap(),
                endpoints.embeddedKafka()
                        ? "   (embedded KRaft, data " + dataDir.resolve("kafka") + ")"
                        : "   (external)"));
        s.append(String.format("  %-16s %s%n", "logs", dataDir.resolve("logs")));
        if (adminToken.created()) {
            // printed this once; it stays in the owner-only file for later
            s.append(String.format(
                    "%n  admin token (shown once, kept in %s, mode 0600):%n    %s%n"
                            + "  sign in to the dashboard with it; API: curl -H \"Authorization: Bearer $(cat %s)\" ...%n%n",
                    adminToken.file(), adminToken.value(), adminToken.file()));
        } else {
            s.append(String.format(
                    "  %-16s %s%n", "admin token", adminToken.file() + "   (Authorization: Bearer <token>)"));
        }
        s.append("Add a worker: ./srgan worker      Stop everything: Ctrl-C\n");
        System.out.println(s);
        superviseChildren();
        awaitForever();
    }

    /** One more worker joining a running stack (or external services from the environment). */
    private void worker() {
        Path workerJar = requireApp("worker");
        Map<String, String> env = new LinkedHashMap<>();
        Path dataDir = options.dataDir();
        if (options.has("db-url") && options.has("kafka-bootstrap")) {
            env.put("SRGAN_DB_URL", options.get("db-url"));
            env.put("SRGAN_KAFKA_BOOTSTRAP", options.get("kafka-bootstrap"));
        } else {
            Path stackEnv = dataDir.resolve("stack.env");
            if (!Files.exists(stackEnv) || !isLocked(dataDir)) {
                throw new LaunchException("no running stack on data dir " + dataDir
                        + "; start one with ./srgan up, or set SRGAN_DB_URL and SRGAN_KAFKA_BOOTSTRAP");
            }
            env.putAll(readEnvFile(stackEnv));
            env.remove("SRGAN_API_URL");
            // one more worker on this host: it takes its share of the cores (the running ones keep theirs)
            int onHost = Integer.parseInt(env.getOrDefault("SRGAN_WORKER_WORKERS_ON_HOST", "1"));
            env.put("SRGAN_WORKER_WORKERS_ON_HOST", Integer.toString(onHost + 1));
        }
        env.put("SRGAN_DATA_DIR", dataDir.toString());
        int port = options.has("worker-port") ? options.intValue("worker-port", 0, 1, 65535) : firstFreePort(8090);
        Preflight.requirePortFree(port, "worker health", "--worker-port or SRGAN_WORKER_PORT");
        installStopHandlers();
        Child w = startApp("worker", workerJar, port, env, null);
        System.out.println(
                "srgan: worker starting, health at http://localhost:" + port + "/q/health (Ctrl-C stops it)");
        try {
            int rc = w.process.waitFor();
            if (!stopping) {
                System.exit(rc);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Endpoints(
            String dbUrl,
            String dbUser,
            String dbPassword,
            String kafkaBootstrap,
            boolean embeddedDb,
            boolean embeddedKafka) {}

    private Endpoints startServices(Path dataDir, boolean announce) {
        String only = options.get("only");
        if (only != null && !only.equals("postgres") && !only.equals("kafka")) {
            throw new LaunchException("--only must be 'postgres' or 'kafka', got '" + only + "'");
        }
        String dbUrl = "kafka".equals(only) ? "none" : options.get("db-url");
        String dbUser = options.get("db-user");
        String dbPassword = options.get("db-password");
        boolean embeddedDb = dbUrl == null;
        if (embeddedDb) {
            int pgPort = options.has("pg-port") ? options.intValue("pg-port", 5432, 0, 65535) : 5432;
            if (pgPort == 0) {
                pgPort = Preflight.freePort();
            }
            Preflight.requirePortFree(pgPort, "PostgreSQL", "--pg-port or SRGAN_PG_PORT");
            if (announce) {
                System.out.println("srgan: starting PostgreSQL 17 on port " + pgPort);
            }
            String durable = options.get("pg-durable");
            if (durable != null && !durable.equals("true") && !durable.equals("false")) {
                throw new LaunchException("--pg-durable must be true or false, got '" + durable + "'");
            }
            PostgresServer pg = PostgresServer.start(
                    dataDir.resolve("postgres"),
                    pgPort,
                    dataDir.resolve("logs/postgres.log"),
                    !"false".equals(durable));
            started.add(pg);
            dbUrl = pg.jdbcUrl();
            dbUser = PostgresServer.USER;
            dbPassword = null;
        }
        String bootstrap = "postgres".equals(only) ? "none" : options.get("kafka-bootstrap");
        boolean embeddedKafka = bootstrap == null;
        if (embeddedKafka) {
            int kafkaPort = options.intValue("kafka-port", 9092, 0, 65535);
            if (kafkaPort == 0) {
                kafkaPort = Preflight.freePort();
            }
            int controllerPort = options.intValue(
                    "kafka-controller-port",
                    options.has("kafka-port") && kafkaPort != 0 ? kafkaPort + 1 : 9093,
                    0,
                    65535);
            if (controllerPort == 0 || controllerPort == kafkaPort) {
                controllerPort = Preflight.freePort();
            }
            Preflight.requirePortFree(kafkaPort, "Kafka", "--kafka-port or SRGAN_KAFKA_PORT");
            Preflight.requirePortFree(
                    controllerPort, "Kafka controller", "--kafka-controller-port or SRGAN_KAFKA_CONTROLLER_PORT");
            if (announce) {
                System.out.println("srgan: starting Kafka (KRaft) on port " + kafkaPort);
            }
            KafkaBroker kafka = KafkaBroker.start(dataDir.resolve("kafka"), kafkaPort, controllerPort);
            started.add(kafka);
            bootstrap = kafka.bootstrapServers();
        }
        return new Endpoints(dbUrl, dbUser, dbPassword, bootstrap, embeddedDb, embeddedKafka);
    }

    private Map<String, String> appEnv(Endpoints e, Path dataDir) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SRGAN_DB_URL", e.dbUrl());
        if (e.dbUser() != null) {
            env.put("SRGAN_DB_USER", e.dbUser());
        }
        if (e.dbPassword() != null) {
            env.put("SRGAN_DB_PASSWORD", e.dbPassword());
        }
        env.put("SRGAN_KAFKA_BOOTSTRAP", e.kafkaBootstrap());
        env.put("SRGAN_DATA_DIR", dataDir.toString());
        return env;
    }

    private void writeStackEnv(Path dataDir, Endpoints e, int apiPort, int workers) {
        StringBuilder s = new StringBuilder("# written by ./srgan up; read by ./srgan worker\n");
        s.append("SRGAN_DB_URL=").append(e.dbUrl()).append('\n');
        if (e.dbUser() != null) {
            s.append("SRGAN_DB_USER=").append(e.dbUser()).append('\n');
        }
        s.append("SRGAN_KAFKA_BOOTSTRAP=").append(e.kafkaBootstrap()).append('\n');
        s.append("SRGAN_API_URL=http://localhost:").append(apiPort).append('\n');
        s.append("SRGAN_WORKER_WORKERS_ON_HOST=").append(Math.max(1, workers)).append('\n');
        try {
            Files.writeString(dataDir.resolve("stack.env"), s.toString());
        } catch (IOException ex) {
            throw new LaunchException("cannot write " + dataDir.resolve("stack.env") + ": " + ex.getMessage());
        }
    }

    static Map<String, String> readEnvFile(Path file) {
        Map<String, String> env = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                int eq = line.indexOf('=');
                if (!line.startsWith("#") && eq > 0) {
                    env.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
                }
            }
        } catch (IOException e) {
            throw new LaunchException("cannot read " + file + ": " + e.getMessage());
        }
        return env;
    }

    private static boolean isLocked(Path dataDir) {
        try (DataDirLock ignored = DataDirLock.acquire(dataDir)) {
            return false;
        } catch (LaunchException e) {
            return true;
        }
    }

    private Path requireApp(String module) {
        Path jar = home.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new LaunchException(module + " is not built (" + jar + " is missing); run ./srgan build");
        }
        return jar;
    }

    private static final class Child {
        final String name;
        final Process process;
        final int port;
        final Path log;

        Child(String name, Process process, int port, Path log) {
            this.name = name;
            this.process = process;
            this.port = port;
            this.log = log;
        }
    }

    private Child startApp(String name, Path jar, int port, Map<String, String> env, Path log) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xms128m", "-XX:+ExitOnOutOfMemoryError"));
        String extra = System.getenv(name.startsWith("worker") ? "SRGAN_WORKER_JAVA_OPTS" : "SRGAN_API_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(Arrays.asList(extra.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile());
        pb.environment().putAll(env);
        String allocator = System.getenv(WORKER_ALLOCATOR);
        if (name.startsWith("worker") && allocator != null && !allocator.isBlank()) {
            // ./srgan names the allocator the workers preload (tcmalloc); the other processes keep glibc's
            pb.environment().put("LD_PRELOAD", allocator);
        }
        pb.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
        pb.environment()
                .put("SRGAN_PARENT_PID", String.valueOf(ProcessHandle.current().pid()));
        if (log != null) {
            try {
                Files.createDirectories(log.getParent());
            } catch (IOException e) {
                throw new LaunchException("cannot create " + log.getParent() + ": " + e.getMessage());
            }
            pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        } else {
            pb.inheritIO();
        }
        try {
            Process p = pb.start();
            Child c = new Child(name, p, port, log);
            synchronized (children) {
                children.add(c);
            }
            return c;
        } catch (IOException e) {
            throw new LaunchException("cannot start " + name + ": " + e.getMessage());
        }
    }

    private void awaitReady(Child c) {
        System.out.println("srgan: starting " + c.name + " on port " + c.port + " ...");
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!c.process.isAlive()) {
                throw new LaunchException(c.name + " exited with code " + c.process.exitValue()
                        + " while starting; last lines of " + c.log + ":\n" + tail(c.log, 15));
            }
            try {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + c.port + "/q/health/ready"))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LaunchException("interrupted while waiting for " + c.name);
            }
            sleep(500);
        }
        throw new LaunchException(c.name + " was not ready after " + READY_TIMEOUT.toSeconds() + " s; see " + c.log);
    }

    private void superviseChildren() {
        for (Child c : List.copyOf(children)) {
            c.process.onExit().thenAccept(p -> {
                if (!stopping) {
                    System.err.println("srgan: " + c.name + " exited with code " + p.exitValue() + "; see " + c.log);
                }
            });
        }
    }

    /** When the launching shell dies without signalling us, stop everything rather than orphan it. */
    private void watchParent() {
        ProcessHandle.current()
                .parent()
                .ifPresent(parent -> parent.onExit().thenRun(() -> {
                    if (!stopping) {
                        System.exit(0);
                    }
                }));
    }

    /**
     * SIGINT and SIGTERM stop everything in order, then exit. A plain shutdown hook is not enough:
     * JVM hooks run concurrently, and the embedded PostgreSQL registers one of its own that would
     * stop the database while workers are still checkpointing.
     */
    @SuppressWarnings("restriction")
    private void installStopHandlers() {
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll, "srgan-stop"));
        for (String name : List.of("INT", "TERM")) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                    Thread stopper = new Thread(
                            () -> {
                                stopAll();
                                System.exit(0);
                            },
                            "srgan-stop-" + name);
                    stopper.start();
                });
            } catch (IllegalArgumentException e) {
                // signal not available on this platform: the shutdown hook still stops everything
            }
        }
    }

    private synchronized void stopAll() {
        if (stopping && children.isEmpty() && started.isEmpty()) {
            return;
        }
        stopping = true;
        List<Child> toStop;
        synchronized (children) {
            toStop = new ArrayList<>(children);
            children.clear();
        }
        // Workers first (they checkpoint running jobs on SIGTERM), then the api, then the services.
        toStop.sort((a, b) -> Boolean.compare(a.name.equals("api"), b.name.equals("api")));
        List<Child> workers = toStop.stream().filter(c -> !c.name.equals("api")).toList();
        List<Child> apis = toStop.stream().filter(c -> c.name.equals("api")).toList();
        stopChildren(workers);
        stopChildren(apis);
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                System.err.println(
                        "srgan: stopping " + started.get(i).getClass().getSimpleName() + " failed: " + e.getMessage());
            }
        }
        started.clear();
        if (!toStop.isEmpty()) {
            System.out.println("srgan: stopped");
        }
    }

    private void stopChildren(List<Child> list) {
        if (list.isEmpty()) {
            return;
        }
        for (Child c : list) {
            if (c.process.isAlive()) {
                System.out.println("srgan: stopping " + c.name);
                c.process.destroy();
            }
        }
        CountDownLatch done = new CountDownLatch(list.size());
        list.forEach(c -> c.process.onExit().thenRun(done::countDown));
        try {
            if (!done.await(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                list.forEach(c -> c.process.destroyForcibly());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void routeServiceLogs(Path dataDir) {
        try {
            Files.createDirectories(dataDir.resolve("logs"));
        } catch (IOException e) {
            throw new LaunchException("cannot create " + dataDir.resolve("logs") + ": " + e.getMessage());
        }
        System.setProperty(
                "org.slf4j.simpleLogger.logFile",
                dataDir.resolve("logs/kafka.log").toString());
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    }

    static String tail(Path file, int lines) {
        if (file == null || !Files.exists(file)) {
            return "";
        }
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "";
        }
    }

    private static int firstFreePort(int from) {
        for (int p = from; p < from + 200; p++) {
            try {
                Preflight.requirePortFree(p, "", "");
                return p;
            } catch (LaunchException e) {
                // taken, try the next
            }
        }
        return Preflight.freePort();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitForever() {
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
