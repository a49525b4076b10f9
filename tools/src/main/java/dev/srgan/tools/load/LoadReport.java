package dev.srgan.tools.load;

import java.util.Locale;
import java.util.Map;

/** The load report as a Markdown section (docs/load.md quotes one). */
public final class LoadReport {
    private LoadReport() {}

    /** Renders the report of {@link LoadTest#run}. */
    @SuppressWarnings("unchecked")
    public static String markdown(Map<String, Object> r) {
        Map<String, Object> settings = (Map<String, Object>) r.get("settings");
        Map<String, Object> sub = (Map<String, Object>) r.get("submissions");
        Map<String, Object> check = (Map<String, Object>) r.get("check");
        Map<String, Object> lat = (Map<String, Object>) sub.get("latencyMs");
        Map<String, Object> e2e = (Map<String, Object>) check.get("jobLatencyMs");
        Map<String, Object> wait = (Map<String, Object>) check.get("queueWaitMs");
        StringBuilder s = new StringBuilder();
        s.append(String.format(
                Locale.ROOT,
                "Load: %s submissions/s for %s s, %sx%s PNG, 2x trivial model, %s worker(s) online.%n%n",
                num(settings.get("rate")),
                settings.get("seconds"),
                settings.get("imageSize"),
                settings.get("imageSize"),
                r.getOrDefault("workersOnline", "?")));
        s.append("| measure | value |\n|---|---|\n");
        s.append(row("submissions planned / accepted (202)", sub.get("planned") + " / " + sub.get("accepted")));
        s.append(row("achieved submission rate", sub.get("achievedRatePerSecond") + " /s"));
        s.append(row("api latency p50 / p90 / p99 / p99.9 / max", pcts(lat) + " ms"));
        s.append(row("job latency, created -> finished, p50 / p90 / p99 / p99.9 / max", pcts(e2e) + " ms"));
        s.append(row("queue wait, created -> started, p50 / p90 / p99 / p99.9 / max", pcts(wait) + " ms"));
        s.append(row(
                "jobs per second, first created -> last finished", String.valueOf(r.get("throughputJobsPerSecond"))));
        s.append(row("drain after the last submission", r.get("drainSeconds") + " s"));
        s.append(row(
                "succeeded / failed / not finished / lost",
                check.get("succeeded") + " / " + check.get("failedOrCancelled") + " / " + check.get("notFinished")
                        + " / " + check.get("lost")));
        s.append(row(
                "ran more than once / succeeded without a result",
                check.get("ranMoreThanOnce") + " / " + check.get("succeededWithoutResult")));
        s.append(row("every job succeeded exactly once", String.valueOf(check.get("everyJobSucceededExactlyOnce"))));
        Map<String, Object> errors = (Map<String, Object>) sub.get("errors");
        if (errors != null && !errors.isEmpty()) {
            s.append(row("submission errors", errors.toString().replace("|", "/")));
        }
        return s.toString();
    }

    private static String pcts(Map<String, Object> m) {
        return m.get("p50") + " / " + m.get("p90") + " / " + m.get("p99") + " / " + m.get("p99.9") + " / "
                + m.get("max");
    }

    private static String num(Object o) {
        double d = ((Number) o).doubleValue();
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    private static String row(String k, String v) {
        return "| " + k + " | " + v + " |\n";
    }
}
