package dev.srgan.networks.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import dev.srgan.networks.model.Networks;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EmaTest {

    /** A 1x1 convolution from 2 to 3 channels: 6 weights and 3 biases. */
    private static Block tinyBlock() {
        return Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(3).build();
    }

    private static List<float[]> values(Block block) {
        List<float[]> result = new ArrayList<>();
        for (NDArray a : Networks.allArrays(block)) {
            result.add(a.toFloatArray());
        }
        return result;
    }

    private static void assertSameValues(List<float[]> expected, List<float[]> actual) {
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), 0f, "array " + i);
        }
    }

    /** Moves every weight of the source, as a training step would. */
    private static void train(Block source, float factor, float shift) {
        for (NDArray a : Networks.allArrays(source)) {
            a.muli(factor).addi(shift);
        }
    }

    /** decay * averaged + (1 - decay) * current, in float as the update computes it. */
    private static List<float[]> expectedAverage(List<float[]> averaged, List<float[]> current, float decay) {
        List<float[]> result = new ArrayList<>();
        for (int i = 0; i < averaged.size(); i++) {
            float[] avg = averaged.get(i);
            float[] cur = current.get(i);
            float[] next = new float[avg.length];
            for (int j = 0; j < avg.length; j++) {
                float part = cur[j] * (1f - decay);
                next[j] = avg[j] * decay + part;
            }
            result.add(next);
        }
        return result;
    }

    @Test
    void updateMovesTheAverageByTheFormulaAndLeavesTheSourceAlone() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block source = tinyBlock();
            Networks.initialize(source, manager, new Shape(1, 2, 1, 1), 3);
            Ema ema = Ema.of(source, tinyBlock(), null, 0.75, manager);
            List<float[]> start = values(source);
            assertSameValues(start, values(ema.averaged()));

            train(source, 2f, 0.5f);
            List<float[]> afterFirst = values(source);
            ema.update();
            List<float[]> expected = expectedAverage(start, afterFirst, 0.75f);
            assertSameValues(expected, values(ema.averaged()));
            assertSameValues(afterFirst, values(source));

            train(source, -1f, 0.25f);
            ema.update();
            assertSameValues(expectedAverage(expected, values(source), 0.75f), values(ema.averaged()));
        }
    }

    @Test
    void savedAverageRestoresInsteadOfTheSourceWeights() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block source = tinyBlock();
            Networks.initialize(source, manager, new Shape(1, 2, 1, 1), 3);
            Ema ema = Ema.of(source, tinyBlock(), null, 0.9, manager);
            train(source, 3f, 1f);
            ema.update();

            Ema restored = Ema.of(source, tinyBlock(), ema.save(), 0.9, manager);
            assertSameValues(values(ema.averaged()), values(restored.averaged()));
            train(source, 0.5f, -1f);
            ema.update();
            restored.update();
            assertSameValues(values(ema.averaged()), values(restored.averaged()));
        }
    }
}
