package dev.srgan.tools.load;

import com.fasterxml.jackson.databind.JsonNode;
import dev.srgan.tools.Api;
import dev.srgan.tools.JobWatcher;
import dev.srgan.tools.Multipart;
import dev.srgan.tools.Stats;
import dev.srgan.tools.TrivialModel;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop load of upscale submissions against a running system: {@code rate} submissions per
 * second for {@code seconds}, each sent at its scheduled moment whatever the earlier ones are doing
 * (latency is measured from that moment, so a slow api cannot hide its queueing). Then it waits
 * for every accepted job to finish and checks, job by job through the API, that each one
 * SUCCEEDED, ran exactly once (one attempt, one RUNNING event) and has its one result.
 */
public final class LoadTest {
    /** What to run. */
    public record Settings(double rate, int seconds, int imageSize, Duration drainTimeout) {
        /** The defaults of issue 8: 200 submissions/s for 60 s, 8x8 images, 10 minutes to drain. */
        public static Settings defaults() {
            return new Settings(200, 60, 8, Duration.ofMinutes(10));
        }
    }

    private LoadTest() {}

    /**
     * Runs the load and the check.
     *
     * @param api the api (operator token at least)
     * @param modelId the model every submission names (the trivial model)
     * @param s what to run
     * @param log progress lines
     * @return the report: settings, submission latency percentiles, job latency, throughput, check
     */
    public static Map<String, Object> run(Api api, String modelId, Settings s, PrintStream log) throws Exception {
        int n = (int) Math.round(s.rate() * s.seconds());
        long period = (long) (1e9 / s.rate());
        byte[] png = TrivialModel.png(s.imageSize(), s.imageSize(), 1);
        Multipart form = new Multipart()
                .field("scale", "2")
                .field("modelId", modelId)
                .file("image", "load.png", "image/png", png);
        long[] intended = new long[n];
        long[] answered = new long[n];
        int[] status = new int[n];
        String[] ids = new String[n];
        Map<String, Integer> errors = new ConcurrentHashMap<>();
        AtomicInteger inFlight = new AtomicInteger();
        int maxInFlight = 0;
        List<CompletableFuture<?>> sends = new ArrayList<>(n);

        Map<String, Object> report = new LinkedHashMap<>();
        try (JobWatcher watcher = new JobWatcher(api)) {
            log.printf(
                    "submitting %d upscales at %.0f/s for %d s (%dx%d PNG, 2x, model %s)%n",
                    n, s.rate(), s.seconds(), s.imageSize(), s.imageSize(), modelId);
            long t0 = System.nanoTime() + 50_000_000;
            for (int i = 0; i < n; i++) {
                long at = t0 + i * period;
                long wait;
                while ((wait = at - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                intended[i] = at;
                int k = i;
                maxInFlight = Math.max(maxInFlight, inFlight.incrementAndGet());
                sends.add(api.postAsync("/api/upscale", form).whenComplete((r, e) -> {
                    answered[k] = System.nanoTime();
                    inFlight.decrementAndGet();
                    if (e != null) {
                        status[k] = -1;
                        errors.merge(e.getClass().getSimpleName() + ": " + e.getMessage(), 1, Integer::sum);
                    } else {
                        status[k] = r.statusCode();
                        if (r.statusCode() == 202) {
                            ids[k] = jobId(r);
                        } else {
                            errors.merge(r.statusCode() + " " + r.body(), 1, Integer::sum);
                        }
                    }
                }));
                if ((i + 1) % (int) Math.max(1, s.rate() * 10) == 0) {
                    log.printf(
                            "  %6d sent, %4d in flight, %6d finished%n",
                            i + 1, inFlight.get(), watcher.countFinished(accepted(ids)));
                }
            }
            long lastScheduled = t0 + (n - 1) * period;
            long sendLag = System.nanoTime() - lastScheduled;
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new))
                    .exceptionally(e -> null)
                    .get(2, TimeUnit.MINUTES);
            long submitEnd = 0;
            for (long a : answered) {
                submitEnd = Math.max(submitEnd, a);
            }
            List<String> accepted = accepted(ids);
            double[] latencyMs = new double[n];
            for (int i = 0; i < n; i++) {
                latencyMs[i] = (answered[i] - intended[i]) / 1e6;
            }
            Map<String, Object> submit = new LinkedHashMap<>();
            submit.put("planned", n);
            submit.put("accepted", accepted.size());
            submit.put("rejectedOrFailed", n - accepted.size());
            submit.put("errors", errors);
            submit.put("achievedRatePerSecond", Stats.round(n / ((submitEnd - t0) / 1e9)));
            submit.put("clientSendLagMs", Stats.round(sendLag / 1e6));
            submit.put("maxInFlight", maxInFlight);
            submit.put("latencyMs", Stats.summary(latencyMs));
            report.put(
                    "settings",
                    Map.of(
                            "rate",
                            s.rate(),
                            "seconds",
                            s.seconds(),
                            "imageSize",
                            s.imageSize(),
                            "scale",
                            2,
                            "modelId",
                            modelId));
            report.put("submissions", submit);
            log.printf(
                    "submitted: %d accepted of %d; api latency p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    accepted.size(),
                    n,
                    Stats.percentile(latencyMs, 50),
                    Stats.percentile(latencyMs, 99),
                    Stats.percentile(latencyMs, 100));

            // drain: wait for every accepted job to be seen finishing (live events), bounded in time
            long deadline = System.nanoTime() + s.drainTimeout().toNanos();
            int seen = 0;
            int ticks = 0;
            long lastProgress = System.nanoTime();
            while (System.nanoTime() < deadline) {
                int now = watcher.countFinished(accepted);
                if (now == accepted.size()) {
                    break;
                }
                if (now > seen) {
                    seen = now;
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(15) && nothingPending(api)) {
                    break;
                }
                Thread.sleep(1000);
                if (++ticks % 10 == 0) {
                    log.printf("  draining: %d of %d finished%n", now, accepted.size());
                }
            }
            long drained = System.nanoTime();
            log.printf("drained: %d of %d seen finishing%n", watcher.countFinished(accepted), accepted.size());
            report.put("drainSeconds", Stats.round((drained - submitEnd) / 1e9));
            report.put("check", verify(api, accepted, log));
            @SuppressWarnings("unchecked")
            Map<String, Object> check = (Map<String, Object>) report.get("check");
            double firstToLast = ((Number) check.remove("firstCreatedToLastFinishedSeconds")).doubleValue();
            report.put("throughputJobsPerSecond", Stats.round(accepted.size() / firstToLast));
        }
        return report;
    }

