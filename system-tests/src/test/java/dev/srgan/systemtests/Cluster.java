package dev.srgan.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srgan.embedded.ServicesProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The system as {@code ./srgan up} runs it, for tests: a real PostgreSQL and a real Kafka broker
 * (each in its own process, so Kafka can be stopped and started alone), the packaged api and
 * workers as separate JVMs. Every child knows the test JVM's pid and exits if it disappears.
 */
final class Cluster implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final Path home =
            Path.of(System.getProperty("srgan.home", "..")).toAbsolutePath().normalize();
    final Path dataDir;
    final Path logs = home.resolve("system-tests/target/logs");
    private int kafkaPort = dev.srgan.embedded.Preflight.freeServicePort();
    private int pgPort = dev.srgan.embedded.Preflight.freeServicePort();
    private ServicesProcess postgres;
    private ServicesProcess kafka;
    private App api;
    private final List<App> workers = new ArrayList<>();
    /** The admin token the harness gives the api at start; every HTTP helper sends it. */
    static final String ADMIN_TOKEN = "srgan_system-tests-" + UUID.randomUUID();
    /** What the api signs webhook deliveries with in system tests. */
    static final String WEBHOOK_SECRET = "srgan-system-tests-webhook-secret";

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A running api or worker process. */
    static final class App {
        final String name;
        final Process process;
        final int port;

        App(String name, Process process, int port) {
            this.name = name;
            this.process = process;
            this.port = port;
        }
    }

    Cluster() throws IOException {
        dataDir = Files.createTempDirectory("srgan-system");
        Files.createDirectories(logs);
    }

    static Cluster start(int workerCount) throws Exception {
        Cluster c = new Cluster();
        c.startPostgres();
        c.startKafka();
        c.api = c.startApp("api", "api");
        for (int i = 0; i < workerCount; i++) {
            c.startWorker();
        }
        return c;
    }

    /** Kafka on the same port every time (the apps know it); the first start may pick another. */
    void startKafka() {
        boolean first = kafka == null;
        for (int attempt = 1; ; attempt++) {
            try {
                kafka = ServicesProcess.startOnly("kafka", dataDir.resolve("kafka"), kafkaPort);
                return;
            } catch (IllegalStateException e) {
                if (!first || !portTaken(e, attempt)) {
                    throw e;
                }
                kafkaPort = dev.srgan.embedded.Preflight.freeServicePort();
            }
        }
    }

    /** PostgreSQL on the same port and data every time, so the apps reconnect to it after a restart. */
    void startPostgres() {
        boolean first = postgres == null;
        for (int attempt = 1; ; attempt++) {
            try {
                postgres = ServicesProcess.startOnly("postgres", dataDir.resolve("pg"), pgPort);
                return;
            } catch (IllegalStateException e) {
                if (!first || !portTaken(e, attempt)) {
                    throw e;
                }
                pgPort = dev.srgan.embedded.Preflight.freeServicePort();
            }
        }
    }

    /**
     * Whether a first start failed only because its port, free when picked, was taken since (by
     * another build's services on this machine): then it picks again, twice at most.
     */
    private static boolean portTaken(IllegalStateException e, int attempt) {
        return attempt < 3 && String.valueOf(e.getMessage()).contains("is already in use");
    }

    void stopPostgres() {
        postgres.close();
    }

    void stopKafka() {
        kafka.close();
    }

    App startWorker() throws Exception {
        App w = startApp("worker", "worker-" + (workers.size() + 1));
        workers.add(w);
        return w;
    }

    List<App> workers() {
        return workers;
    }

    /** SIGKILL: no shutdown hook, no goodbye to the consumer group or the database. */
    void kill(App app) throws InterruptedException {
        app.process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        workers.remove(app);
    }

    private App startApp(String module, String name) throws Exception {
        Path jar = home.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: package the apps first (mvn package)");
        }
        int port = freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx1g", "-XX:+ExitOnOutOfMemoryError", "-jar", jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        logs.resolve(name + ".log").toFile()));
        Map<String, String> env = pb.environment();
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        env.put("SRGAN_DB_URL", postgres.jdbcUrl());
        env.put("SRGAN_DB_USER", postgres.dbUser());
        env.put("SRGAN_KAFKA_BOOTSTRAP", "localhost:" + kafkaPort);
        env.put("SRGAN_PARENT_PID", String.valueOf(ProcessHandle.current().pid()));
        // short leases so a killed worker's job moves on within seconds
        env.put("SRGAN_WORKER_LEASE", "6s");
        env.put("SRGAN_WORKER_HEARTBEAT_INTERVAL", "1s");
        env.put("SRGAN_REAPER_INTERVAL", "1s");
        // and a killed or frozen worker's partitions go to the others after 10 s, not Kafka's 45 s
        env.put("SRGAN_KAFKA_SESSION_TIMEOUT", "10s");
        if (module.equals("api")) {
            // as ./srgan up does: the api registers this token as the first admin
            env.put("SRGAN_BOOTSTRAP_ADMIN_TOKEN", ADMIN_TOKEN);
            // webhooks to the tests' own receivers on loopback, signed
            env.put("SRGAN_WEBHOOKS_ALLOWED_HOSTS", "127.0.0.1");
            env.put("SRGAN_UPSCALE_URL_HOSTS", "127.0.0.1");
            env.put("SRGAN_WEBHOOKS_SECRET", WEBHOOK_SECRET);
        }
        App app = new App(name, pb.start(), port);
        awaitReady(app);
        return app;
    }

    private void awaitReady(App app) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            if (!app.process.isAlive()) {
                throw new IllegalStateException(app.name + " exited with " + app.process.exitValue() + "; see "
                        + logs.resolve(app.name + ".log"));
            }
            try {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + app.port + "/q/health/ready"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException(app.name + " not ready in 180 s");
    }

    Connection db() throws SQLException {
        return DriverManager.getConnection(postgres.jdbcUrl(), postgres.dbUser(), "");
    }

    /** A request to the api with the admin token. */
    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(url(path)).header("Authorization", "Bearer " + ADMIN_TOKEN);
    }

    URI url(String path) {
        return URI.create("http://localhost:" + api.port + path);
    }

    JsonNode get(String path) throws Exception {
        HttpResponse<String> r = http.send(request(path).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " -> " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    byte[] getBytes(String path) throws Exception {
        HttpResponse<byte[]> r = http.send(request(path).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " -> " + r.statusCode());
        }
        return r.body();
    }

    HttpResponse<String> postJson(String path, String body) throws Exception {
        return http.send(
                request(path)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path) throws Exception {
        return http.send(
                request(path).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A multipart form: text fields as String, files as {@code new FilePart(name, bytes, type)}. */
    record FilePart(String fileName, byte[] bytes, String contentType) {}

    HttpResponse<String> postMultipart(String path, Map<String, Object> fields) throws Exception {
        String boundary = "srgan" + UUID.randomUUID().toString().replace("-", "");
        var out = new java.io.ByteArrayOutputStream();
        for (Map.Entry<String, Object> f : fields.entrySet()) {
            out.write(("--" + boundary + "\r\n").getBytes(StandardCharsets.UTF_8));
            if (f.getValue() instanceof FilePart p) {
                out.write(("Content-Disposition: form-data; name=\"" + f.getKey() + "\"; filename=\"" + p.fileName()
                                + "\"\r\n" + "Content-Type: " + p.contentType() + "\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8));
                out.write(p.bytes());
            } else {
                out.write(("Content-Disposition: form-data; name=\"" + f.getKey() + "\"\r\n\r\n" + f.getValue())
                        .getBytes(StandardCharsets.UTF_8));
            }
            out.write("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        out.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return http.send(
                request(path)
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static Map<String, Object> form(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** Polls {@code GET /api/jobs/{id}} until {@code done} holds, or fails after {@code timeout}. */
    JsonNode awaitJob(String id, Predicate<JsonNode> done, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode job = null;
        while (System.nanoTime() < deadline) {
            job = get("/api/jobs/" + id);
            if (done.test(job)) {
                return job;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("job " + id + " did not reach the expected state in " + timeout + "; last: " + job);
    }

    static Predicate<JsonNode> status(String... states) {
        return j -> List.of(states).contains(j.path("status").asText());
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (App w : workers) {
            w.process.destroy();
        }
        for (App w : workers) {
            try {
                if (!w.process.waitFor(60, TimeUnit.SECONDS)) {
                    w.process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (api != null) {
            api.process.destroy();
            try {
                api.process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        ServicesProcess.deleteDataDir(dataDir);
    }
}
