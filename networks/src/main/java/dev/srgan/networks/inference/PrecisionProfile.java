package dev.srgan.networks.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.srgan.networks.model.Generator;
import dev.srgan.networks.model.Networks;
import java.util.Arrays;

/**
 * Times one convolution shape of the generator in float32 and in bfloat16, alternately, through
 * the same TorchScript code path ({@link ScriptedGenerator}'s module), for {@code ./srgan bench
 * --profile}: where bfloat16 gains and where it does not. Needs a CPU with bfloat16 instructions.
 */
public final class PrecisionProfile implements AutoCloseable {

    /** Median milliseconds of one convolution in each precision. */
    public record ConvTimes(double float32Ms, double bfloat16Ms) {
        /** Returns float32's time over bfloat16's. */
        public double speedUp() {
            return float32Ms / bfloat16Ms;
        }
    }

    private final NDManager manager;
    private final ScriptedGenerator module;

    private PrecisionProfile(NDManager manager, ScriptedGenerator module) {
        this.manager = manager;
        this.module = module;
    }

    /** Loads the module (with a small generator's weights, which the timings do not use). */
    public static PrecisionProfile open() {
        Networks.withoutGradientTracking();
        NDManager manager = NDManager.newBaseManager();
        try {
            Block g = Generator.builder().scale(2).residualBlocks(1).build();
            Networks.initialize(g, manager, new Shape(1, 3, 8, 8), 1);
            try (FoldedGenerator folded = FoldedGenerator.fold(g, manager.newSubManager())) {
                return new PrecisionProfile(
                        manager, ScriptedGenerator.of(folded, manager.newSubManager(), Precision.BFLOAT16));
            }
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Times a k x k convolution from {@code in} to {@code out} channels on a side x side map, batch
     * 1, channels-last: each repeat runs it once and six times after one cast of its operands, in
     * float32 and then in bfloat16, and keeps a fifth of the difference.
     */
    public ConvTimes conv(int in, int out, int kernel, int side, int repeats) {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.randomUniform(-1, 1, new Shape(1, in, side, side));
            NDArray w = m.randomUniform(-0.1f, 0.1f, new Shape(out, in, kernel, kernel));
            NDArray b = m.zeros(new Shape(out));
            double[][] ms = new double[2][repeats];
            for (int p = 0; p < 2; p++) {
                module.repeatConv(x, w, b, p == 1, 2).close();
            }
            for (int r = 0; r < repeats; r++) {
                for (int p = 0; p < 2; p++) {
                    long t0 = System.nanoTime();
                    module.repeatConv(x, w, b, p == 1, 1).close();
                    long t1 = System.nanoTime();
                    module.repeatConv(x, w, b, p == 1, 6).close();
                    long t2 = System.nanoTime();
                    ms[p][r] = Math.max(0, (t2 - t1) - (t1 - t0)) / 1e6 / 5;
                }
            }
            return new ConvTimes(median(ms[0]), median(ms[1]));
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    @Override
    public void close() {
        module.close();
        manager.close();
    }
}
