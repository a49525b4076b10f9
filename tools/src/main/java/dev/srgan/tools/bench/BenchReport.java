package dev.srgan.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** The bench's Markdown table (with the issue's targets) and its chart. */
public final class BenchReport {
    /** docs/benchmarks.md keeps the generated table between these two lines. */
    static final String BEGIN = "<!-- bench:begin (written by ./srgan bench --publish) -->";

    static final String END = "<!-- bench:end -->";

    private BenchReport() {}

    /** One target, the issue that set it, and whether this run met it. */
    record Target(String what, int issue, String target, String measured, Boolean met) {}

    /**
     * The targets: issue 18's (ratios to this run's ceiling, on every CPU) and those of issue 7 that
     * it left standing (memory, the queue).
     */
    static List<Target> targets(JsonNode r) {
        List<Target> t = new ArrayList<>();
        double ceiling = r.path("compute").path("ceilingGflops").asDouble();
        for (String size : new String[] {"128x128", "256x256"}) {
            JsonNode row = BenchCommand.row(r, "generator 4x " + size);
            if (row != null) {
                double ratio = row.path("ratio").asDouble();
                t.add(new Target("generator inference " + size, 18, ">= 80% of ceiling", pct(ratio), ratio >= 0.8));
            }
        }
        JsonNode tiled = BenchCommand.row(r, "generator 4x 1024x1024 tiled");
        if (tiled != null) {
            double ratio = tiled.path("ratio").asDouble();
            t.add(new Target("tiled 1024x1024", 18, ">= 70% of ceiling", pct(ratio), ratio >= 0.7));
        }
        JsonNode train = BenchCommand.row(r, "training");
        if (train != null) {
            double ratio = train.path("ratio").asDouble();
            t.add(new Target("training D+G step", 18, ">= 65% of ceiling", pct(ratio), ratio >= 0.65));
        }
        JsonNode job = r.path("queue").path("latency128");
        double floor = ofFloor(job, ceiling);
        if (!Double.isNaN(floor)) {
            t.add(new Target(
                    "128x128 upscale job, end to end (" + job.path("precision").asText() + ")",
                    18,
                    ">= 0.7 of its FLOP floor",
                    String.format(Locale.ROOT, "%.2f", floor),
                    floor >= 0.7));
        }
        for (JsonNode b : r.path("compute").path("bfloat16")) {
            double speedUp = b.path("speedUp").asDouble();
            t.add(new Target(
                    "bfloat16 inference " + b.path("size").asInt() + "x"
                            + b.path("size").asInt() + (b.path("tiled").asBoolean() ? " tiled" : "")
                            + " (CPU with bfloat16; PSNR: see below)",
                    18,
                    ">= 2x float32",
                    String.format(Locale.ROOT, "%.2fx", speedUp),
                    speedUp >= 2));
        }
        if (tiled != null) {
            double rss = tiled.path("peakRssMb").asDouble();
            t.add(new Target(
                    "4096x4096 output, peak RSS",
                    7,
                    "<= 3 GB",
                    String.format(Locale.ROOT, "%.0f MB", rss),
                    rss <= 3072));
        }
        JsonNode q = r.path("queue");
        if (!q.isMissingNode()) {
            double pct = q.path("latency").path("overheadPercent").asDouble();
            t.add(new Target(
                    "queue overhead, 256x256 upscale",
                    7,
                    "<= 10% of model time",
                    String.format(
                            Locale.ROOT,
                            "%.1f%% (%.0f ms)",
                            pct,
                            q.path("latency").path("overheadMs").asDouble()),
                    pct <= 10));
            double two = q.path("trivial2Workers").path("jobsPerSecond").asDouble();
            t.add(new Target(
                    "trivial jobs, 2 workers",
                    7,
                    ">= 500 jobs/s",
                    String.format(Locale.ROOT, "%.1f jobs/s", two),
                    two >= 500));
        }
        return t;
    }

    /**
     * A job's FLOP floor: the time its model's FLOP would take at the run's float32 ceiling, divided
     * by the job's end-to-end time (1 = as fast as the ceiling allows with nothing else; above 1 where
     * the worker computes in bfloat16). NaN without a ceiling (--no-compute) or a FLOP count.
     */
    static double ofFloor(JsonNode latency, double ceilingGflops) {
        double gflop = latency.path("gflop").asDouble();
        double e2e = latency.path("endToEndMs").asDouble();
        if (ceilingGflops <= 0 || gflop <= 0 || e2e <= 0) {
            return Double.NaN;
        }
        return gflop / ceilingGflops * 1000 / e2e;
    }

