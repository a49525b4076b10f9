package dev.srgan.tools.blend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.networks.checkpoint.Checkpoint;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./srgan blend} on the shipped models: the 4x default with its real-photo fine-tune, not with SRGAN-MSE. */
class BlendCommandTest {
    private static final Path MODELS = Path.of("..", "models");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return BlendCommand.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static Checkpoint read(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return Checkpoint.read(in);
        }
    }

    @Test
    void theDefaultAndItsRealPhotoFineTuneBlendIntoAModelFile(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("half.srgan.zip");
        int status = run(
                "--model", MODELS.resolve("srresnet-x4.srgan.zip").toString(),
                "--with", MODELS.resolve("srresnet-x4-real.srgan.zip").toString(),
                "--weight", "0.5",
                "--out", target.toString());
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        assertTrue(
                out.toString(StandardCharsets.UTF_8)
                        .contains("0.500 x srresnet-x4.srgan.zip + 0.500 x"
                                + " srresnet-x4-real.srgan.zip (4x, 16 residual blocks)"),
                out.toString(StandardCharsets.UTF_8));
        Checkpoint expected = Checkpoint.blend(
                read(MODELS.resolve("srresnet-x4.srgan.zip")), read(MODELS.resolve("srresnet-x4-real.srgan.zip")), 0.5);
        Checkpoint written = read(target);
        assertTrue(written.isGeneratorOnly());
        assertArrayEquals(expected.inferenceGeneratorParameters(), written.inferenceGeneratorParameters());
        assertFalse(Files.exists(dir.resolve("half.srgan.zip.tmp")), "no partial file is left");
    }

    @Test
    void modelsTrainedApartAndABadWeightAreRefusedWithTheReason(@TempDir Path dir) {
        Path target = dir.resolve("noise.srgan.zip");
        assertEquals(
                1,
                run(
                        "--model", MODELS.resolve("srresnet-x4.srgan.zip").toString(),
                        "--with", MODELS.resolve("srgan-mse-x4.srgan.zip").toString(),
                        "--weight", "0.5",
                        "--out", target.toString()));
        assertTrue(
                err.toString(StandardCharsets.UTF_8).contains("these two models were trained apart"),
                err.toString(StandardCharsets.UTF_8));
        assertFalse(Files.exists(target));
        assertEquals(2, run("--model", "a", "--with", "b", "--weight", "1.5", "--out", target.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--weight must be a number from 0 to 1"));
    }
}
