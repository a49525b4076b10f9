package dev.srgan.networks.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The DJL generator, given the weights of the seed article's PyTorch Generator (scale 2, 2
 * residual blocks, BatchNorm statistics and PReLU slopes randomized), reproduces PyTorch's output.
 */
class SeedEquivalenceTest {

    @Test
    void djlGeneratorWithTheSeedsWeightsReproducesPyTorchsOutput() throws Exception {
        Map<String, NamedTensors.Tensor> ref =
                NamedTensors.readResource("/torchscript/seed-generator-x2-reference.bin");
        List<NamedTensors.Tensor> weights = new ArrayList<>();
        ref.forEach((name, t) -> {
            if (!name.equals("input") && !name.equals("output")) {
                weights.add(t);
            }
        });
        try (NDManager manager = NDManager.newBaseManager()) {
            Block g = Generator.builder().scale(2).residualBlocks(2).build();
            Networks.initialize(g, manager, new Shape(1, 3, 20, 20), 0);
            List<Parameter> params = new ArrayList<>();
            for (Pair<String, Parameter> p : g.getParameters()) {
                params.add(p.getValue());
            }
            assertEquals(weights.size(), params.size(), "the seed's state_dict entries map one to one");
            for (int i = 0; i < params.size(); i++) {
                NDArray array = params.get(i).getArray();
                assertArrayEquals(weights.get(i).shape(), array.getShape().getShape(), params.get(i).getName());
                array.set(FloatBuffer.wrap(weights.get(i).data()));
            }
            NamedTensors.Tensor input = ref.get("input");
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
}
