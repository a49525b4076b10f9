package dev.srgan.networks.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.srgan.networks.NamedTensors;
import dev.srgan.networks.SyntheticImages;
import dev.srgan.networks.image.Images;
import dev.srgan.networks.image.RgbImage;
import dev.srgan.networks.model.Generator;
import dev.srgan.networks.model.Networks;
import dev.srgan.networks.model.TorchWeights;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class UpscalerTest {

    private static Upscaler randomGenerator(int scale, int blocks, long seed) {
        NDManager manager = NDManager.newBaseManager();
        Block g = Generator.builder().scale(scale).residualBlocks(blocks).build();
        Networks.initialize(g, manager, new Shape(1, 3, 16, 16), seed);
        return Upscaler.of(g, scale, blocks, manager);
    }

    private static int maxChannelDifference(BufferedImage a, BufferedImage b) {
        assertEquals(a.getWidth(), b.getWidth());
        assertEquals(a.getHeight(), b.getHeight());
        int max = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int shift = 0; shift <= 24; shift += 8) {
                    max = Math.max(max, Math.abs(((p >> shift) & 0xff) - ((q >> shift) & 0xff)));
                }
            }
        }
        return max;
    }

    @Test
    void tiledOutputOf256ImageMatchesWholeImageWithinOneLevel() {
        BufferedImage input = SyntheticImages.image(256, 256, 3);
        try (Upscaler upscaler = randomGenerator(4, 2, 11)) {
            BufferedImage whole = upscaler.withTiling(256, 1, 0).upscale(input);
            List<int[]> progress = new ArrayList<>();
            BufferedImage tiled = upscaler.withTiling(64, 3, upscaler.context())
                    .upscale(input, (done, total) -> progress.add(new int[] {done, total}));
            assertEquals(1024, tiled.getWidth());
            assertTrue(maxChannelDifference(whole, tiled) <= 1, "tiles must not show");
            assertEquals(16, progress.get(progress.size() - 1)[0]);
            assertEquals(16, progress.get(0)[1]);
        }
    }

    @Test
    void unevenTilesOfDifferentWindowSizesMatchWholeImageWithinOneLevel() {
        // 150 x 90 in tiles of at most 64: cores of 50 x 45, windows of four sizes, batched by three
        BufferedImage input = SyntheticImages.image(150, 90, 5);
        try (Upscaler upscaler = randomGenerator(2, 2, 13)) {
            BufferedImage whole = upscaler.withTiling(150, 1, 0).upscale(input);
            List<int[]> progress = new ArrayList<>();
            BufferedImage tiled = upscaler.withTiling(64, 3, upscaler.context())
                    .upscale(input, (done, total) -> progress.add(new int[] {done, total}));
            assertTrue(maxChannelDifference(whole, tiled) <= 1, "tiles must not show");
            assertEquals(6, progress.get(progress.size() - 1)[0]);
            assertEquals(6, progress.get(0)[1]);
        }
    }

    @Test
    void tilesWithoutContextShowSeams() {
        BufferedImage input = SyntheticImages.image(96, 96, 4);
        try (Upscaler upscaler = randomGenerator(2, 2, 12)) {
            BufferedImage whole = upscaler.withTiling(96, 1, 0).upscale(input);
            BufferedImage seams = upscaler.withTiling(32, 1, 0).upscale(input);
            assertTrue(maxChannelDifference(whole, seams) > 1, "the context is what removes seams");
        }
    }

    @Test
    void torchScriptSeedGeneratorUpscalesLikePyTorch() throws Exception {
        Map<String, TorchWeights.Tensor> ref =
                NamedTensors.readResource("/torchscript/seed-generator-x2-reference.bin");
        TorchWeights.Tensor input = ref.get("input");
        float[] expected = ref.get("output").data();
        try (Upscaler upscaler =
                Upscaler.fromTorchScript(NamedTensors.resourcePath("/torchscript/seed-generator-x2.pt"), 2)) {
            RgbImage lr = new RgbImage(20, 20, input.data(), null);
            RgbImage sr =
                    upscaler.withTiling(12, 2, 14).withoutSmallImagePadding().upscale(lr, UpscaleListener.NONE);
            assertEquals(40, sr.width());
            float max = 0;
            for (int i = 0; i < expected.length; i++) {
                max = Math.max(max, Math.abs((expected[i] + 1) / 2 - sr.data()[i]));
            }
            assertTrue(max <= 0.5f / 255 + 1e-5f, "max difference " + max);
        }
    }

    @Test
    void aSmallImageIsUpscaledWithItsEdgeReplicatedAroundIt() {
        RgbImage small = RgbImage.from(SyntheticImages.image(20, 12, 8)); // 40x24 at 2x: under 128
        try (Upscaler upscaler = randomGenerator(2, 2, 13)) {
            Upscaler raw = upscaler.withoutSmallImagePadding();
            int p = Upscaler.SMALL_IMAGE_PADDING;
            RgbImage expected =
                    raw.upscale(small.edgePadded(p), UpscaleListener.NONE).crop(2 * p, 2 * p, 40, 24);
            RgbImage padded = upscaler.upscale(small, UpscaleListener.NONE);
            assertArrayEquals(expected.data(), padded.data());
            assertTrue(
                    maxChannelDifference(
                                    padded.toBufferedImage(),
                                    raw.upscale(small, UpscaleListener.NONE).toBufferedImage())
                            > 1,
                    "the padding changes the edges");

            RgbImage large = RgbImage.from(SyntheticImages.image(64, 70, 9)); // 128x140: left as it is
            assertArrayEquals(
                    raw.upscale(large, UpscaleListener.NONE).data(),
                    upscaler.upscale(large, UpscaleListener.NONE).data());
        }
    }

    @Test
    void alphaChannelIsUpscaledAndKept() throws Exception {
        BufferedImage rgb = SyntheticImages.image(40, 30, 5);
        BufferedImage argb = new BufferedImage(40, 30, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                int alpha = x < 20 ? 255 : 0;
                argb.setRGB(x, y, alpha << 24 | (rgb.getRGB(x, y) & 0xffffff));
            }
        }
        BufferedImage decoded = Images.decode(Images.png(argb));
        try (Upscaler upscaler = randomGenerator(2, 1, 13)) {
            BufferedImage out = upscaler.upscale(decoded);
            assertTrue(out.getColorModel().hasAlpha());
            assertEquals(255, out.getRGB(10, 30) >>> 24);
            assertEquals(0, out.getRGB(70, 30) >>> 24);
        }
    }

    @Test
    void jpegInputIsDecodedAndUpscaled() throws Exception {
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        ImageIO.write(SyntheticImages.image(24, 16, 6), "jpeg", jpeg);
        try (Upscaler upscaler = randomGenerator(4, 1, 14)) {
            BufferedImage out = upscaler.upscale(Images.decode(jpeg.toByteArray()));
            assertEquals(96, out.getWidth());
            assertEquals(64, out.getHeight());
        }
    }

    @Test
    void cancellingStopsBetweenTiles() {
        BufferedImage input = SyntheticImages.image(64, 64, 7);
        try (Upscaler upscaler = randomGenerator(2, 1, 15)) {
            int[] calls = {0};
            UpscaleListener cancelAfterFirst = new UpscaleListener() {
                @Override
                public void onProgress(int done, int total) {
                    calls[0]++;
                }

                @Override
                public boolean isCancelled() {
                    return calls[0] >= 1;
                }
            };
            assertThrows(
                    CancellationException.class,
                    () -> upscaler.withTiling(16, 1, 4).upscale(input, cancelAfterFirst));
            assertEquals(1, calls[0]);
        }
    }

    @Test
    void concurrentUpscalesThroughOneInstanceDoNotMixImages() throws Exception {
        BufferedImage a = SyntheticImages.image(48, 40, 8);
        BufferedImage b = SyntheticImages.image(40, 48, 9);
        try (Upscaler upscaler = randomGenerator(2, 1, 16)) {
            Upscaler tiled = upscaler.withTiling(16, 2, upscaler.context());
            BufferedImage expectedA = tiled.upscale(a);
            BufferedImage expectedB = tiled.upscale(b);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<BufferedImage> fa = pool.submit(() -> tiled.upscale(a));
                Future<BufferedImage> fb = pool.submit(() -> tiled.upscale(b));
                assertEquals(0, maxChannelDifference(expectedA, fa.get()));
                assertEquals(0, maxChannelDifference(expectedB, fb.get()));
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void mixedOutputsAreTheWeightedMeanOfTheTwoGeneratorsOutputs() {
        // 200 px high: the upsampling runs in pieces; two depths: the mix takes the larger context
        BufferedImage input = SyntheticImages.image(40, 200, 12);
        BufferedImage a;
        BufferedImage b;
        try (Upscaler first = randomGenerator(2, 1, 20);
                Upscaler second = randomGenerator(2, 2, 21)) {
            a = first.upscale(input);
            b = second.upscale(input);
        }
        for (double weight : new double[] {0, 0.3, 1}) {
            try (Upscaler mixed = Upscaler.mix(randomGenerator(2, 1, 20), randomGenerator(2, 2, 21), weight)) {
                assertEquals(Generator.receptiveRadius(2), mixed.context());
                BufferedImage out = mixed.upscale(input);
                int max = 0;
                for (int y = 0; y < out.getHeight(); y++) {
                    for (int x = 0; x < out.getWidth(); x++) {
                        for (int shift = 0; shift <= 16; shift += 8) {
                            double expected = (1 - weight) * ((a.getRGB(x, y) >> shift) & 0xff)
                                    + weight * ((b.getRGB(x, y) >> shift) & 0xff);
                            max = Math.max(max, (int)
                                    Math.ceil(Math.abs(((out.getRGB(x, y) >> shift) & 0xff) - expected)));
                        }
                    }
                }
                assertTrue(max <= 1, "weight " + weight + ": " + max + " levels from the mean of the two outputs");
            }
        }
        Upscaler twice = randomGenerator(2, 1, 20);
        Upscaler fourTimes = randomGenerator(4, 1, 20);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Upscaler.mix(twice, fourTimes, 0.5));
        assertTrue(e.getMessage().contains("2x with 4x"), e.getMessage()); // and closed both
    }

    @Test
    void fullSizeGeneratorUpscales96PixelImageBy4() {
        BufferedImage input = SyntheticImages.image(96, 96, 10);
        try (Upscaler upscaler = randomGenerator(4, 16, 17)) {
            long start = System.nanoTime();
            BufferedImage out = upscaler.upscale(input);
            double seconds = (System.nanoTime() - start) / 1e9;
            assertEquals(384, out.getWidth());
            System.out.printf("16-block generator, 96x96 -> 384x384: %.2f s%n", seconds);
        }
    }
}
