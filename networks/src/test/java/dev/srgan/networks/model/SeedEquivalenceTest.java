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
import ai.djl.training.ParameterStore;
import dev.srgan.networks.NamedTensors;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The DJL generator, given the weights of the seed article's PyTorch Generator (scale 2, 2
 * residual blocks, BatchNorm statistics and PReLU slopes randomized), reproduces PyTorch's output.
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
            NDArray y = g.forward(new ParameterStore(manager, false), new NDList(x), false).singletonOrThrow();
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
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TorchWeights.load(deeper, weights));
            assertTrue(e.getMessage().contains("another architecture"), e.getMessage());
        }
    }
}
