package dev.srgan.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srgan.networks.bench.Bench;
import dev.srgan.tools.Api;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * {@code ./srgan bench}: in one run, the compute benchmark of the networks module (the engine's
 * matmul ceiling, generator inference, the tiled path and a training step, each as a ratio to that
 * ceiling) and the queue benchmark ({@link QueueBench}, on a cluster it starts). Prints the table and
 * writes bench.json, bench.png (the chart) and benchmarks.md into {@code --out} (target/bench);
 * {@code --publish} also puts the table and the chart into docs/benchmarks.md and docs/benchmarks.png.
 * {@code --quick}: small sizes, a smoke run. {@code --no-queue}: the compute part only;
 * {@code --no-compute}: the queue part only. {@code --publish} (whole runs only) updates
 * docs/benchmarks.md and its chart.
 */
public final class BenchCommand {
    private BenchCommand() {}

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        boolean queue = true;
        boolean compute = true;
        boolean publish = false;
        boolean profile = false;
        Path home =
                Path.of(System.getProperty("srgan.home", ".")).toAbsolutePath().normalize();
        Path out = home.resolve("target/bench");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--no-queue" -> queue = false;
                case "--no-compute" -> compute = false;
                case "--publish" -> publish = true;
                case "--profile" -> profile = true;
                case "--out" -> {
                    if (i + 1 >= args.length) {
                        fail("--out needs a directory");
                    }
                    out = Path.of(args[++i]).toAbsolutePath();
                }
                default ->
                    fail(
                            "unknown option " + args[i]
                                    + "; usage: ./srgan bench [--quick] [--profile] [--no-queue | --no-compute] [--publish] [--out DIR]");
            }
        }
        if (!queue && !compute) {
            fail("--no-queue and --no-compute leave nothing to measure");
        }
        if (publish && (!queue || !compute || quick)) {
            fail("--publish needs the whole run: leave out --quick, --no-queue and --no-compute");
        }
        Files.createDirectories(out);
        ObjectNode report = Api.JSON.createObjectNode();
        report.put("at", Instant.now().toString());
        report.put("quick", quick);
        if (compute) {
            System.out.println("compute: matmul ceiling, generator inference, tiled upscale, training step ...");
            report.set("compute", Api.JSON.valueToTree(Bench.run(quick, profile)));
        }
        if (queue) {
            report.set("queue", Api.JSON.valueToTree(QueueBench.run(home, quick, System.out)));
        }
        String md = BenchReport.markdown(report);
        System.out.println();
        System.out.print(md);
        Api.JSON
                .copy()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(out.resolve("bench.json").toFile(), report);
        BenchReport.chart(report, out.resolve("bench.png"));
        Files.writeString(out.resolve("benchmarks.md"), md);
        System.out.println("wrote " + out.resolve("bench.json") + ", bench.png and benchmarks.md");
        if (publish) {
            Path docs = home.resolve("docs");
            BenchReport.publish(md, docs.resolve("benchmarks.md"));
            Files.copy(
                    out.resolve("bench.png"),
                    docs.resolve("benchmarks.png"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            System.out.println("updated docs/benchmarks.md and docs/benchmarks.png");
        }
    }

    static JsonNode row(JsonNode report, String prefix) {
        for (JsonNode r : report.path("compute").path("rows")) {
            if (r.path("name").asText().startsWith(prefix)) {
                return r;
            }
        }
        return null;
    }

    private static void fail(String message) {
        System.err.println("srgan: " + message);
        System.exit(2);
    }
}
