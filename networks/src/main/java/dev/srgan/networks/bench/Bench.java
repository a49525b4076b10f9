package dev.srgan.networks.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.srgan.networks.NativeAllocator;
import dev.srgan.networks.inference.Precision;
import dev.srgan.networks.inference.PrecisionProfile;
import dev.srgan.networks.inference.Upscaler;
import dev.srgan.networks.model.Generator;
import dev.srgan.networks.model.Networks;
import dev.srgan.networks.training.StepTimes;
import dev.srgan.networks.training.TrainingConfig;
import dev.srgan.networks.training.TrainingRun;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * {@code ./srgan bench}: the machine's own compute ceiling (a large float32 matrix product through
 * the same engine) and, in the same run, the generator's inference and a full D+G training step,
 * each as median time, achieved GFLOP/s and ratio to the ceiling. Prints a table and writes JSON.
 * Options: {@code --json FILE}, {@code --quick} (small sizes, a smoke run). On a CPU with bfloat16
 * instructions it also runs the generator in bfloat16, alternately with float32 so that both see
 * the same machine ({@code "bfloat16"} in the report).
 */
public final class Bench {
    private Bench() {}

    /** One measured row. */
    public record Row(
            String name,
            double medianMs,
            double gflop,
            double gflops,
            double ratio,
            double ceilingGflops,
            double peakRssMb,
            String note) {}

    /** One layer of the generator's profile: its shape, how often the 4x generator runs it, and its time. */
    public record Layer(
            String name, int count, double medianMs, double gflop, double gflops, double ratio, double share) {}

    /** Runs every measurement and returns the report (ceiling, rows, environment). */
    public static Map<String, Object> run(boolean quick) throws Exception {
        return run(quick, false);
    }

