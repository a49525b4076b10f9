package dev.srgan.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Listens to the api's live events ({@code GET /api/events}, server-sent events fed by PostgreSQL
 * NOTIFY) and records, per job, the moment this client learnt it had finished. That is the end of
 * a job's end-to-end latency as a user sees it, without polling.
 */
public final class JobWatcher implements AutoCloseable {
    private static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "CANCELLED");

    private final Map<String, Long> finishedNanos = new ConcurrentHashMap<>();
    private final Map<String, String> finalStatus = new ConcurrentHashMap<>();
    private final CountDownLatch connected = new CountDownLatch(1);
    private final Thread reader;
    private volatile InputStream body;
    private volatile boolean closed;

    /** Opens the event stream and returns once the api has answered it. */
    public JobWatcher(Api api) throws InterruptedException {
        reader = new Thread(() -> read(api), "srgan-job-watcher");
        reader.setDaemon(true);
        reader.start();
        if (!connected.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the api's event stream (/api/events) did not answer in 30 s");
        }
    }

    private void read(Api api) {
        try {
            HttpResponse<InputStream> r = api.http()
                    .send(
                            api.request("/api/events")
                                    .timeout(java.time.Duration.ofDays(1))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofInputStream());
            body = r.body();
            connected.countDown();
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null && !closed; line = lines.readLine()) {
                    if (!line.startsWith("data:")) {
                        continue;
                    }
                    long now = System.nanoTime();
                    JsonNode e = Api.JSON.readTree(line.substring(5).trim());
                    String status = e.path("status").asText("");
                    if ("job".equals(e.path("kind").asText()) && TERMINAL.contains(status)) {
                        String id = e.path("jobId").asText();
                        finishedNanos.putIfAbsent(id, now);
                        finalStatus.put(id, status);
                    }
                }
            }
        } catch (IOException e) {
            if (!closed) {
                System.err.println("srgan: the event stream ended: " + e.getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            connected.countDown();
        }
    }

    /** When this client saw the job finish (System.nanoTime), or null. */
    public Long finishedAt(String jobId) {
        return finishedNanos.get(jobId);
    }

    /** The terminal status seen for the job, or null. */
    public String status(String jobId) {
        return finalStatus.get(jobId);
    }

    /** How many of the given jobs have been seen finishing. */
    public int countFinished(Iterable<String> jobIds) {
        int n = 0;
        for (String id : jobIds) {
            if (finishedNanos.containsKey(id)) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() {
        closed = true;
        InputStream b = body;
        if (b != null) {
            try {
                b.close();
            } catch (IOException e) {
                // closing a stream we abandon
            }
        }
        reader.interrupt();
    }
}