    private static double[] finishedOnly(double[] values, long[] finished) {
        int n = 0;
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            if (finished[i] > 0) {
                out[n++] = values[i];
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    private static boolean nothingPending(Api api) {
        try {
            return api.get("/api/jobs?type=UPSCALE&status=QUEUED&size=1")
                                    .path("total")
                                    .asLong()
                            == 0
                    && api.get("/api/jobs?type=UPSCALE&status=RUNNING&size=1")
                                    .path("total")
                                    .asLong()
                            == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static List<String> accepted(String[] ids) {
        List<String> out = new ArrayList<>();
        for (String id : ids) {
            if (id != null) {
                out.add(id);
            }
        }
        return out;
    }

    private static String jobId(HttpResponse<String> r) {
        try {
            return Api.JSON.readTree(r.body()).path("id").asText();
        } catch (IOException e) {
            return null;
        }
    }

    /** Reads every job and its history; counts the ones that are not "succeeded exactly once". */
    static Map<String, Object> verify(Api api, List<String> ids, PrintStream log) throws Exception {
        log.printf("checking %d jobs through the API ...%n", ids.size());
        Semaphore slots = new Semaphore(16);
        AtomicInteger succeeded = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger unfinished = new AtomicInteger();
        AtomicInteger missing = new AtomicInteger();
        AtomicInteger ranTwice = new AtomicInteger();
        AtomicInteger noResult = new AtomicInteger();
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        double[] e2eMs = new double[ids.size()];
        double[] waitMs = new double[ids.size()];
        long[] created = new long[ids.size()];
        long[] finished = new long[ids.size()];
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            slots.acquire();
            int k = i;
            String id = ids.get(i);
            CompletableFuture<HttpResponse<String>> job = api.getAsync("/api/jobs/" + id);
            CompletableFuture<HttpResponse<String>> events = api.getAsync("/api/jobs/" + id + "/events");
            all.add(job.thenCombine(events, (j, ev) -> {
                try {
                    if (j.statusCode() == 404) {
                        missing.incrementAndGet();
                        return null;
                    }
                    JsonNode v = Api.JSON.readTree(j.body());
                    String st = v.path("status").asText();
                    int runs = 0;
                    for (JsonNode e : Api.JSON.readTree(ev.body())) {
                        if ("RUNNING".equals(e.path("status").asText())) {
                            runs++;
                        }
                    }
                    if (v.path("attempts").asInt() != 1 || runs != 1) {
                        ranTwice.incrementAndGet();
                    }
                    switch (st) {
                        case "SUCCEEDED" -> {
                            succeeded.incrementAndGet();
                            if (v.path("result").isNull() || v.path("result").isMissingNode()) {
                                noResult.incrementAndGet();
                            }
                        }
                        case "FAILED", "CANCELLED" -> {
                            failed.incrementAndGet();
                            failures.merge(st + ": " + v.path("error").asText(), 1, Integer::sum);
                        }
                        default -> unfinished.incrementAndGet();
                    }
                    if (!v.path("finishedAt").isNull() && !v.path("finishedAt").isMissingNode()) {
                        long c = OffsetDateTime.parse(v.path("createdAt").asText())
                                .toInstant()
                                .toEpochMilli();
                        long s = OffsetDateTime.parse(v.path("startedAt").asText())
                                .toInstant()
                                .toEpochMilli();
                        long f = OffsetDateTime.parse(v.path("finishedAt").asText())
                                .toInstant()
                                .toEpochMilli();
                        created[k] = c;
                        finished[k] = f;
                        e2eMs[k] = f - c;
                        waitMs[k] = s - c;
                    }
                } catch (IOException e) {
                    failures.merge("unreadable answer: " + e.getMessage(), 1, Integer::sum);
                } finally {
                    slots.release();
                }
                return null;
            }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        long first = Long.MAX_VALUE;
        long last = 0;
        for (int i = 0; i < ids.size(); i++) {
            if (finished[i] > 0) {
                first = Math.min(first, created[i]);
                last = Math.max(last, finished[i]);
            }
        }
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("jobs", ids.size());
        check.put("succeeded", succeeded.get());
        check.put("failedOrCancelled", failed.get());
        check.put("notFinished", unfinished.get());
        check.put("lost", missing.get());
        check.put("ranMoreThanOnce", ranTwice.get());
        check.put("succeededWithoutResult", noResult.get());
        check.put("failures", failures);
        boolean exactlyOnce =
                succeeded.get() == ids.size() && ranTwice.get() == 0 && noResult.get() == 0 && missing.get() == 0;
        check.put("everyJobSucceededExactlyOnce", exactlyOnce);
        check.put("jobLatencyMs", Stats.summary(finishedOnly(e2eMs, finished)));
        check.put("queueWaitMs", Stats.summary(finishedOnly(waitMs, finished)));
        check.put("firstCreatedToLastFinishedSeconds", last > first ? (last - first) / 1000.0 : Double.NaN);
        log.printf(
                "check: %d succeeded, %d failed, %d unfinished, %d lost, %d ran more than once -> %s%n",
                succeeded.get(),
                failed.get(),
                unfinished.get(),
                missing.get(),
                ranTwice.get(),
                exactlyOnce ? "every job succeeded exactly once" : "NOT exactly once");
        return check;
    }
}