    /**
     * Runs every measurement and returns the report (ceiling, rows, environment, the CPU's model and
     * flags); with {@code profile}, also each layer of the generator timed on its own
     * ({@code "profile"}), against the same ceiling.
     */
    public static Map<String, Object> run(boolean quick, boolean profile) throws Exception {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("cpu", cpuModel());
        report.put("cpuFlags", cpuFlags());
        report.put("allocator", NativeAllocator.describe());
        report.put(
                "engine",
                Engine.getInstance().getEngineName() + " "
                        + Engine.getInstance().getVersion());
        report.put("device", Engine.getInstance().defaultDevice().toString());
        report.put("cores", Runtime.getRuntime().availableProcessors());
        Networks.withoutGradientTracking();
        // PyTorch's intra-op threads (ai.djl.pytorch.num_threads, else one per core)
        report.put("threads", String.valueOf(JniUtils.getNumThreads()));
        int n = quick ? 512 : 2048;
        // Two matrix products through the engine: matmul (PyTorch's BLAS, MKL, which takes slower
        // paths on AMD CPUs) and the same product as a 1x1 convolution (oneDNN, which the network's
        // convolutions use). Each is measured at the start and again at the end of the run (the
        // speed of a shared machine drifts over minutes); the ceiling is the fastest median.
        int gemmChannels = quick ? 256 : 1024;
        int gemmSide = quick ? 32 : 64;
        int repeats = quick ? 3 : 7;
        double matmul = matmulCeiling(n, repeats);
        double conv = convGemmCeiling(gemmChannels, gemmSide, repeats);
        Ceiling ceiling = new Ceiling(n, gemmChannels, gemmSide, Math.max(matmul, conv));
        List<Row> rows = new ArrayList<>();
        int blocks = 16;
        int[] sizes = quick ? new int[] {32} : new int[] {64, 128, 256};
        try (NDManager manager = NDManager.newBaseManager()) {
            Block g = Generator.builder().scale(4).residualBlocks(blocks).build();
            Networks.initialize(g, manager, new Shape(1, 3, 16, 16), 1);
            try (Upscaler upscaler = Upscaler.of(g, 4, blocks, manager.newSubManager())) {
                for (int s : sizes) {
                    BufferedImage in = noise(s, s, s);
                    // whole image in one tile: the network's own speed
                    Upscaler whole = upscaler.withTiling(s, 1, upscaler.context());
                    double before = ceiling.sample();
                    double ms = median(quick ? 2 : 5, () -> whole.upscale(in));
                    double gflop = Flops.generator(s, s, 4, blocks) / 1e9;
                    rows.add(row(
                            "generator 4x " + s + "x" + s,
                            ms,
                            gflop,
                            ceiling.around(before),
                            "whole image in one tile: BatchNorm folded, channels-last, no gradients"));
                }
                if (Precision.cpuHasBfloat16()) {
                    report.put(
                            "bfloat16",
                            bfloat16Rows(
                                    g,
                                    upscaler,
                                    blocks,
                                    quick ? new int[] {32} : new int[] {128, 256},
                                    quick ? 48 : 512,
                                    quick ? 2 : 9,
                                    ceiling,
                                    rows));
                }
                // the generator's own blocks (Networks.inferenceForward), for comparison with the folded copy
                int s = quick ? 32 : 128;
                try (NDManager reference = manager.newSubManager()) {
                    NDArray x = reference.randomUniform(0, 1, new Shape(1, 3, s, s));
                    double before = ceiling.sample();
                    double ms = median(3, () -> {
                        try (NDManager pass = reference.newSubManager()) {
                            Networks.inferenceForward(g, x, new ParameterStore(pass, false))
                                    .toFloatArray();
                        }
                    });
                    rows.add(row(
                            "generator 4x " + s + "x" + s + " reference",
                            ms,
                            Flops.generator(s, s, 4, blocks) / 1e9,
                            ceiling.around(before),
                            "the generator's own DJL blocks, BatchNorm not folded, no tiling"));
                }
                int big = quick ? 96 : 1024;
                BufferedImage in = noise(big, big, 7);
                double before = ceiling.sample();
                double ms = median(1, () -> upscaler.upscale(in));
                double gflop = Flops.generator(big, big, 4, blocks) / 1e9;
                rows.add(row(
                        "generator 4x " + big + "x" + big + " tiled",
                        ms,
                        gflop,
                        ceiling.around(before),
                        "near-equal tiles of at most " + Upscaler.DEFAULT_TILE_SIZE
                                + " px + context " + upscaler.context()
                                + " towards neighbours (GFLOP counts the output only)"));
            }
        }
        int batch = quick ? 2 : 16;
        int crop = quick ? 32 : 96;
        List<BufferedImage> images = List.of(noise(crop * 2, crop * 2, 1), noise(crop * 2, crop * 2, 2));
        List<StepTimes> ganTimes = new ArrayList<>();
        int steps = quick ? 2 : 5;
        try (TrainingRun run = trainingRun(blocks, batch, crop, false, images)) {
            rows.add(trainingRow(
                    "training D+G step",
                    run,
                    Flops.ganStep(batch, crop, 4, blocks),
                    batch,
                    crop,
                    steps,
                    ceiling,
                    ganTimes));
        }
        // the SRResNet phase (pre-training): G alone on pixel MSE
        try (TrainingRun run = trainingRun(blocks, batch, crop, true, images)) {
            rows.add(trainingRow(
                    "training SRResNet step (G alone, pixel MSE)",
                    run,
                    Flops.pretrainStep(batch, crop, 4, blocks),
                    batch,
                    crop,
                    steps,
                    ceiling,
                    new ArrayList<>()));
        }
        List<Layer> layers = null;
        if (profile) {
            ceiling.sample();
            layers = profile(quick ? 32 : 128, blocks, quick ? 3 : 7);
            ceiling.sample();
        }
        if (profile && Precision.cpuHasBfloat16()) {
            report.put("profileBfloat16", profileBfloat16(quick ? 32 : 128, blocks, quick ? 3 : 7));
        }
        double matmulEnd = matmulCeiling(n, repeats);
        double convEnd = convGemmCeiling(gemmChannels, gemmSide, repeats);
        ceiling.add(Math.max(matmulEnd, convEnd));
        double highest = ceiling.highest();
        report.put("ceilingGflops", highest);
        report.put(
                "ceilingRuns",
                Map.of(
                        "matmulStart",
                        matmul,
                        "matmulEnd",
                        matmulEnd,
                        "convGemmStart",
                        conv,
                        "convGemmEnd",
                        convEnd,
                        "lowestSample",
                        ceiling.lowest(),
                        "samples",
                        ceiling.count()));
        report.put(
                "ceilingNote",
                String.format(
                        Locale.ROOT,
                        "float32 matrix product, the fastest median of: %dx%d matmul %.0f / %.0f GFLOP/s (start / end of the run),"
                                + " the same product as a 1x1 convolution (%d channels, %dx%d) %.0f / %.0f, and %d samples"
                                + " of both taken around the rows (lowest %.0f); every ratio is to the fastest",
                        n,
                        n,
                        matmul,
                        matmulEnd,
                        gemmChannels,
                        gemmSide,
                        gemmSide,
                        conv,
                        convEnd,
                        ceiling.count(),
                        ceiling.lowest()));
        // every ratio is to the run's fastest sample: a row measured in a slow minute reads low, never
        // high (the samples beside a row, shown with it, are noisier than the rows themselves)
        List<Row> ratioed = new ArrayList<>();
        for (Row r : rows) {
            ratioed.add(new Row(
                    r.name(),
                    r.medianMs(),
                    r.gflop(),
                    r.gflops(),
                    r.gflops() / highest,
                    r.ceilingGflops(),
                    r.peakRssMb(),
                    r.note()));
        }
        report.put("rows", ratioed);
        if (profile) {
            report.put("trainingProfile", trainingProfile(ganTimes, batch, crop, blocks, highest));
        }
        if (layers != null) {
            List<Layer> measured = new ArrayList<>();
            for (Layer l : layers) {
                measured.add(new Layer(
                        l.name(), l.count(), l.medianMs(), l.gflop(), l.gflops(), l.gflops() / highest, l.share()));
            }
            report.put("profile", measured);
        }
        return report;
    }

