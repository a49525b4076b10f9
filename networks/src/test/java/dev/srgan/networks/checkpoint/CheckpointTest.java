package dev.srgan.networks.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srgan.networks.SyntheticImages;
import dev.srgan.networks.inference.Upscaler;
import dev.srgan.networks.training.TrainingConfig;
import dev.srgan.networks.training.TrainingRun;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

class CheckpointTest {

    private static TrainingConfig config() {
        return TrainingConfig.builder()
                .scale(2)
                .residualBlocks(1)
                .batchSize(2)
                .hrCropSize(16)
                .pretrainSteps(1)
                .ganSteps(1)
                .seed(3)
                .emaDecay(0.5)
                .build();
    }

    private static Checkpoint trainedCheckpoint() throws Exception {
        try (TrainingRun run = TrainingRun.builder(config())
                .trainingImages(SyntheticImages.images(2, 32, 32, 9))
                .build()) {
            run.step();
            run.step();
            return run.checkpoint();
        }
    }

    @Test
    void checkpointIsAZipWithAManifestHoldingStepConfigAndContentLoss() throws Exception {
        byte[] bytes = trainedCheckpoint().toBytes();
        Map<String, byte[]> entries = new HashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                entries.put(e.getName(), zip.readAllBytes());
            }
        }
        assertTrue(
                entries.keySet()
                        .containsAll(java.util.List.of(
                                "manifest.json",
                                "generator.params",
                                "discriminator.params",
                                "generator-ema.params",
                                "optimizer-generator.bin",
                                "optimizer-discriminator.bin")),
                entries.keySet().toString());
        JsonNode manifest = new ObjectMapper().readTree(entries.get("manifest.json"));
        assertEquals("srgan-checkpoint", manifest.get("format").asText());
        assertEquals(1, manifest.get("formatVersion").asInt());
        assertEquals(2, manifest.get("step").asLong());
        assertEquals("gan", manifest.get("phase").asText());
        assertEquals("pixel-mse", manifest.get("contentLoss").asText());
        assertEquals(2, manifest.get("config").get("scale").asInt());
    }

    @Test
    void writeThenReadGivesTheSameCheckpoint() throws Exception {
        Checkpoint cp = trainedCheckpoint();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        cp.write(out);
        Checkpoint back = Checkpoint.read(new ByteArrayInputStream(out.toByteArray()));
        assertEquals(cp.config(), back.config());
        assertEquals(cp.step(), back.step());
        assertEquals(cp.rngState(), back.rngState());
        assertEquals(cp.createdAt(), back.createdAt());
        assertArrayEquals(cp.generatorParameters(), back.generatorParameters());
        assertArrayEquals(cp.discriminatorParameters(), back.discriminatorParameters());
        assertArrayEquals(cp.generatorEmaParameters(), back.generatorEmaParameters());
        assertArrayEquals(cp.generatorOptimizerState(), back.generatorOptimizerState());
        assertArrayEquals(cp.discriminatorOptimizerState(), back.discriminatorOptimizerState());
    }

    @Test
    void otherBytesAreRejectedWithAClearMessage() {
        Exception e = assertThrows(
                java.io.IOException.class, () -> Checkpoint.read(new ByteArrayInputStream("not a zip".getBytes())));
        assertTrue(e.getMessage().contains("not an SRGAN checkpoint"), e.getMessage());
    }

    @Test
    void upscalerLoadsTheGeneratorFromACheckpointStream() throws Exception {
        byte[] bytes = trainedCheckpoint().toBytes();
        BufferedImage input = SyntheticImages.image(30, 20, 4);
        try (Upscaler upscaler = Upscaler.fromCheckpoint(new ByteArrayInputStream(bytes))) {
            assertEquals(2, upscaler.scale());
            BufferedImage out = upscaler.upscale(input);
            assertEquals(60, out.getWidth());
            assertEquals(40, out.getHeight());
        }
    }

    /** A zip whose one entry is {@code size} zero bytes: a few hundred KB deflated, a bomb unpacked. */
    private static byte[] zipOfZeros(String entry, long size) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry(entry));
            byte[] zeros = new byte[1 << 20];
            for (long left = size; left > 0; left -= zeros.length) {
                zip.write(zeros, 0, (int) Math.min(zeros.length, left));
            }
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    @Test
    void entriesAreReadWithBoundsSoABombEndsWithAMessage() throws Exception {
        byte[] manifest = zipOfZeros("manifest.json", 2L << 20);
        java.io.IOException e =
                assertThrows(java.io.IOException.class, () -> Checkpoint.read(new ByteArrayInputStream(manifest)));
        assertTrue(e.getMessage().contains("manifest.json unpacks to more than 1048576 bytes"), e.getMessage());
        byte[] params = zipOfZeros("generator.params", (512L << 20) + 1);
        assertTrue(params.length < 2 << 20, "deflated it is small: " + params.length);
        e = assertThrows(java.io.IOException.class, () -> Checkpoint.read(new ByteArrayInputStream(params)));
        assertTrue(e.getMessage().contains("generator.params unpacks to more than"), e.getMessage());
    }
}
