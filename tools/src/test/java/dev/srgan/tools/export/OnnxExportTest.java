package dev.srgan.tools.export;

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
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.srgan.networks.checkpoint.Checkpoint;
import dev.srgan.networks.export.DjlParameters;
import dev.srgan.networks.export.OnnxExport;
import dev.srgan.networks.model.Generator;
import dev.srgan.networks.model.Networks;
import java.io.ByteArrayInputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ONNX export, run in ONNX Runtime (its Java API), computes what DJL computes: for generators
 * at 2x, 4x and 8x (BatchNorm statistics and PReLU slopes randomized, so every parameter counts),
 * on inputs of two sizes through one file (dynamic height and width), largest difference 1e-4;
 * and for the shipped 4x model.
 */
class OnnxExportTest {

    private static void randomize(Block g, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (Pair<String, Parameter> p : g.getParameters()) {
            String name = p.getValue().getName();
            NDArray a = p.getValue().getArray();
            float[] v = a.toFloatArray();
            for (int i = 0; i < v.length; i++) {
                switch (name) {
                    case "gamma", "runningVar" -> v[i] = (float) (0.5 + random.nextDouble());
                    case "beta", "runningMean" -> v[i] = (float) (random.nextDouble() * 0.2 - 0.1);
                    case "alpha" -> v[i] = (float) (0.05 + 0.4 * random.nextDouble());
                    default -> {}
                }
            }
            a.set(FloatBuffer.wrap(v));
        }
    }

    private static float[] djl(Block g, NDManager manager, float[] input, Shape shape) {
        NDArray y = g.forward(new ParameterStore(manager, false), new NDList(manager.create(input, shape)), false)
                .singletonOrThrow();
        return y.add(1f).div(2f).toFloatArray();
    }

    private static float[] onnx(byte[] model, float[] input, long[] shape) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions());
                OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
                OrtSession.Result r = session.run(Map.of("image", x))) {
            OnnxTensor y = (OnnxTensor) r.get(0);
            FloatBuffer out = y.getFloatBuffer();
            float[] values = new float[out.remaining()];
            out.get(values);
            return values;
        }
    }

    private static float maxDifference(float[] a, float[] b) {
        assertEquals(a.length, b.length, "same number of values");
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    private static float[] image(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextDouble();
        }
        return v;
    }

    @ParameterizedTest(name = "{0}x")
    @ValueSource(ints = {2, 4, 8})
    void theExportComputesWhatDjlComputes(int scale) throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block g = Generator.builder().scale(scale).residualBlocks(2).build();
            Networks.initialize(g, manager, new Shape(1, 3, 8, 8), scale);
            randomize(g, scale);
            byte[] model = OnnxExport.generator(DjlParameters.read(Networks.saveParameters(g)), scale, 2, "test");
            for (int[] size : new int[][] {{9, 7}, {16, 20}}) {
                float[] input = image(2 * 3 * size[0] * size[1], size[0]);
                float[] expected = djl(g, manager, input, new Shape(2, 3, size[0], size[1]));
                float[] actual = onnx(model, input, new long[] {2, 3, size[0], size[1]});
                float diff = maxDifference(expected, actual);
                assertTrue(diff <= 1e-4f, scale + "x at " + size[0] + "x" + size[1] + ": max |ONNX - DJL| = " + diff);
            }
        }
    }

    @Test
    void theShippedModelExportsAndRunsInOnnxRuntime() throws Exception {
        Path file = Path.of("..", "models", "srresnet-x4.srgan.zip");
        byte[] model = ExportCommand.export(file);
        Checkpoint cp = Checkpoint.read(new ByteArrayInputStream(Files.readAllBytes(file)));
        try (NDManager manager = NDManager.newBaseManager()) {
            Block g = Generator.builder()
                    .scale(4)
                    .residualBlocks(cp.config().residualBlocks())
                    .build();
            Networks.loadParameters(g, manager, cp.inferenceGeneratorParameters());
            float[] input = image(3 * 24 * 32, 4);
            float[] expected = djl(g, manager, input, new Shape(1, 3, 24, 32));
            float[] actual = onnx(model, input, new long[] {1, 3, 24, 32});
            assertEquals(3 * 96 * 128, actual.length, "4x the size");
            float diff = maxDifference(expected, actual);
            assertTrue(diff <= 1e-4f, "max |ONNX - DJL| = " + diff);
        }
    }

    @Test
    void parametersOfAnotherArchitectureAreRefused() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block g = Generator.builder().scale(2).residualBlocks(1).build();
            Networks.initialize(g, manager, new Shape(1, 3, 8, 8), 1);
            var parameters = DjlParameters.read(Networks.saveParameters(g));
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> OnnxExport.generator(parameters, 4, 1, "wrong"));
            assertTrue(e.getMessage().contains("another architecture"), e.getMessage());
            assertArrayEquals(new long[] {64, 3, 9, 9}, parameters.get(0).shape());
        }
    }
}