    /** Times {@code steps} steps of a run after one warm-up step, keeping each step's parts in {@code times}. */
    private static Row trainingRow(
            String what,
            TrainingRun run,
            double flop,
            int batch,
            int crop,
            int steps,
            Ceiling ceiling,
            List<StepTimes> times) {
        run.step();
        double before = ceiling.sample();
        double ms = median(steps, () -> {
            run.step();
            times.add(run.lastStepTimes());
        });
        return row(
                what + ", batch " + batch + ", " + crop + "x" + crop + " HR",
                ms,
                flop / 1e9,
                ceiling.around(before),
                String.format(Locale.ROOT, "%.1f samples/s", batch * 1000.0 / ms));
    }

    private static TrainingRun trainingRun(
            int blocks, int batch, int crop, boolean pretrain, List<BufferedImage> images) throws IOException {
        TrainingConfig config = TrainingConfig.builder()
                .scale(4)
                .residualBlocks(blocks)
                .batchSize(batch)
                .hrCropSize(crop)
                .pretrainSteps(pretrain ? 1000 : 0)
                .ganSteps(pretrain ? 0 : 1000)
                .validateEvery(1_000_000)
                .checkpointEvery(1_000_000)
                .build();
        return TrainingRun.builder(config)
                .trainingImages(images)
                .validationImages(images.subList(0, 1))
                .build();
    }

    /**
     * The GAN step's parts (medians over the timed steps), each with its FLOP count and its share of
     * the step: what {@code --profile} shows for training.
     */
    static List<Layer> trainingProfile(List<StepTimes> times, int batch, int crop, int blocks, double ceiling) {
        int lr = crop / 4;
        double g = batch * Flops.generator(lr, lr, 4, blocks) / 1e9;
        double d = batch * Flops.discriminator(crop) / 1e9;
        double total = median(times.stream().mapToDouble(StepTimes::totalMs).toArray());
        double[] ms = {
            median(times.stream().mapToDouble(StepTimes::generatorForwardMs).toArray()),
            median(times.stream().mapToDouble(StepTimes::discriminatorMs).toArray()),
            median(times.stream().mapToDouble(StepTimes::generatorMs).toArray()),
            median(times.stream()
                    .mapToDouble(t -> t.discriminatorAdamMs() + t.generatorAdamMs())
                    .toArray())
        };
        String[] names = {
            "G forward on the LR batch",
            "D's half: D on HR and on G(LR), forward and backward",
            "G's half: D on G(LR) forward, backward through D's input and G",
            "Adam updates of D and G"
        };
        double[] gflop = {g, 6 * d, 2 * d + 2 * g, 0};
        List<Layer> parts = new ArrayList<>();
        double sum = 0;
        for (int i = 0; i < ms.length; i++) {
            sum += ms[i];
            double gflops = gflop[i] > 0 ? gflop[i] / ms[i] * 1000 : 0;
            parts.add(new Layer(names[i], 1, ms[i], gflop[i], gflops, gflops / ceiling, ms[i] / total));
        }
        double rest = Math.max(0, total - sum);
        parts.add(new Layer("everything else (the batch, EMA, losses read back)", 1, rest, 0, 0, 0, rest / total));
        double all = Flops.ganStep(batch, crop, 4, blocks) / 1e9;
        parts.add(new Layer("the whole step", 1, total, all, all / total * 1000, all / total * 1000 / ceiling, 1));
        return parts;
    }

