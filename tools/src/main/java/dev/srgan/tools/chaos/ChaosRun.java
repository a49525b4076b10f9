package dev.srgan.tools.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.srgan.networks.checkpoint.Checkpoint;
import dev.srgan.tools.Api;
import dev.srgan.tools.Multipart;
import dev.srgan.tools.TrivialModel;
import dev.srgan.tools.bench.LocalCluster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Chaos against a running cluster: while upscale and training jobs run, at random (seeded), a
 * worker is frozen past its lease (SIGSTOP, then SIGCONT), a worker is killed (SIGKILL, and a new
 * one started), the Kafka broker is restarted, PostgreSQL is restarted. Every kind of fault comes
 * once before any comes twice. Submissions carry an {@code Idempotency-Key} and are retried with
 * it until accepted, as a careful client does. At the end, checked through the API: every
 * accepted job exists (nothing acknowledged is lost) and is terminal; an upscale serves its one
 * result exactly when it SUCCEEDED; a training run's loss steps are 1..N, each once; every stored
 * checkpoint downloads and loads; and the workers' count of refused (fenced) writes.
 */
public final class ChaosRun {
    /** The kinds of fault. */
    public enum Fault {
        PAUSE_WORKER,
        KILL_WORKER,
        RESTART_KAFKA,
        RESTART_POSTGRES
    }

    /**
     * @param chaos how long faults are injected and jobs submitted
     * @param faultEvery the pause between two faults
     * @param lease the workers' lease (a paused worker stays frozen this long plus 3 s)
     * @param drain how long the jobs may take to finish after the chaos
     * @param seed of the fault schedule and the images
     * @param upscalesPerSecond submission rate
     * @param trainingRuns training runs started at the beginning
     * @param trainingSteps steps of each run (half pre-training, half GAN)
     */
    public record Settings(
            Duration chaos,
            Duration faultEvery,
            Duration lease,
            Duration drain,
            long seed,
            double upscalesPerSecond,
            int trainingRuns,
            int trainingSteps) {}

    private ChaosRun() {}

