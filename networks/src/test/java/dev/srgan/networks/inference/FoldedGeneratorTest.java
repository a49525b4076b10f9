package dev.srgan.networks.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.srgan.networks.NamedTensors;
import dev.srgan.networks.model.Discriminator;
import dev.srgan.networks.model.Generator;
import dev.srgan.networks.model.Networks;
import dev.srgan.networks.model.TorchWeights;
import java.nio.FloatBuffer;
import java.util.Iterator;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FoldedGeneratorTest {

    /**
     * A generator with random weights and non-trivial BatchNorm statistics and PReLU slopes (some
     * above 1, some negative), as training leaves them.
     */
    static Block trainedLookingGenerator(NDManager manager, int scale, int blocks, long seed) {
        Block g = Generator.builder().scale(scale).residualBlocks(blocks).build();
        Networks.initialize(g, manager, new Shape(1, 3, 8, 8), seed);
        Random random = new Random(seed);
        for (Pair<String, Parameter> p : g.getParameters()) {
            NDArray array = p.getValue().getArray();
            float[] v = new float[Math.toIntExact(array.getShape().size())];
            float low;
            float high;
            switch (p.getValue().getName()) {
                case "gamma" -> {
                    low = 0.5f;
                    high = 1.5f;
                }
                case "beta" -> {
                    low = -0.2f;
                    high = 0.2f;
                }
                case "runningMean" -> {
                    low = -0.3f;
                    high = 0.3f;
                }
                case "runningVar" -> {
                    low = 0.3f;
                    high = 2f;
                }
                case "alpha" -> {
                    low = -0.3f;
                    high = 1.3f;
                }
                default -> {
                    continue;
                }
            }
            for (int i = 0; i < v.length; i++) {
                v[i] = low + (high - low) * random.nextFloat();
            }
            array.set(FloatBuffer.wrap(v));
        }
        return g;
    }

    private static float maxPixelDifference(NDArray a, NDArray b) {
        // on [0, 1] pixels: (y + 1) / 2
        return a.sub(b).abs().max().getFloat() / 2;
    }

    @Test
    void foldedGeneratorGivesTheSameImageAsTheGeneratorAtEveryScale() {
        Networks.withoutGradientTracking();
        for (int scale : new int[] {2, 4, 8}) {
            try (NDManager manager = NDManager.newBaseManager()) {
                Block g = trainedLookingGenerator(manager, scale, 3, 40 + scale);
                NDArray x = manager.randomUniform(0, 1, new Shape(2, 3, 13, 10));
                NDArray expected = Networks.inferenceForward(g, x, new ParameterStore(manager, false));
                try (FoldedGenerator folded = FoldedGenerator.fold(g, manager.newSubManager())) {
                    assertEquals(scale, folded.scale());
                    NDArray actual = folded.forward(x);
                    assertEquals(expected.getShape(), actual.getShape());
                    float diff = maxPixelDifference(expected, actual);
                    assertTrue(diff <= 1e-4f, "scale " + scale + ": max difference " + diff);
                    // not a trivial match of saturated outputs
                    assertTrue(expected.abs().lt(0.9f).sum().getLong() > expected.size() / 2, "outputs saturated");
                }
            }
        }
    }

    @Test
    void foldedFullSizeGeneratorMatchesWithin1e4() {
        Networks.withoutGradientTracking();
        try (NDManager manager = NDManager.newBaseManager()) {
            Block g = trainedLookingGenerator(manager, 4, 16, 7);
            NDArray x = manager.randomUniform(0, 1, new Shape(1, 3, 24, 20));
            NDArray expected = Networks.inferenceForward(g, x, new ParameterStore(manager, false));
            try (FoldedGenerator folded = FoldedGenerator.fold(g, manager.newSubManager())) {
                float diff = maxPixelDifference(expected, folded.forward(x));
                assertTrue(diff <= 1e-4f, "max difference " + diff);
            }
        }
    }

    @Test
    void upsamplingAPieceOfTheFeaturesWithItsRadiusGivesTheSamePixels() {
        Networks.withoutGradientTracking();
        for (int scale : new int[] {2, 4, 8}) {
            try (NDManager manager = NDManager.newBaseManager()) {
                Block g = trainedLookingGenerator(manager, scale, 1, 60 + scale);
                try (FoldedGenerator folded = FoldedGenerator.fold(g, manager.newSubManager())) {
                    NDArray x = manager.randomUniform(0, 1, new Shape(1, 3, 20, 20));
                    NDArray features = folded.features(x);
                    NDArray whole = folded.upsample(features);
                    // the piece [5, 12) x [6, 15) read with the radius around it
                    int r = FoldedGenerator.UPSAMPLE_RADIUS;
                    NDArray piece = folded.upsample(
                            features.get(new NDIndex(":, :, {}:{}, {}:{}", 5 - r, 12 + r, 6 - r, 15 + r)));
                    NDArray core = piece.get(
                            new NDIndex(":, :, {}:{}, {}:{}", r * scale, (r + 7) * scale, r * scale, (r + 9) * scale));
                    NDArray reference =
                            whole.get(new NDIndex(":, :, {}:{}, {}:{}", 5 * scale, 12 * scale, 6 * scale, 15 * scale));
                    float diff = maxPixelDifference(reference, core);
                    assertTrue(diff <= 1e-5f, "scale " + scale + ": max difference " + diff);
                }
            }
        }
    }

    @Test
    void foldedSeedGeneratorReproducesPyTorchsOutput() throws Exception {
        // the seed article's PyTorch Generator (scale 2, 2 blocks, randomized BatchNorm statistics)
        Map<String, TorchWeights.Tensor> ref =
                NamedTensors.readResource("/torchscript/seed-generator-x2-reference.bin");
        Networks.withoutGradientTracking();
        try (NDManager manager = NDManager.newBaseManager()) {
            Block g = Generator.builder().scale(2).residualBlocks(2).build();
            Networks.initialize(g, manager, new Shape(1, 3, 20, 20), 0);
            Iterator<TorchWeights.Tensor> weights = ref.entrySet().stream()
                    .filter(e -> !e.getKey().equals("input") && !e.getKey().equals("output"))
                    .map(Map.Entry::getValue)
                    .iterator();
            for (Pair<String, Parameter> p : g.getParameters()) {
                p.getValue().getArray().set(FloatBuffer.wrap(weights.next().data()));
            }
            TorchWeights.Tensor input = ref.get("input");
            try (FoldedGenerator folded = FoldedGenerator.fold(g, manager.newSubManager())) {
                float[] actual = folded.forward(manager.create(input.data(), new Shape(input.shape())))
                        .toFloatArray();
                float[] expected = ref.get("output").data();
                float max = 0;
                for (int i = 0; i < expected.length; i++) {
                    max = Math.max(max, Math.abs(expected[i] - actual[i]));
                }
                assertTrue(max <= 1e-4f, "max |folded - PyTorch| " + max);
            }
        }
    }

    @Test
    void otherBlocksAreRefused() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block d = Discriminator.builder().build();
            Networks.initialize(d, manager, new Shape(1, 3, 32, 32), 1);
            assertThrows(IllegalArgumentException.class, () -> FoldedGenerator.fold(d, manager.newSubManager()));
        }
    }
}