    /**
     * The generator in bfloat16 against float32 on whole-image tiles, the two timed alternately (one
     * float32 call, one bfloat16 call, {@code repeats} times) so that a shared machine's drift hits
     * both alike: adds a "bf16" row per size (its ratio is to the float32 ceiling), and one for a
     * {@code tiledSize} image through the default tiling, and returns the medians and speed-ups.
     */
    static List<Map<String, Object>> bfloat16Rows(
            Block g,
            Upscaler float32,
            int blocks,
            int[] sizes,
            int tiledSize,
            int repeats,
            Ceiling ceiling,
            List<Row> rows) {
        List<Map<String, Object>> result = new ArrayList<>();
        // the owner manager only ties the bfloat16 weights' lifetime to the upscaler's
        try (Upscaler bfloat16 = Upscaler.of(g, 4, blocks, NDManager.newBaseManager(), Precision.BFLOAT16)) {
            for (int s : sizes) {
                BufferedImage in = noise(s, s, s);
                Upscaler f = float32.withTiling(s, 1, float32.context());
                Upscaler b = bfloat16.withTiling(s, 1, bfloat16.context());
                b.upscale(in);
                double before = ceiling.sample();
                double[][] ms = new double[2][repeats];
                for (int r = 0; r < repeats; r++) {
                    ms[0][r] = median(1, () -> f.upscale(in));
                    ms[1][r] = median(1, () -> b.upscale(in));
                }
                double f32 = median(ms[0]);
                double bf16 = median(ms[1]);
                // the median of each pair's ratio: a pair's two calls see the same machine
                double[] pairs = new double[repeats];
                for (int r = 0; r < repeats; r++) {
                    pairs[r] = ms[0][r] / ms[1][r];
                }
                double speedUp = median(pairs);
                double gflop = Flops.generator(s, s, 4, blocks) / 1e9;
                rows.add(row(
                        "generator 4x " + s + "x" + s + " bf16",
                        bf16,
                        gflop,
                        ceiling.around(before),
                        String.format(
                                Locale.ROOT,
                                "bfloat16 convolutions, float32 in and out: %.2fx float32 (median ratio of %d float32/bfloat16 pairs;"
                                        + " float32 median %.1f ms)",
                                speedUp,
                                repeats,
                                f32)));
                result.add(Map.of("size", s, "float32Ms", f32, "bfloat16Ms", bf16, "speedUp", speedUp));
            }
            // the worker's path: default tiles, upsampling in pieces (each piece a call into the module)
            int s = tiledSize;
            BufferedImage in = noise(s, s, 11);
            int pairs = Math.max(1, repeats / 3);
            double[][] ms = new double[2][pairs];
            double[] ratio = new double[pairs];
            double before = ceiling.sample();
            for (int r = 0; r < pairs; r++) {
                ms[0][r] = median(1, () -> float32.upscale(in));
                ms[1][r] = median(1, () -> bfloat16.upscale(in));
                ratio[r] = ms[0][r] / ms[1][r];
            }
            double bf16 = median(ms[1]);
            rows.add(row(
                    "generator 4x " + s + "x" + s + " tiled bf16",
                    bf16,
                    Flops.generator(s, s, 4, blocks) / 1e9,
                    ceiling.around(before),
                    String.format(
                            Locale.ROOT,
                            "default tiles (%d px), upsampled piece by piece: %.2fx float32 (median ratio of %d pairs;"
                                    + " float32 median %.1f ms)",
                            float32.tileSize(),
                            median(ratio),
                            pairs,
                            median(ms[0]))));
            result.add(Map.of(
                    "size",
                    s,
                    "tiled",
                    true,
                    "float32Ms",
                    median(ms[0]),
                    "bfloat16Ms",
                    bf16,
                    "speedUp",
                    median(ratio)));
        }
        return result;
    }

