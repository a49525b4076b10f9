package dev.srgan.networks.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.srgan.networks.image.RgbImage;
import dev.srgan.networks.model.Networks;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The bfloat16 generator computes the float32 one's function within bfloat16's rounding. Skipped,
 * with the reason, on CPUs without bfloat16 instructions.
 */
class Bf16GeneratorTest {

    private static void assumeBfloat16Cpu() {
        assumeTrue(
                Precision.cpuHasBfloat16(),
                "this CPU lists none of " + Precision.BFLOAT16_FLAGS
                        + " in /proc/cpuinfo: no bfloat16 kernels to test");
    }

    private static float[] pixelDifferences(NDArray a, NDArray b) {
        // on [0, 1] pixels: (y + 1) / 2
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        float max = 0;
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            float d = Math.abs(x[i] - y[i]) / 2;
            max = Math.max(max, d);
            sum += d;
        }
        return new float[] {max, (float) (sum / x.length)};
    }

    @Test
    void bfloat16GeneratorStaysWithinItsRoundingOfFloat32AtEveryScale() {
        assumeBfloat16Cpu();
        Networks.withoutGradientTracking();
        for (int scale : new int[] {2, 4, 8}) {
            try (NDManager manager = NDManager.newBaseManager()) {
                Block g = FoldedGeneratorTest.trainedLookingGenerator(manager, scale, 3, 40 + scale);
                NDArray x = manager.randomUniform(0, 1, new Shape(2, 3, 13, 10));
                try (FoldedGenerator folded = FoldedGenerator.fold(g, manager.newSubManager());
                        ScriptedGenerator bf16 =
                                ScriptedGenerator.of(folded, manager.newSubManager(), Precision.BFLOAT16)) {
                    assertEquals(scale, bf16.scale());
                    NDArray expected = folded.forward(x);
                    NDArray actual = bf16.forward(x);
                    assertEquals(expected.getShape(), actual.getShape());
                    float[] d = pixelDifferences(expected, actual);
                    System.out.printf("scale %d: bfloat16 vs float32, max %.5f, mean %.6f%n", scale, d[0], d[1]);
                    assertTrue(d[0] <= MAX_DIFFERENCE, "scale " + scale + ": max difference " + d[0]);
                    assertTrue(d[1] <= MEAN_DIFFERENCE, "scale " + scale + ": mean difference " + d[1]);
                    // bfloat16 really ran: its 8-bit mantissa moves the output
                    assertTrue(d[1] > 1e-5f, "scale " + scale + ": no difference from float32 at all");
                }
            }
        }
    }

    @Test
    void inFloat32TheModuleComputesTheFoldedGenerator() {
        // any CPU: the worker runs checkpoint generators through the module in float32 too
        Networks.withoutGradientTracking();
        for (int scale : new int[] {2, 4, 8}) {
            try (NDManager manager = NDManager.newBaseManager()) {
                Block g = FoldedGeneratorTest.trainedLookingGenerator(manager, scale, 3, 50 + scale);
                NDArray x = manager.randomUniform(0, 1, new Shape(2, 3, 13, 10));
                NDArray expected;
                ScriptedGenerator scripted;
                try (FoldedGenerator folded = FoldedGenerator.fold(g, manager.newSubManager())) {
                    expected = folded.forward(x);
                    scripted = ScriptedGenerator.of(folded, manager.newSubManager(), Precision.FLOAT32);
                }
                // the folded weights are gone, as the worker drops them: the module must own its copies
                System.gc();
                try (scripted) {
                    NDArray actual = scripted.forward(x);
                    assertEquals(expected.getShape(), actual.getShape());
                    float[] d = pixelDifferences(expected, actual);
                    // the same float32 products; PReLU's one pass rounds once where three steps round twice
                    assertTrue(d[0] <= 1e-5f, "scale " + scale + ": max difference " + d[0]);
                }
            }
        }
    }

    @Test
    void aPrecisionThatIsNotResolvedIsRefused() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block g = FoldedGeneratorTest.trainedLookingGenerator(manager, 2, 1, 7);
            try (FoldedGenerator folded = FoldedGenerator.fold(g, manager.newSubManager())) {
                assertThrows(
                        IllegalArgumentException.class,
                        () -> ScriptedGenerator.of(folded, manager.newSubManager(), Precision.AUTO));
            }
        }
    }

    @Test
    void upsamplingAPieceOfTheFeaturesWithItsRadiusGivesTheSamePixels() {
        assumeBfloat16Cpu();
        Networks.withoutGradientTracking();
        try (NDManager manager = NDManager.newBaseManager()) {
            Block g = FoldedGeneratorTest.trainedLookingGenerator(manager, 4, 1, 64);
            try (FoldedGenerator folded = FoldedGenerator.fold(g, manager.newSubManager());
                    ScriptedGenerator bf16 =
                            ScriptedGenerator.of(folded, manager.newSubManager(), Precision.BFLOAT16)) {
                NDArray features = bf16.features(manager.randomUniform(0, 1, new Shape(1, 3, 20, 20)));
                NDArray whole = bf16.upsample(features);
                int r = FoldedGenerator.UPSAMPLE_RADIUS;
                NDArray piece =
                        bf16.upsample(features.get(new NDIndex(":, :, {}:{}, {}:{}", 5 - r, 12 + r, 6 - r, 15 + r)));
                NDArray core = piece.get(new NDIndex(":, :, {}:{}, {}:{}", r * 4, (r + 7) * 4, r * 4, (r + 9) * 4));
                NDArray reference = whole.get(new NDIndex(":, :, 20:48, 24:60"));
                float[] d = pixelDifferences(reference, core);
                // the same bfloat16 products per pixel; only oneDNN's blocking of the sums may differ
                assertTrue(d[0] <= 2e-3f, "max difference " + d[0]);
            }
        }
    }

    @Test
    void tiledBfloat16UpscaleMatchesTheWholeImage() {
        assumeBfloat16Cpu();
        Networks.withoutGradientTracking();
        try (NDManager manager = NDManager.newBaseManager()) {
            Block g = FoldedGeneratorTest.trainedLookingGenerator(manager, 2, 2, 5);
            try (Upscaler upscaler = Upscaler.of(g, 2, 2, manager.newSubManager(), Precision.BFLOAT16)) {
                assertEquals(Precision.BFLOAT16, upscaler.precision());
                Random random = new Random(3);
                float[] data = new float[3 * 40 * 30];
                for (int i = 0; i < data.length; i++) {
                    data[i] = random.nextFloat();
                }
                RgbImage image = new RgbImage(40, 30, data, null);
                float[] whole = upscaler.withTiling(40, 1, upscaler.context())
                        .upscale(image, UpscaleListener.NONE)
                        .data();
                float[] tiled = upscaler.withTiling(16, 2, upscaler.context())
                        .upscale(image, UpscaleListener.NONE)
                        .data();
                int worst = 0;
                for (int i = 0; i < whole.length; i++) {
                    worst = Math.max(worst, Math.round(Math.abs(whole[i] - tiled[i]) * 255));
                }
                assertTrue(worst <= 1, "tiles differ from the whole image by " + worst + " levels");
            }
        }
    }

    @Test
    void precisionIsReadFromConfigurationAndResolvedByTheCpuFlags() {
        assertEquals(Precision.AUTO, Precision.parse("auto"));
        assertEquals(Precision.FLOAT32, Precision.parse(" Float32 "));
        assertEquals(Precision.BFLOAT16, Precision.parse("bfloat16"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Precision.parse("fp8"));
        assertTrue(e.getMessage().contains("auto, float32 or bfloat16"), e.getMessage());

        List<String> zen4 = List.of("avx2", "avx512f", "avx512_bf16");
        List<String> sapphireRapids = List.of("avx512f", "amx_bf16", "amx_tile");
        List<String> avx2Only = List.of("avx2", "fma");
        assertEquals(Precision.BFLOAT16, Precision.AUTO.resolve(zen4));
        assertEquals(Precision.BFLOAT16, Precision.AUTO.resolve(sapphireRapids));
        assertEquals(Precision.FLOAT32, Precision.AUTO.resolve(avx2Only));
        assertEquals(Precision.FLOAT32, Precision.FLOAT32.resolve(zen4));
        IllegalStateException refused =
                assertThrows(IllegalStateException.class, () -> Precision.BFLOAT16.resolve(avx2Only));
        assertTrue(refused.getMessage().contains("avx512_bf16"), refused.getMessage());
    }

    /**
     * Largest difference from float32 allowed on a [0, 1] pixel, 1.3 8-bit levels: bfloat16 keeps 8
     * significant bits (a relative rounding of 2^-9 per activation, through some 10 layers here);
     * measured on an AMD EPYC (avx512_bf16): 0.0012 at 2x, 0.0007 at 4x, 0.0005 at 8x.
     */
    private static final float MAX_DIFFERENCE = 0.005f;
    /** Mean difference allowed; measured 0.00008 to 0.00024. */
    private static final float MEAN_DIFFERENCE = 0.001f;
}