    private static String floorNote(JsonNode latency, double ceilingGflops) {
        double f = ofFloor(latency, ceilingGflops);
        return Double.isNaN(f)
                ? ""
                : String.format(
                        Locale.ROOT,
                        "; %.2f GFLOP, FLOP floor %.0f ms at the ceiling: **%.2f of the floor**",
                        latency.path("gflop").asDouble(),
                        latency.path("gflop").asDouble() / ceilingGflops * 1000,
                        f);
    }

    /** Rows of a profile: the generator's layers (with their count) or a training step's parts (with GFLOP). */
    private static void appendParts(StringBuilder s, JsonNode parts, boolean layers) {
        for (JsonNode l : parts) {
            boolean rate = l.path("gflop").asDouble() > 0;
            String gflops =
                    rate ? String.format(Locale.ROOT, "%.1f", l.path("gflops").asDouble()) : "-";
            String ratio = rate
                    ? String.format(Locale.ROOT, "%.0f%%", 100 * l.path("ratio").asDouble())
                    : "-";
            s.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %.2f | %s | %s | %.0f%% |%n",
                    l.path("name").asText(),
                    layers
                            ? String.valueOf(l.path("count").asInt())
                            : String.format(
                                    Locale.ROOT, "%.1f", l.path("medianMs").asDouble()),
                    layers ? l.path("medianMs").asDouble() : l.path("gflop").asDouble(),
                    gflops,
                    ratio,
                    100 * l.path("share").asDouble()));
        }
    }

    /** The table of the run. */
    static String markdown(JsonNode r) {
        JsonNode c = r.path("compute");
        StringBuilder s = new StringBuilder();
        if (c.isMissingNode()) {
            s.append(String.format(
                    Locale.ROOT,
                    "Run of %s%s: queue only (--no-compute).%n",
                    r.path("at").asText(),
                    r.path("quick").asBoolean() ? " (--quick)" : ""));
        } else {
            s.append(String.format(
                    Locale.ROOT,
                    "Run of %s%s: %s on %s, %s cores (threads: %s). Ceiling: **%.1f GFLOP/s** (%s).%n%n",
                    r.path("at").asText(),
                    r.path("quick").asBoolean() ? " (--quick)" : "",
                    c.path("engine").asText(),
                    c.path("device").asText(),
                    c.path("cores").asText(),
                    c.path("threads").asText(),
                    c.path("ceilingGflops").asDouble(),
                    c.path("ceilingNote").asText()));
            if (c.has("cpu")) {
                s.append(String.format(
                        Locale.ROOT,
                        "CPU: %s; flags: %s. Allocator: %s.%n%n",
                        c.path("cpu").asText(),
                        joined(c.path("cpuFlags")),
                        c.path("allocator").asText("not recorded")));
            }
            s.append(
                    "| measurement | median ms | GFLOP | GFLOP/s | of ceiling | ceiling beside it | peak RSS | note |\n|---|---:|---:|---:|---:|---:|---:|---|\n");
            for (JsonNode row : c.path("rows")) {
                s.append(String.format(
                        Locale.ROOT,
                        "| %s | %.1f | %.2f | %.1f | %.0f%% | %.0f | %.0f MB | %s |%n",
                        row.path("name").asText(),
                        row.path("medianMs").asDouble(),
                        row.path("gflop").asDouble(),
                        row.path("gflops").asDouble(),
                        100 * row.path("ratio").asDouble(),
                        row.path("ceilingGflops").asDouble(),
                        row.path("peakRssMb").asDouble(),
                        row.path("note").asText()));
            }
        }
        if (c.has("profile")) {
            s.append(
                    "\n| layer (`--profile`) | count | ms each | GFLOP/s | of ceiling | share of the generator |\n|---|---:|---:|---:|---:|---:|\n");
            appendParts(s, c.path("profile"), true);
        }
        if (c.has("trainingProfile")) {
            s.append(
                    "\n| training D+G step, part (`--profile`) | ms | GFLOP | GFLOP/s | of ceiling | share of the step |\n|---|---:|---:|---:|---:|---:|\n");
            appendParts(s, c.path("trainingProfile"), false);
        }
        if (c.has("profileBfloat16")) {
            s.append(
                    "\n| layer (`--profile`), float32 against bfloat16 | count | float32 ms | bfloat16 ms | float32 GFLOP/s | bfloat16 GFLOP/s | speed-up |\n"
                            + "|---|---:|---:|---:|---:|---:|---:|\n");
            for (JsonNode l : c.path("profileBfloat16")) {
                s.append(String.format(
                        Locale.ROOT,
                        "| %s | %d | %.2f | %.2f | %.1f | %.1f | %.2fx |%n",
                        l.path("name").asText(),
                        l.path("count").asInt(),
                        l.path("float32Ms").asDouble(),
                        l.path("bfloat16Ms").asDouble(),
                        l.path("float32Gflops").asDouble(),
                        l.path("bfloat16Gflops").asDouble(),
                        l.path("speedUp").asDouble()));
            }
        }
        JsonNode q = r.path("queue");
        if (!q.isMissingNode()) {
            s.append("\n| queue | value |\n|---|---|\n");
            for (String k : new String[] {"latency", "latency128"}) {
                JsonNode l = q.path(k);
                if (l.isMissingNode()) {
                    continue;
                }
                s.append(String.format(
                        Locale.ROOT,
                        "| %s, median of %d | end to end %.0f ms; model %.0f ms (%s); worker total %.0f ms; overhead %.0f ms (%.1f%%)%s |%n",
                        l.path("name").asText(),
                        l.path("runs").asInt(),
                        l.path("endToEndMs").asDouble(),
                        l.path("modelMs").asDouble(),
                        l.path("precision").asText("precision not recorded"),
                        l.path("workerTotalMs").asDouble(),
                        l.path("overheadMs").asDouble(),
                        l.path("overheadPercent").asDouble(),
                        floorNote(l, r.path("compute").path("ceilingGflops").asDouble())));
            }
            for (String k : new String[] {"trivial1Worker", "trivial2Workers"}) {
                JsonNode t = q.path(k);
                StringBuilder cpu = new StringBuilder();
                if (t.has("cpuMsPerJob")) {
                    cpu.append(String.format(
                            Locale.ROOT,
                            "; CPU per job %.1f ms (",
                            t.path("cpuMsPerJobTotal").asDouble()));
                    List<String> parts = new ArrayList<>();
                    t.path("cpuMsPerJob")
                            .fields()
                            .forEachRemaining(e -> parts.add(String.format(
                                    Locale.ROOT,
                                    "%s %.1f",
                                    e.getKey(),
                                    e.getValue().asDouble())));
                    cpu.append(String.join(", ", parts))
                            .append(String.format(
                                    Locale.ROOT,
                                    "), %.2f cores busy",
                                    t.path("coresBusy").asDouble()));
                }
                s.append(String.format(
                        Locale.ROOT,
                        "| trivial jobs (8x8, 2x, 1-block model), %s | %d jobs in %.1f s: **%.1f jobs/s** (submissions alone %.1f/s), %d failed%s |%n",
                        k.equals("trivial1Worker") ? "1 worker" : "2 workers",
                        t.path("jobs").asInt(),
                        t.path("seconds").asDouble(),
                        t.path("jobsPerSecond").asDouble(),
                        t.path("submissionsPerSecond").asDouble(),
                        t.path("failed").asInt(),
                        cpu));
            }
            JsonNode shared = q.path("sharedHost");
            if (!shared.isMissingNode()) {
                double one = shared.path("oneWorker").path("seconds").asDouble();
                for (String k : new String[] {"oneWorker", "twoWorkers", "twoWorkersOversubscribed"}) {
                    JsonNode row = shared.path(k);
                    s.append(String.format(
                            Locale.ROOT,
                            "| %d concurrent 256x256 upscales, one host of %d cores: %s | %.1f s (%.2fx one worker's time), **%.1f jobs/min**; model time per job %.0f ms |%n",
                            shared.path("jobs").asInt(),
                            shared.path("cores").asInt(),
                            row.path("setup").asText(),
                            row.path("seconds").asDouble(),
                            row.path("seconds").asDouble() / one,
                            row.path("jobsPerMinute").asDouble(),
                            row.path("modelMsMedian").asDouble()));
                }
            }
        }
        s.append("\n| target | issue | wanted | this run | met |\n|---|---:|---|---|---|\n");
        for (Target t : targets(r)) {
            s.append("| ")
                    .append(t.what())
                    .append(" | ")
                    .append(t.issue())
                    .append(" | ")
                    .append(t.target())
                    .append(" | ")
                    .append(t.measured())
                    .append(" | ")
                    .append(t.met() ? "yes" : "**no**")
                    .append(" |\n");
        }
        return s.toString();
    }

    /** Replaces the generated part of docs/benchmarks.md (or appends it when the markers are absent). */
    static void publish(String md, Path page) throws IOException {
        String block = BEGIN + "\n" + md + END;
        String text = Files.isRegularFile(page) ? Files.readString(page) : "# Benchmarks\n\n";
        int b = text.indexOf(BEGIN);
        int e = text.indexOf(END);
        text = b >= 0 && e > b
                ? text.substring(0, b) + block + text.substring(e + END.length())
                : text + "\n" + block + "\n";
        Files.writeString(page, text);
    }

    /** Draws the chart: compute rows as a share of the ceiling, and trivial jobs per second. */
    static void chart(JsonNode r, Path png) throws IOException {
        int w = 1100;
        int h = 520;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
        Font bold = font.deriveFont(Font.BOLD, 15f);
        JsonNode c = r.path("compute");

        // left: each compute row as a fraction of the ceiling
        int x0 = 300;
        int x1 = 680;
        int y = 60;
        g.setColor(Color.DARK_GRAY);
        g.setFont(bold);
        g.drawString(
                String.format(
                        Locale.ROOT,
                        "Share of the ceiling (%.0f GFLOP/s, %s cores)",
                        c.path("ceilingGflops").asDouble(),
                        c.path("cores").asText()),
                20,
                30);
        g.setFont(font);
        List<JsonNode> rows = new ArrayList<>();
        c.path("rows").forEach(rows::add);
        int bar = Math.max(18, Math.min(40, 360 / Math.max(1, rows.size())));
        for (JsonNode row : rows) {
            double ratio = Math.max(0, row.path("ratio").asDouble());
            g.setColor(Color.DARK_GRAY);
            g.drawString(shorten(row.path("name").asText(), 40), 20, y + bar / 2 + 5);
            g.setColor(new Color(0x4C78A8));
            g.fillRect(x0, y, (int) ((x1 - x0) * Math.min(1, ratio)), bar - 6);
            g.setColor(Color.DARK_GRAY);
            g.drawString(
                    String.format(
                            Locale.ROOT,
                            "%.0f%%  (%.0f ms)",
                            100 * ratio,
                            row.path("medianMs").asDouble()),
                    x0 + (int) ((x1 - x0) * Math.min(1, ratio)) + 6,
                    y + bar / 2 + 3);
            y += bar;
        }
        g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
        for (double target : new double[] {0.3, 0.5}) {
            int tx = x0 + (int) ((x1 - x0) * target);
            g.setColor(new Color(0xE45756));
            g.drawLine(tx, 50, tx, y + 4);
            g.drawString(String.format(Locale.ROOT, "%.0f%% target", 100 * target), tx - 28, y + 20);
        }
        g.setStroke(new BasicStroke(1));
        g.setColor(Color.GRAY);
        g.drawLine(x0, 50, x0, y + 4);

        // right: trivial jobs per second with 1 and 2 workers, against the 500/s target
        JsonNode q = r.path("queue");
        int qx = 820;
        g.setColor(Color.DARK_GRAY);
        g.setFont(bold);
        g.drawString("Trivial jobs per second", qx - 20, 30);
        g.setFont(font);
        if (!q.isMissingNode()) {
            double one = q.path("trivial1Worker").path("jobsPerSecond").asDouble();
            double two = q.path("trivial2Workers").path("jobsPerSecond").asDouble();
            double max = Math.max(500, Math.max(one, two)) * 1.1;
            int base = 440;
            int top = 70;
            double[] v = {one, two};
            String[] label = {"1 worker", "2 workers"};
            for (int i = 0; i < 2; i++) {
                int bh = (int) ((base - top) * v[i] / max);
                int bx = qx + i * 110;
                g.setColor(new Color(0x72B7B2));
                g.fillRect(bx, base - bh, 70, bh);
                g.setColor(Color.DARK_GRAY);
                g.drawString(label[i], bx + 6, base + 18);
                g.drawString(String.format(Locale.ROOT, "%.0f/s", v[i]), bx + 12, base - bh - 6);
            }
            int ty = base - (int) ((base - top) * 500 / max);
            g.setColor(new Color(0xE45756));
            g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
            g.drawLine(qx - 10, ty, qx + 200, ty);
            g.drawString("500/s target", qx + 120, ty - 6);
            g.setStroke(new BasicStroke(1));
            g.setColor(Color.DARK_GRAY);
            JsonNode l = q.path("latency");
            g.drawString(
                    String.format(
                            Locale.ROOT,
                            "256x256 upscale: overhead %.0f ms = %.1f%% of model time",
                            l.path("overheadMs").asDouble(),
                            l.path("overheadPercent").asDouble()),
                    qx - 140,
                    base + 50);
        } else {
            g.drawString("(queue not measured: --no-queue)", qx - 20, 80);
        }
        g.setColor(Color.GRAY);
        g.drawString("./srgan bench, " + r.path("at").asText(), 20, h - 14);
        g.dispose();
        Files.createDirectories(png.toAbsolutePath().getParent());
        ImageIO.write(img, "png", png.toFile());
    }

    private static String shorten(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }

    private static String pct(double ratio) {
        return String.format(Locale.ROOT, "%.0f%%", 100 * ratio);
    }

    private static String joined(JsonNode array) {
        List<String> parts = new ArrayList<>();
        array.forEach(v -> parts.add(v.asText()));
        return parts.isEmpty() ? "none of AVX2, FMA, AVX-512, AMX" : String.join(" ", parts);
    }
}