    /** Each convolution shape of the 4x generator at an s x s input, in float32 and in bfloat16 (see {@link PrecisionProfile}). */
    static List<Map<String, Object>> profileBfloat16(int s, int blocks, int repeats) {
        List<Map<String, Object>> result = new ArrayList<>();
        try (PrecisionProfile p = PrecisionProfile.open()) {
            for (LayerShape l : layerShapes(s, blocks)) {
                PrecisionProfile.ConvTimes t = p.conv(l.in(), l.out(), l.kernel(), l.side(), repeats);
                double gflop = 2.0 * l.in() * l.out() * l.kernel() * l.kernel() * l.side() * l.side() / 1e9;
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", l.name() + " at " + l.side() + "x" + l.side());
                row.put("count", l.count());
                row.put("float32Ms", t.float32Ms());
                row.put("bfloat16Ms", t.bfloat16Ms());
                row.put("float32Gflops", gflop / (t.float32Ms() / 1000.0));
                row.put("bfloat16Gflops", gflop / (t.bfloat16Ms() / 1000.0));
                row.put("speedUp", t.speedUp());
                result.add(row);
            }
        }
        return result;
    }

    /** A convolution shape of the generator: how often the 4x generator runs it, and where. */
    record LayerShape(String name, int count, int in, int out, int kernel, int side) {}

    /** The 4x generator's convolutions at an s x s input, as {@code FoldedGenerator} runs them. */
    static List<LayerShape> layerShapes(int s, int blocks) {
        return List.of(
                new LayerShape("conv 9x9 3->64", 1, 3, 64, 9, s),
                new LayerShape("conv 3x3 64->64 (residual blocks, trunk)", 2 * blocks + 1, 64, 64, 3, s),
                new LayerShape("conv 3x3 64->256 (upsample 1)", 1, 64, 256, 3, s),
                new LayerShape("conv 3x3 64->256 (upsample 2)", 1, 64, 256, 3, 2 * s),
                // FoldedGenerator runs the output conv9x9 64->3 at 4s as this conv on the sub-pixel grid
                new LayerShape("conv 5x5 256->12 (the output conv9x9, sub-pixel)", 1, 256, 12, 5, 2 * s));
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /**
     * The 4x generator's layers at an s x s input, each timed on its own as {@code FoldedGenerator}
     * runs them (BatchNorm folded, channels-last float32, the output conv9x9 rewritten as a conv5x5
     * on the sub-pixel grid): the convolutions by shape, then what the whole forward pass spends
     * beyond them (PReLU, the residual adds, pixel shuffle, tanh, layout copies, the image's
     * conversion in and out).
     */
    static List<Layer> profile(int s, int blocks, int repeats) throws Exception {
        List<LayerShape> shapes = layerShapes(s, blocks);
        List<Layer> layers = new ArrayList<>();
        double convMs = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            for (LayerShape l : shapes) {
                NDArray x = Networks.channelsLast(m.randomUniform(-1, 1, new Shape(1, l.in(), l.side(), l.side())));
                NDArray w = Networks.channelsLast(
                        m.randomUniform(-0.1f, 0.1f, new Shape(l.out(), l.in(), l.kernel(), l.kernel())));
                NDArray b = m.zeros(new Shape(l.out()));
                int pad = l.kernel() / 2;
                // not read back: PyTorch's CPU ops return when done, and copying a channels-last
                // output into a Java array (64 MB for the second upsampling conv) costs more than
                // some of the convolutions
                Work conv = () -> Conv2d.conv2d(x, w, b, new Shape(1, 1), new Shape(pad, pad), new Shape(1, 1), 1)
                        .close();
                conv.run();
                double ms = median(repeats, conv);
                double gflop = 2.0 * l.in() * l.out() * l.kernel() * l.kernel() * l.side() * l.side() / 1e9;
                convMs += ms * l.count();
                layers.add(new Layer(
                        l.name() + " at " + l.side() + "x" + l.side(),
                        l.count(),
                        ms,
                        gflop * l.count(),
                        gflop / (ms / 1000.0),
                        0,
                        0));
            }
            Block g = Generator.builder().scale(4).residualBlocks(blocks).build();
            Networks.initialize(g, m, new Shape(1, 3, 16, 16), 1);
            try (Upscaler upscaler = Upscaler.of(g, 4, blocks, m.newSubManager())) {
                BufferedImage in = noise(s, s, s);
                Upscaler whole = upscaler.withTiling(s, 1, upscaler.context());
                whole.upscale(in);
                double totalMs = median(repeats, () -> whole.upscale(in));
                List<Layer> shared = new ArrayList<>();
                for (Layer l : layers) {
                    shared.add(new Layer(
                            l.name(),
                            l.count(),
                            l.medianMs(),
                            l.gflop(),
                            l.gflops(),
                            0,
                            l.medianMs() * l.count() / totalMs));
                }
                shared.add(new Layer(
                        "everything else (PReLU, adds, pixel shuffles, tanh, the upsampling pieces' overlap, image in and out)",
                        1,
                        Math.max(0, totalMs - convMs),
                        0,
                        0,
                        0,
                        Math.max(0, totalMs - convMs) / totalMs));
                shared.add(new Layer(
                        "the whole generator, one tile",
                        1,
                        totalMs,
                        Flops.generator(s, s, 4, blocks) / 1e9,
                        Flops.generator(s, s, 4, blocks) / 1e9 / (totalMs / 1000.0),
                        0,
                        1));
                return shared;
            }
        }
    }

