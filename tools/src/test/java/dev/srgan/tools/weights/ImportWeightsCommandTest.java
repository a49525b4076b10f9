package dev.srgan.tools.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.srgan.networks.checkpoint.Checkpoint;
import dev.srgan.networks.model.Generator;
import dev.srgan.networks.model.Networks;
import dev.srgan.networks.model.TorchWeights;
import dev.srgan.networks.training.TrainingConfig;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./srgan import-weights}: a generator's weights, written as named tensors in state_dict
 * order (what train_gpu.py writes), come back as a model file with exactly those parameters; and
 * {@code --export-from} is its inverse.
 */
class ImportWeightsCommandTest {

    @TempDir
    Path dir;

    private static Block generator(NDManager manager, int scale, int blocks, long seed) {
        Block g = Generator.builder().scale(scale).residualBlocks(blocks).build();
        Networks.initialize(g, manager, new Shape(1, 3, 16, 16), seed);
        return g;
    }

    @Test
    void importedWeightsAreTheGeneratorsExactlyAndExportIsTheInverse() throws Exception {
        Path weights = dir.resolve("g.bin");
        byte[] expected;
        try (NDManager manager = NDManager.newBaseManager()) {
            Block g = generator(manager, 2, 2, 7);
            expected = Networks.saveParameters(g);
            try (OutputStream out = Files.newOutputStream(weights)) {
                TorchWeights.write(g, out);
            }
        }
        TrainingConfig config =
                TrainingConfig.builder().scale(2).residualBlocks(2).build();
        Checkpoint model = ImportWeightsCommand.importWeights(weights, config, 1234, "pixel-l1");
        assertTrue(model.isGeneratorOnly());
        assertEquals(1234, model.step());
        assertEquals("pixel-l1", model.contentLoss());
        assertArrayEquals(expected, model.generatorParameters(), "the same parameters, BatchNorm statistics included");

        Path file = dir.resolve("model.srgan.zip");
        Files.write(file, model.toBytes());
        Path exported = dir.resolve("back.bin");
        ImportWeightsCommand.exportWeights(file, exported);
        assertArrayEquals(Files.readAllBytes(weights), Files.readAllBytes(exported), "export is the inverse of import");
        Checkpoint reread = Checkpoint.read(new ByteArrayInputStream(Files.readAllBytes(file)));
        assertEquals(2, reread.config().scale());
    }

    @Test
    void weightsOfAnotherScaleAreRefusedWithTheReason() throws Exception {
        Path weights = dir.resolve("x4.bin");
        try (NDManager manager = NDManager.newBaseManager();
                OutputStream out = Files.newOutputStream(weights)) {
            TorchWeights.write(generator(manager, 4, 1, 1), out);
        }
        TrainingConfig x2 = TrainingConfig.builder().scale(2).residualBlocks(1).build();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> ImportWeightsCommand.importWeights(weights, x2, 0, "pixel-l1"));
        assertTrue(e.getMessage().contains("another architecture"), e.getMessage());
    }
}