    /** Runs the chaos and the checks; the report's "ok" says whether every check held. */
    public static Map<String, Object> run(LocalCluster cluster, Settings s, PrintStream log) throws Exception {
        Api api = cluster.api();
        long t0 = System.nanoTime();
        Random random = new Random(s.seed());
        String model = TrivialModel.upload(api, "trivial 2x (chaos)");
        String dataset = api.post(
                        "/api/datasets",
                        new Multipart()
                                .field("name", "chaos")
                                .file("file", "chaos.zip", "application/zip", datasetZip(s.seed())))
                .path("id")
                .asText();
        List<String> training = new ArrayList<>();
        for (int i = 0; i < s.trainingRuns(); i++) {
            training.add(submitTraining(
                    api,
                    dataset,
                    s,
                    "chaos-run-" + s.seed() + "-" + i,
                    Instant.now().plus(s.drain())));
        }
        log.printf(
                "chaos: %d training runs of %d steps started; upscales at %.1f/s for %d s%n",
                training.size(),
                s.trainingSteps(),
                s.upscalesPerSecond(),
                s.chaos().toSeconds());

        List<String> upscales = new CopyOnWriteArrayList<>();
        Map<String, Integer> retries = new ConcurrentHashMap<>();
        AtomicBoolean submitting = new AtomicBoolean(true);
        Thread submitter =
                new Thread(() -> submitUpscales(api, model, s, submitting, upscales, retries, log), "chaos-submitter");
        submitter.start();

        List<Fault> order = new ArrayList<>();
        Map<String, Integer> faults = new LinkedHashMap<>();
        List<String> timeline = new ArrayList<>();
        long chaosEnd = System.nanoTime() + s.chaos().toNanos();
        // every kind of fault at least once, however long the faults themselves take
        while (System.nanoTime() + s.faultEvery().toNanos() / 2 < chaosEnd || faults.size() < Fault.values().length) {
            Thread.sleep(s.faultEvery().toMillis());
            if (order.isEmpty()) {
                Collections.addAll(order, Fault.values());
                Collections.shuffle(order, random);
            }
            Fault f = order.remove(0);
            String what = inject(cluster, f, s, random);
            faults.merge(f.name(), 1, Integer::sum);
            String line = String.format("%6.1f s  %s", (System.nanoTime() - t0) / 1e9, what);
            timeline.add(line);
            log.println("chaos: " + line);
        }
        Thread.sleep(Math.max(0, (chaosEnd - System.nanoTime()) / 1_000_000));
        submitting.set(false);
        submitter.join();

        List<String> all = new ArrayList<>(training);
        all.addAll(upscales);
        Map<String, JsonNode> finals = awaitTerminal(api, all, s.drain());
        Map<String, Object> report = check(cluster, api, training, upscales, finals, s.trainingSteps());
        report.put("faults", faults);
        report.put("timeline", timeline);
        report.put(
                "submissionRetries",
                retries.values().stream().mapToInt(Integer::intValue).sum());
        report.put("seconds", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
        log.println("chaos: " + report);
        return report;
    }

    private static String inject(LocalCluster cluster, Fault f, Settings s, Random random) throws Exception {
        List<Integer> alive = new ArrayList<>();
        for (int i = 0; i < cluster.workers().size(); i++) {
            if (cluster.workers().get(i).isAlive()) {
                alive.add(i);
            }
        }
        switch (f) {
            case PAUSE_WORKER -> {
                int w = alive.get(random.nextInt(alive.size()));
                Duration frozen = s.lease().plusSeconds(3);
                cluster.signalWorker(w, "STOP");
                try {
                    Thread.sleep(frozen.toMillis());
                } finally {
                    cluster.signalWorker(w, "CONT");
                }
                return "worker " + (w + 1) + " frozen (SIGSTOP) for " + frozen.toSeconds() + " s, then SIGCONT";
            }
            case KILL_WORKER -> {
                int w = alive.get(random.nextInt(alive.size()));
                cluster.signalWorker(w, "KILL");
                cluster.workers().get(w).waitFor();
                cluster.addWorker();
                return "worker " + (w + 1) + " killed (SIGKILL); worker "
                        + cluster.workers().size() + " started";
            }
            case RESTART_KAFKA -> {
                cluster.restartKafka(Duration.ofSeconds(3));
                return "Kafka stopped for 3 s and started again";
            }
            case RESTART_POSTGRES -> {
                cluster.restartPostgres(Duration.ofSeconds(3));
                return "PostgreSQL stopped for 3 s and started again";
            }
            default -> throw new IllegalStateException(f.name());
        }
    }

    private static byte[] datasetZip(long seed) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (int i = 0; i < 4; i++) {
                zip.putNextEntry(new ZipEntry("img-" + i + ".png"));
                zip.write(TrivialModel.png(64, 64, seed + i));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static String submitTraining(Api api, String dataset, Settings s, String key, Instant until)
            throws Exception {
        int pre = s.trainingSteps() / 2;
        String body = """
                {"datasetId": "%s", "name": "%s", "hyperparameters": {"scale": 2, "residualBlocks": 1, "batchSize": 2, "hrCropSize": 24,
                 "pretrainSteps": %d, "ganSteps": %d, "validateEvery": 100000, "checkpointEvery": 10}}""".formatted(dataset, key, pre, s.trainingSteps() - pre);
        while (true) {
            try {
                HttpResponse<String> r = api.http()
                        .send(
                                api.request("/api/training")
                                        .header("Content-Type", "application/json")
                                        .header("Idempotency-Key", key)
                                        .POST(HttpRequest.BodyPublishers.ofString(body))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 202) {
                    return Api.JSON.readTree(r.body()).path("id").asText();
                }
                if (r.statusCode() / 100 == 4) {
                    throw new IOException("training refused: " + r.statusCode() + " " + r.body());
                }
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("training refused")) {
                    throw e;
                }
            }
            if (Instant.now().isAfter(until)) {
                throw new IOException("the training run " + key + " was not accepted in time");
            }
            Thread.sleep(1000);
        }
    }

    /** Submits upscales at the rate; each is retried with its key until accepted (a 4xx is a bug: it stops the run). */
    private static void submitUpscales(
            Api api,
            String model,
            Settings s,
            AtomicBoolean submitting,
            List<String> accepted,
            Map<String, Integer> retries,
            PrintStream log) {
        long every = (long) (1e9 / s.upscalesPerSecond());
        long next = System.nanoTime();
        for (int i = 0; submitting.get(); i++) {
            String key = "chaos-upscale-" + s.seed() + "-" + i;
            try {
                byte[] png = TrivialModel.png(24, 24, s.seed() * 1000 + i);
                Multipart form = new Multipart()
                        .field("scale", "2")
                        .field("modelId", model)
                        .file("image", "in-" + i + ".png", "image/png", png);
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (System.nanoTime() < deadline) {
                    try {
                        HttpResponse<String> r = api.http()
                                .send(
                                        api.request("/api/upscale")
                                                .header("Content-Type", form.contentType())
                                                .header("Idempotency-Key", key)
                                                .POST(HttpRequest.BodyPublishers.ofByteArray(form.body()))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 202) {
                            accepted.add(Api.JSON.readTree(r.body()).path("id").asText());
                            break;
                        }
                        if (r.statusCode() / 100 == 4) {
                            log.println("chaos: upscale " + key + " refused: " + r.statusCode() + " " + r.body());
                            break;
                        }
                    } catch (IOException e) {
                        // the api or its database is away for a moment: send it again with the same key
                    }
                    retries.merge(key, 1, Integer::sum);
                    Thread.sleep(500);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException e) {
                log.println("chaos: " + e.getMessage());
            }
            next += every;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static Map<String, JsonNode> awaitTerminal(Api api, List<String> ids, Duration drain)
            throws InterruptedException {
        Map<String, JsonNode> last = new LinkedHashMap<>();
        long deadline = System.nanoTime() + drain.toNanos();
        List<String> open = new ArrayList<>(ids);
        while (!open.isEmpty() && System.nanoTime() < deadline) {
            for (var it = open.iterator(); it.hasNext(); ) {
                String id = it.next();
                try {
                    JsonNode job = api.get("/api/jobs/" + id);
                    last.put(id, job);
                    if (List.of("SUCCEEDED", "FAILED", "CANCELLED")
                            .contains(job.path("status").asText())) {
                        it.remove();
                    }
                } catch (IOException e) {
                    if (e.getMessage() != null && e.getMessage().contains("-> 404")) {
                        last.put(id, null);
                        it.remove();
                    }
                }
            }
            Thread.sleep(500);
        }
        return last;
    }

    private static Map<String, Object> check(
            LocalCluster cluster,
            Api api,
            List<String> training,
            List<String> upscales,
            Map<String, JsonNode> finals,
            int steps)
            throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        Map<String, Integer> states = new LinkedHashMap<>();
        int lost = 0;
        int notTerminal = 0;
        List<String> problems = new ArrayList<>();
        for (String id : finals.keySet()) {
            JsonNode job = finals.get(id);
            if (job == null) {
                lost++;
                problems.add(id + " was accepted but does not exist");
                continue;
            }
            String status = job.path("status").asText();
            states.merge(status, 1, Integer::sum);
            if (!List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(status)) {
                notTerminal++;
                StringBuilder why =
                        new StringBuilder(id + " (" + job.path("type").asText() + ") is still " + status
                                + " after attempt " + job.path("attempts").asInt() + " on "
                                + job.path("workerId").asText() + " ("
                                + job.path("progressMessage").asText() + ")");
                try {
                    for (JsonNode e : api.get("/api/jobs/" + id + "/events")) {
                        why.append("; ")
                                .append(e.path("status").asText())
                                .append(": ")
                                .append(e.path("message").asText());
                    }
                } catch (IOException e) {
                    why.append("; events: ").append(e.getMessage());
                }
                problems.add(why.toString());
            }
        }
        int results = 0;
        for (String id : upscales) {
            JsonNode job = finals.get(id);
            if (job == null) {
                continue;
            }
            HttpResponse<byte[]> res = api.http()
                    .send(
                            api.request("/api/jobs/" + id + "/result").GET().build(),
                            HttpResponse.BodyHandlers.ofByteArray());
            boolean succeeded = job.path("status").asText().equals("SUCCEEDED");
            boolean png = res.statusCode() == 200 && res.body().length > 8 && (res.body()[1] == 'P');
            if (succeeded != png) {
                problems.add("upscale " + id + " is " + job.path("status").asText() + " but its result answers "
                        + res.statusCode());
            }
            results += png ? 1 : 0;
        }
        int checkpoints = 0;
        for (String id : training) {
            JsonNode job = finals.get(id);
            if (job == null) {
                continue;
            }
            JsonNode losses = api.get("/api/jobs/" + id + "/losses");
            for (int i = 0; i < losses.size(); i++) {
                if (losses.get(i).path("step").asInt() != i + 1) {
                    problems.add("run " + id + ": loss point " + i + " is step "
                            + losses.get(i).path("step").asInt() + ", not " + (i + 1));
                    break;
                }
            }
            if (job.path("status").asText().equals("SUCCEEDED") && losses.size() != steps) {
                problems.add("run " + id + " SUCCEEDED with " + losses.size() + " loss points, not " + steps);
            }
            for (JsonNode cp : api.get("/api/jobs/" + id + "/checkpoints")) {
                String cid = cp.path("id").asText();
                HttpResponse<byte[]> zip = api.http()
                        .send(
                                api.request(cp.path("downloadUrl").asText())
                                        .GET()
                                        .build(),
                                HttpResponse.BodyHandlers.ofByteArray());
                try {
                    Checkpoint loaded = Checkpoint.read(new ByteArrayInputStream(zip.body()));
                    if (loaded.step() != cp.path("step").asLong()) {
                        problems.add("checkpoint " + cid + " of run " + id + " holds step " + loaded.step()
                                + ", listed as " + cp.path("step"));
                    }
                    checkpoints++;
                } catch (IOException e) {
                    problems.add("checkpoint " + cid + " of run " + id + " does not load (" + zip.statusCode() + "): "
                            + e.getMessage());
                }
            }
        }
        double rejected = 0;
        int scraped = 0;
        for (int i = 0; i < cluster.workers().size(); i++) {
            String metrics = cluster.workers().get(i).isAlive() ? cluster.workerMetrics(i) : null;
            if (metrics == null) {
                continue;
            }
            scraped++;
            for (String line : metrics.split("\n")) {
                if (line.startsWith("srgan_fenced_writes_rejected_total")) {
                    rejected += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        }
        r.put("accepted", finals.size());
        r.put("states", states);
        r.put("lost", lost);
        r.put("notTerminal", notTerminal);
        r.put("upscaleResults", results);
        r.put("checkpointsLoaded", checkpoints);
        r.put("fencedWritesRejected", rejected);
        r.put("workersScraped", scraped);
        r.put("problems", problems);
        if (!problems.isEmpty()) {
            try {
                r.put("workers", api.get("/api/workers"));
            } catch (IOException e) {
                r.put("workers", e.getMessage());
            }
        }
        r.put("ok", problems.isEmpty());
        return r;
    }
}