    /** The CPU's model name (/proc/cpuinfo), or "unknown". */
    static String cpuModel() {
        return cpuInfo("model name").orElse("unknown");
    }

    /** The CPU flags that decide the convolution paths: AVX2, FMA, AVX-512 and its BF16/VNNI, AMX. */
    static List<String> cpuFlags() {
        return cpuInfo("flags")
                .map(f -> Arrays.stream(f.split("\\s+"))
                        .filter(x -> x.equals("avx2")
                                || x.equals("fma")
                                || x.startsWith("avx512")
                                || x.startsWith("amx")
                                || x.equals("avx_vnni"))
                        .sorted()
                        .toList())
                .orElse(List.of());
    }

    private static java.util.Optional<String> cpuInfo(String key) {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith(key) && line.contains(":")) {
                    return java.util.Optional.of(
                            line.substring(line.indexOf(':') + 1).trim());
                }
            }
        } catch (Exception ignored) {
            // not Linux
        }
        return java.util.Optional.empty();
    }

    static Row row(String name, double ms, double gflop, double ceiling, String note) {
        double gflops = gflop / (ms / 1000.0);
        return new Row(name, ms, gflop, gflops, gflops / ceiling, ceiling, peakRssMb(), note);
    }

    /**
     * The engine's float32 matrix-product speed, sampled around each measurement. A shared
     * machine's speed drifts by 10-20% over minutes; the samples record that drift beside each row,
     * and the run's ceiling is the fastest of them all, so that a row is never compared with a
     * slow minute's ceiling (a short sample can read low on its own: every ratio would then read
     * high).
     */
    static final class Ceiling {
        private final int n;
        private final int channels;
        private final int side;
        private final List<Double> samples = new ArrayList<>();

        Ceiling(int n, int channels, int side, double first) {
            this.n = n;
            this.channels = channels;
            this.side = side;
            samples.add(first);
        }

        /**
         * Measures both products now (5 repeats each) and returns the faster median. A full
         * collection first, so that the JVM's collector (whose threads share the cores with
         * PyTorch's) does not run during the sample after a measurement that allocated much.
         */
        double sample() {
            System.gc();
            double c = Math.max(matmulCeiling(n, 5), convGemmCeiling(channels, side, 5));
            samples.add(c);
            return c;
        }

        /** Samples again after a measurement and returns the faster of that and {@code before}. */
        double around(double before) {
            return Math.max(before, sample());
        }

        void add(double measured) {
            samples.add(measured);
        }

        double highest() {
            return samples.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        }

        double lowest() {
            return samples.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        }

        int count() {
            return samples.size();
        }
    }

    /** Median GFLOP/s of an n x n float32 matrix product on the engine's default device. */
    static double matmulCeiling(int n, int repeats) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.randomUniform(-1, 1, new Shape(n, n));
            NDArray b = m.randomUniform(-1, 1, new Shape(n, n));
            a.matMul(b).close();
            double ms = median(repeats, () -> {
                try (NDArray c = a.matMul(b)) {
                    c.toFloatArray();
                }
            });
            return 2.0 * n * n * n / 1e9 / (ms / 1000.0);
        }
    }

    /**
     * Median GFLOP/s of a (c x c) by (c x s*s) float32 matrix product run as a 1x1 convolution
     * (channels-last, as the generator runs), i.e. through oneDNN.
     */
    static double convGemmCeiling(int c, int s, int repeats) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = Networks.channelsLast(m.randomUniform(-1, 1, new Shape(1, c, s, s)));
            NDArray w = Networks.channelsLast(m.randomUniform(-1, 1, new Shape(c, c, 1, 1)));
            Work product = () -> {
                try (NDArray y = Conv2d.conv2d(x, w, null, new Shape(1, 1), new Shape(0, 0), new Shape(1, 1), 1)
                        .singletonOrThrow()) {
                    y.toFloatArray();
                }
            };
            product.run();
            double ms = median(repeats, product);
            return 2.0 * c * c * s * s / 1e9 / (ms / 1000.0);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    interface Work {
        void run() throws Exception;
    }

    static double median(int repeats, Work work) {
        double[] ms = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t = System.nanoTime();
            try {
                work.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        return repeats % 2 == 1 ? ms[repeats / 2] : (ms[repeats / 2 - 1] + ms[repeats / 2]) / 2;
    }

    /** Peak resident memory of this process so far (VmHWM), in MB; -1 where /proc is absent. */
    static double peakRssMb() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Double.parseDouble(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (Exception ignored) {
            // not Linux
        }
        return -1;
    }

    static BufferedImage noise(int w, int h, long seed) {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt(0x1000000));
            }
        }
        return img;
    }

    @SuppressWarnings("unchecked")
    static String table(Map<String, Object> report) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(
                Locale.ROOT,
                "engine %s on %s, %s cores; ceiling %.1f GFLOP/s (%s)%n",
                report.get("engine"),
                report.get("device"),
                report.get("cores"),
                (double) report.get("ceilingGflops"),
                report.get("ceilingNote")));
        s.append(String.format(
                Locale.ROOT,
                "%-46s %11s %9s %9s %8s %9s  %s%n",
                "measurement",
                "median ms",
                "GFLOP",
                "GFLOP/s",
                "ceiling",
                "peak RSS",
                "note"));
        for (Row r : (List<Row>) report.get("rows")) {
            s.append(String.format(
                    Locale.ROOT,
                    "%-46s %11.1f %9.2f %9.1f %7.0f%% %7.0f MB  %s%n",
                    r.name(),
                    r.medianMs(),
                    r.gflop(),
                    r.gflops(),
                    100 * r.ratio(),
                    r.peakRssMb(),
                    r.note()));
        }
        if (report.get("bfloat16") != null) {
            for (Map<String, Object> b : (List<Map<String, Object>>) report.get("bfloat16")) {
                s.append(String.format(
                        Locale.ROOT,
                        "bfloat16 at %sx%s: %.1f ms against float32's %.1f ms, %.2fx%n",
                        b.get("size"),
                        b.get("size"),
                        (double) b.get("bfloat16Ms"),
                        (double) b.get("float32Ms"),
                        (double) b.get("speedUp")));
            }
        }
        if (report.get("profile") != null) {
            s.append(String.format(
                    Locale.ROOT,
                    "%n%-70s %5s %9s %9s %8s %7s%n",
                    "layer (profile)",
                    "count",
                    "ms each",
                    "GFLOP/s",
                    "ceiling",
                    "share"));
            for (Layer l : (List<Layer>) report.get("profile")) {
                s.append(String.format(
                        Locale.ROOT,
                        "%-70s %5d %9.2f %9.1f %7.0f%% %6.0f%%%n",
                        l.name(),
                        l.count(),
                        l.medianMs(),
                        l.gflops(),
                        100 * l.ratio(),
                        100 * l.share()));
            }
        }
        if (report.get("profileBfloat16") != null) {
            s.append(String.format(
                    Locale.ROOT,
                    "%n%-70s %5s %10s %10s %8s%n",
                    "layer (profile, float32 vs bfloat16)",
                    "count",
                    "f32 ms",
                    "bf16 ms",
                    "speed-up"));
            for (Map<String, Object> l : (List<Map<String, Object>>) report.get("profileBfloat16")) {
                s.append(String.format(
                        Locale.ROOT,
                        "%-70s %5d %10.2f %10.2f %7.2fx%n",
                        l.get("name"),
                        (int) l.get("count"),
                        (double) l.get("float32Ms"),
                        (double) l.get("bfloat16Ms"),
                        (double) l.get("speedUp")));
            }
        }
        return s.toString();
    }
}
