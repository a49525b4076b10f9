package dev.srgan.networks.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import dev.srgan.networks.SyntheticImages;
import dev.srgan.networks.checkpoint.Checkpoint;
import dev.srgan.networks.model.Generator;
import dev.srgan.networks.model.Networks;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FreezeBatchNormTest {

    private static final List<BufferedImage> TRAINING = SyntheticImages.images(4, 48, 48, 300);

    /** A short run from random weights: the generator the tests fine-tune. */
    private static Checkpoint trained() throws Exception {
        TrainingRunTest.Recorder recorder = new TrainingRunTest.Recorder();
        try (TrainingRun run = TrainingRun.builder(
                        TrainingRunTest.tiny().pretrainSteps(3).ganSteps(0).build())
                .trainingImages(TRAINING)
                .build()) {
            run.run(recorder);
        }
        return recorder.checkpoints.get(recorder.checkpoints.size() - 1);
    }

    private static TrainingRunTest.Recorder fineTune(Checkpoint base, boolean freeze) throws Exception {
        TrainingConfig config = TrainingRunTest.tiny()
                .seed(11)
                .pretrainSteps(2)
                .ganSteps(2)
                .freezeBatchNorm(freeze)
                .build();
        TrainingRunTest.Recorder recorder = new TrainingRunTest.Recorder();
        try (TrainingRun run = TrainingRun.builder(config)
                .initialGenerator(base)
                .trainingImages(TRAINING)
                .build()) {
            run.run(recorder);
        }
        return recorder;
    }

    /** Each BatchNorm layer's parameters in a checkpoint's generator: "3.runningMean" -> values. */
    private static Map<String, float[]> batchNorm(Checkpoint cp) throws Exception {
        Map<String, float[]> values = new LinkedHashMap<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            Block generator = Generator.builder()
                    .scale(cp.config().scale())
                    .residualBlocks(cp.config().residualBlocks())
                    .build();
            Networks.loadParameters(generator, manager, cp.generatorParameters());
            collect(generator, values);
        }
        return values;
    }

    private static void collect(Block block, Map<String, float[]> values) {
        if (block instanceof BatchNorm) {
            int layer = values.size() / 4;
            for (var p : block.getParameters()) {
                Parameter parameter = p.getValue();
                values.put(
                        layer + "." + parameter.getName(), parameter.getArray().toFloatArray());
            }
            return;
        }
        block.getChildren().values().forEach(child -> collect(child, values));
    }

    @Test
    void frozenStatisticsStayAsTheModelHadThemWhileScaleAndShiftLearn() throws Exception {
        Checkpoint base = trained();
        Map<String, float[]> before = batchNorm(base);
        assertEquals(4 * 5, before.size(), "2 blocks x 2 BatchNorm layers + the trunk's, 4 arrays each");

        TrainingRunTest.Recorder frozen = fineTune(base, true);
        Map<String, float[]> after = batchNorm(frozen.checkpoints.get(frozen.checkpoints.size() - 1));
        boolean gammaMoved = false;
        for (var e : before.entrySet()) {
            if (e.getKey().endsWith("runningMean") || e.getKey().endsWith("runningVar")) {
                assertArrayEquals(e.getValue(), after.get(e.getKey()), 0f, e.getKey() + " kept exactly");
            } else {
                gammaMoved |= !java.util.Arrays.equals(e.getValue(), after.get(e.getKey()));
            }
        }
        assertTrue(gammaMoved, "gamma and beta still learn");

        TrainingRunTest.Recorder batchStatistics = fineTune(base, false);
        Map<String, float[]> moved = batchNorm(batchStatistics.checkpoints.get(batchStatistics.checkpoints.size() - 1));
        assertFalse(
                java.util.Arrays.equals(before.get("0.runningMean"), moved.get("0.runningMean")),
                "without freezing, each batch moves the running mean");
        assertTrue(
                Math.abs(frozen.steps.get(0).contentLoss()
                                - batchStatistics.steps.get(0).contentLoss())
                        > 1e-6,
                "the first step already normalises differently");
    }

    @Test
    void aFrozenRunResumesExactly() throws Exception {
        Checkpoint base = trained();
        TrainingRunTest.Recorder whole = fineTune(base, true);

        TrainingConfig config = whole.checkpoints.get(0).config();
        TrainingRunTest.Recorder first = new TrainingRunTest.Recorder();
        first.cancelAfter = 2;
        try (TrainingRun run = TrainingRun.builder(config)
                .initialGenerator(base)
                .trainingImages(TRAINING)
                .build()) {
            run.run(first);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        first.checkpoints.get(first.checkpoints.size() - 1).write(bytes);
        Checkpoint saved = Checkpoint.read(new ByteArrayInputStream(bytes.toByteArray()));
        assertTrue(saved.config().freezeBatchNorm(), "the checkpoint's config keeps the setting");

        TrainingRunTest.Recorder second = new TrainingRunTest.Recorder();
        try (TrainingRun run =
                TrainingRun.resume(saved).trainingImages(TRAINING).build()) {
            run.run(second);
        }
        assertEquals(2, second.steps.size());
        for (int i = 0; i < 2; i++) {
            LossRecord expected = whole.steps.get(2 + i);
            LossRecord actual = second.steps.get(i);
            assertEquals(expected.step(), actual.step());
            assertEquals(expected.gLoss(), actual.gLoss(), 1e-5 * Math.max(1, Math.abs(expected.gLoss())));
            assertEquals(expected.dLoss(), actual.dLoss(), 1e-5 * Math.max(1, Math.abs(expected.dLoss())));
        }
        assertEquals(
                batchNorm(base).get("0.runningVar")[0],
                batchNorm(second.checkpoints.get(second.checkpoints.size() - 1)).get("0.runningVar")[0],
                0f);
    }

    @Test
    void aRunFromRandomWeightsHasNoStatisticsToKeep() {
        TrainingConfig config = TrainingRunTest.tiny().freezeBatchNorm(true).build();
        TrainingConfig.InvalidConfigException e = assertThrows(
                TrainingConfig.InvalidConfigException.class,
                () -> TrainingRun.builder(config).trainingImages(TRAINING).build());
        assertEquals("freezeBatchNorm", e.field());
        assertTrue(e.getMessage().contains("start from a model"), e.getMessage());
    }
}
