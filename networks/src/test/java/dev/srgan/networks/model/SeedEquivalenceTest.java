package dev.srgan.networks.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.srgan.networks.NamedTensors;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The DJL networks reproduce the seed article's PyTorch modules: the generator given the weights
 * of the seed's Generator (scale 2, 2 residual blocks, BatchNorm statistics and PReLU slopes
 * randomized), and the discriminator (weights from a formula both sides share).
 */
class SeedEquivalenceTest {

    @Test
    void djlGeneratorWithTheSeedsWeightsReproducesPyTorchsOutput() throws Exception {
        Map<String, TorchWeights.Tensor> ref =
                NamedTensors.readResource("/torchscript/seed-generator-x2-reference.bin");
        Map<String, TorchWeights.Tensor> weights = new LinkedHashMap<>(ref);
        weights.remove("input");
        weights.remove("output");
        try (NDManager manager = NDManager.newBaseManager()) {
            Block g = Generator.builder().scale(2).residualBlocks(2).build();
            Networks.initialize(g, manager, new Shape(1, 3, 20, 20), 0);
            // the path models trained on a GPU with PyTorch take into the cluster (./srgan import-weights)
            TorchWeights.load(g, weights);
            TorchWeights.Tensor input = ref.get("input");
            NDArray x = manager.create(input.data(), new Shape(input.shape()));
            NDArray y = g.forward(new ParameterStore(manager, false), new NDList(x), false)
                    .singletonOrThrow();
            float[] expected = ref.get("output").data();
            float[] actual = y.toFloatArray();
            assertArrayEquals(ref.get("output").shape(), y.getShape().getShape());
            float maxDiff = 0;
            for (int i = 0; i < expected.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
            }
            assertEquals(0f, maxDiff, 1e-4f, "max |DJL - PyTorch|");
        }
    }

    @Test
    void weightsOfAnotherArchitectureAreRefusedNamingTheEntry() throws Exception {
        Map<String, TorchWeights.Tensor> weights =
                new LinkedHashMap<>(NamedTensors.readResource("/torchscript/seed-generator-x2-reference.bin"));
        weights.remove("input");
        weights.remove("output");
        try (NDManager manager = NDManager.newBaseManager()) {
            Block deeper = Generator.builder().scale(2).residualBlocks(3).build();
            Networks.initialize(deeper, manager, new Shape(1, 3, 20, 20), 0);
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> TorchWeights.load(deeper, weights));
            assertTrue(e.getMessage().contains("another architecture"), e.getMessage());
        }
    }

    /** make_torchscript_fixtures.py's formula(): p in [0, 1) for the k-th tensor, n elements. */
    private static float[] formula(int k, int n) {
        float[] p = new float[n];
        for (int i = 0; i < n; i++) {
            p[i] = (float) Math.floorMod((long) i * 7919 + 31L * k, 1000) / 1000f;
        }
        return p;
    }

    /** set_formula_weights() of the fixture script, by DJL parameter name, in the state_dict's order. */
    private static void setFormulaWeights(Block block) {
        int k = 0;
        for (Pair<String, Parameter> pair : block.getParameters()) {
            NDArray array = pair.getValue().getArray();
            long[] shape = array.getShape().getShape();
            float[] p = formula(k, Math.toIntExact(array.size()));
            String name = pair.getValue().getName();
            for (int i = 0; i < p.length; i++) {
                p[i] = switch (name) {
                    case "weight" -> (2 * p[i] - 1) * (float) Math.sqrt(6.0 / (shape[1] * shape[2] * shape[3]));
                    case "bias" -> 0.1f * (2 * p[i] - 1);
                    case "gamma", "runningVar" -> 0.5f + p[i];
                    case "beta", "runningMean" -> 0.2f * p[i] - 0.1f;
                    default -> throw new IllegalStateException("unexpected parameter " + name);
                };
            }
            array.set(FloatBuffer.wrap(p));
            k++;
        }
    }

    /**
     * The DJL discriminator computes the seed's PyTorch Discriminator (its logits, before the seed's
     * final sigmoid), in eval mode and in training mode (BatchNorm on the batch's statistics, as in
     * a GAN step), with weights both sides build from one formula.
     */
    @Test
    void djlDiscriminatorReproducesTheSeedsPyTorchDiscriminator() throws Exception {
        Map<String, TorchWeights.Tensor> ref =
                NamedTensors.readResource("/torchscript/seed-discriminator-reference.bin");
        try (NDManager manager = NDManager.newBaseManager()) {
            Block d = Discriminator.builder().build();
            Networks.initialize(d, manager, new Shape(1, 3, 32, 32), 0);
            setFormulaWeights(d);
            TorchWeights.Tensor input = ref.get("input");
            NDArray x = manager.create(input.data(), new Shape(input.shape()));
            for (String[] mode : new String[][] {{"output", "false"}, {"output-training", "true"}}) {
                float[] expected = ref.get(mode[0]).data();
                float[] actual = d.forward(
                                new ParameterStore(manager, false), new NDList(x), Boolean.parseBoolean(mode[1]))
                        .singletonOrThrow()
                        .toFloatArray();
                assertEquals(expected.length, actual.length);
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], actual[i], 1e-4f, mode[0] + " of image " + i);
                }
            }
        }
    }
}
