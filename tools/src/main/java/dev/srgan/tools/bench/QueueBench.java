package dev.srgan.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.srgan.networks.bench.Flops;
import dev.srgan.networks.inference.Precision;
import dev.srgan.tools.Api;
import dev.srgan.tools.JobWatcher;
import dev.srgan.tools.Multipart;
import dev.srgan.tools.Stats;
import dev.srgan.tools.TrivialModel;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The queue's share of the bench: on a cluster of its own (real PostgreSQL, Kafka, api and worker
 * processes), the end-to-end latency of a 256x256 upscale with the default 4x model against the
 * model's own time in the worker, and the throughput of trivial jobs with 1 and then 2 workers.
 */
public final class QueueBench {
    private QueueBench() {}

    /** Starts the cluster, measures, stops it. */
    public static Map<String, Object> run(Path home, boolean quick, PrintStream log) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        log.println("queue: starting PostgreSQL, Kafka, the api and 1 worker ...");
        try (LocalCluster cluster = LocalCluster.start(home, 1, home.resolve("target/bench/logs"))) {
            Api api = cluster.api();
            out.put("latency", latency(api, quick ? 3 : 9, 256, log));
            out.put("latency128", latency(api, quick ? 3 : 9, 128, log));
            String trivial = TrivialModel.upload(api, "trivial 2x (bench)");
            int n = quick ? 100 : 1500;
            throughput(api, trivial, Math.min(n, 200), log);
            out.put("trivial1Worker", withCpu(cluster, n, () -> throughput(api, trivial, n, log), log));
            log.println("queue: starting a second worker ...");
            cluster.addWorker();
            throughput(api, trivial, Math.min(n, 200), log);
            out.put("trivial2Workers", withCpu(cluster, n, () -> throughput(api, trivial, n, log), log));
            out.put("sharedHost", sharedHost(cluster, quick ? 4 : 24, log));
        }
        return out;
    }

    /**
     * Two workers on one host share its cores: real upscales (256x256 at 4x, the default model),
     * {@code jobs} submitted at once, with (1) one worker using every core, (2) two workers with
     * the cores split between them, as {@code ./srgan up --workers 2} starts them
     * ({@code srgan.worker.workers-on-host}), and (3) two workers each using every core, as
     * they did before the split (oversubscribed). Expects the cluster to run 2 workers started
     * without thread settings; leaves it with 1.
     */
    static Map<String, Object> sharedHost(LocalCluster cluster, int jobs, PrintStream log) throws Exception {
        Api api = cluster.api();
        int cores = Runtime.getRuntime().availableProcessors();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cores", cores);
        out.put("jobs", jobs);
        log.printf(
                "queue: shared host: %d concurrent 256x256 upscales, 2 workers with %d threads each (oversubscribed) ...%n",
                jobs, cores);
        out.put(
                "twoWorkersOversubscribed",
                concurrent(api, jobs, "2 workers x " + cores + " threads (oversubscribed)", log));
        cluster.stopWorkers();
        for (int i = 0; i < 2; i++) {
            cluster.addWorker(Map.of("SRGAN_WORKER_WORKERS_ON_HOST", "2"));
        }
        int split = Math.max(1, cores / 2);
        out.put(
                "twoWorkers",
                concurrent(api, jobs, "2 workers x " + split + " thread(s) (cores split, the default)", log));
        cluster.stopWorkers();
        cluster.addWorker();
        out.put("oneWorker", concurrent(api, jobs, "1 worker x " + cores + " threads", log));
        return out;
    }

    /**
     * Submits {@code jobs} 256x256 4x upscales at once, after a warm-up round that lets every worker
     * load the model, and measures from the first submission to the last job finished.
     */
    static Map<String, Object> concurrent(Api api, int jobs, String setup, PrintStream log) throws Exception {
        byte[] warm = TrivialModel.photoLikePng(32, 32);
        byte[] png = TrivialModel.photoLikePng(256, 256);
        try (JobWatcher watcher = new JobWatcher(api)) {
            waitAll(api, watcher, submit(api, warm, 4));
            long t0 = System.nanoTime();
            List<String> ids = submit(api, png, jobs);
            long last = waitAll(api, watcher, ids);
            double seconds = (last - t0) / 1e9;
            double[] model = new double[jobs];
            for (int i = 0; i < jobs; i++) {
                model[i] = api.get("/api/jobs/" + ids.get(i))
                        .path("result")
                        .path("modelMs")
                        .asDouble();
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("setup", setup);
            m.put("seconds", Stats.round(seconds));
            m.put("jobsPerMinute", Stats.round(60 * jobs / seconds));
            m.put("modelMsMedian", Stats.round(Stats.median(model)));
            log.printf(
                    "queue: %s: %d upscales in %.1f s (%.1f jobs/min), model time per job %.0f ms (median)%n",
                    setup, jobs, seconds, 60 * jobs / seconds, Stats.median(model));
            return m;
        }
    }

    private static List<String> submit(Api api, byte[] png, int n) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(api.post(
                            "/api/upscale",
                            new Multipart().field("scale", "4").file("image", "bench.png", "image/png", png))
                    .path("id")
                    .asText());
        }
        return ids;
    }

    /** Waits until every job finished; each must have SUCCEEDED. Returns when the last one finished (nanoTime). */
    private static long waitAll(Api api, JobWatcher watcher, List<String> ids) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (watcher.countFinished(ids) < ids.size()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + watcher.countFinished(ids) + " of " + ids.size()
                        + " upscales finished in 10 minutes");
            }
            Thread.sleep(5);
        }
        long last = 0;
        for (String id : ids) {
            if (!"SUCCEEDED".equals(watcher.status(id))) {
                JsonNode job = api.get("/api/jobs/" + id);
                throw new IllegalStateException("upscale " + id + " ended "
                        + job.path("status").asText() + ": " + job.path("error").asText());
            }
            last = Math.max(last, watcher.finishedAt(id));
        }
        return last;
    }

    /**
     * Upscales a photo-like image of {@code size}x{@code size} at 4x with the default model, one job
     * at a time; the first is a warm-up (the worker loads the model). Per job: the time from the
     * submission to the moment the live event said SUCCEEDED, against the model's time in the worker.
     */
    public static Map<String, Object> latency(Api api, int runs, int size, PrintStream log) throws Exception {
        byte[] png = TrivialModel.photoLikePng(size, size);
        double[] e2e = new double[runs];
        double[] model = new double[runs];
        double[] workerTotal = new double[runs];
        try (JobWatcher watcher = new JobWatcher(api)) {
            for (int i = -1; i < runs; i++) {
                long t = System.nanoTime();
                String id = api.post(
                                "/api/upscale",
                                new Multipart().field("scale", "4").file("image", "bench.png", "image/png", png))
                        .path("id")
                        .asText();
                long deadline = t + TimeUnit.MINUTES.toNanos(5);
                Long done;
                while ((done = watcher.finishedAt(id)) == null) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("upscale " + id + " did not finish in 5 minutes");
                    }
                    Thread.sleep(1);
                }
                JsonNode job = api.get("/api/jobs/" + id);
                if (!"SUCCEEDED".equals(job.path("status").asText())) {
                    throw new IllegalStateException(
                            "upscale " + id + " ended " + job.path("status").asText() + ": "
                                    + job.path("error").asText());
                }
                if (i >= 0) {
                    e2e[i] = (done - t) / 1e6;
                    model[i] = job.path("result").path("modelMs").asDouble();
                    workerTotal[i] = job.path("result").path("totalMs").asDouble();
                }
            }
        }
        double[] overhead = new double[runs];
        for (int i = 0; i < runs; i++) {
            overhead[i] = e2e[i] - model[i];
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "upscale " + size + "x" + size + " -> " + size * 4 + "x" + size * 4 + " (default 4x model)");
        m.put("runs", runs);
        m.put("endToEndMs", Stats.round(Stats.median(e2e)));
        m.put("modelMs", Stats.round(Stats.median(model)));
        m.put("workerTotalMs", Stats.round(Stats.median(workerTotal)));
        m.put("overheadMs", Stats.round(Stats.median(overhead)));
        m.put("overheadPercent", Stats.round(100 * Stats.median(overhead) / Stats.median(model)));
        // the job's work, to compare with the ceiling: the default 4x model's FLOP at this size
        JsonNode defaultModel = null;
        for (JsonNode mv : api.get("/api/models")) {
            if (mv.path("scale").asInt() == 4 && mv.path("isDefault").asBoolean()) {
                defaultModel = mv;
            }
        }
        if (defaultModel != null && defaultModel.path("residualBlocks").isInt()) {
            int blocks = defaultModel.path("residualBlocks").asInt();
            m.put("residualBlocks", blocks);
            m.put("gflop", Stats.round(Flops.generator(size, size, 4, blocks) / 1e9));
        }
        // the worker runs srgan.worker.precision=auto, as the bench starts it: bfloat16 where the CPU has it
        m.put("precision", Precision.cpuHasBfloat16() ? "bfloat16" : "float32");
        log.printf(
                "queue: %s: end to end %.0f ms, model %.0f ms, overhead %.0f ms (%.1f%%)%n",
                m.get("name"),
                Stats.median(e2e),
                Stats.median(model),
                Stats.median(overhead),
                100 * Stats.median(overhead) / Stats.median(model));
        return m;
    }

    interface Measurement {
        Map<String, Object> run() throws Exception;
    }

    /**
     * Runs a measurement of {@code jobs} jobs and adds where the CPU went: milliseconds of CPU per
     * job for each part of the cluster, their sum, and the cores busy on average. On a machine
     * whose cores are all busy this is what bounds jobs per second.
     */
    static Map<String, Object> withCpu(LocalCluster cluster, int jobs, Measurement m, PrintStream log)
            throws Exception {
        Map<String, Double> before = cluster.cpuSeconds();
        long t0 = System.nanoTime();
        Map<String, Object> result = m.run();
        double wall = (System.nanoTime() - t0) / 1e9;
        Map<String, Double> after = cluster.cpuSeconds();
        if (before.isEmpty()) {
            return result;
        }
        Map<String, Object> perJob = new LinkedHashMap<>();
        double total = 0;
        StringBuilder line = new StringBuilder();
        for (Map.Entry<String, Double> e : after.entrySet()) {
            double seconds = e.getValue() - before.getOrDefault(e.getKey(), 0.0);
            total += seconds;
            perJob.put(e.getKey(), Stats.round(1000 * seconds / jobs));
            line.append(String.format(java.util.Locale.ROOT, " %s %.2f", e.getKey(), 1000 * seconds / jobs));
        }
        result.put("cpuMsPerJob", perJob);
        result.put("cpuMsPerJobTotal", Stats.round(1000 * total / jobs));
        result.put("coresBusy", Stats.round(total / wall));
        log.printf(
                "queue: CPU per job (ms):%s; total %.2f ms, %.2f cores busy on average%n",
                line, 1000 * total / jobs, total / wall);
        return result;
    }

    /**
     * Submits {@code n} trivial upscales (8x8 at 2x with the trivial model) as fast as 32 concurrent
     * requests allow and measures jobs per second from the first submission to the last job seen
     * finished.
     */
    public static Map<String, Object> throughput(Api api, String modelId, int n, PrintStream log) throws Exception {
        Multipart form = new Multipart()
                .field("scale", "2")
                .field("modelId", modelId)
                .file("image", "trivial.png", "image/png", TrivialModel.png(8, 8, 3));
        List<String> ids = java.util.Collections.synchronizedList(new ArrayList<>());
        Semaphore slots = new Semaphore(32);
        List<CompletableFuture<?>> sends = new ArrayList<>();
        try (JobWatcher watcher = new JobWatcher(api)) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                slots.acquire();
                sends.add(api.postAsync("/api/upscale", form).whenComplete((HttpResponse<String> r, Throwable e) -> {
                    slots.release();
                    if (e == null && r.statusCode() == 202) {
                        try {
                            ids.add(Api.JSON.readTree(r.body()).path("id").asText());
                        } catch (java.io.IOException ex) {
                            throw new java.io.UncheckedIOException(ex);
                        }
                    }
                }));
            }
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
            long submitted = System.nanoTime();
            if (ids.size() != n) {
                throw new IllegalStateException(
                        (n - ids.size()) + " of " + n + " trivial submissions were not accepted");
            }
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (watcher.countFinished(ids) < n) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "only " + watcher.countFinished(ids) + " of " + n + " trivial jobs finished in 10 minutes");
                }
                Thread.sleep(2);
            }
            long last = 0;
            int failed = 0;
            for (String id : ids) {
                last = Math.max(last, watcher.finishedAt(id));
                if (!"SUCCEEDED".equals(watcher.status(id))) {
                    failed++;
                }
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("jobs", n);
            m.put("failed", failed);
            m.put("seconds", Stats.round((last - t0) / 1e9));
            m.put("jobsPerSecond", Stats.round(n / ((last - t0) / 1e9)));
            m.put("submissionsPerSecond", Stats.round(n / ((submitted - t0) / 1e9)));
            log.printf(
                    "queue: %d trivial jobs in %.1f s: %.1f jobs/s (submissions alone %.1f/s)%n",
                    n, (last - t0) / 1e9, n / ((last - t0) / 1e9), n / ((submitted - t0) / 1e9));
            return m;
        }
    }
}
