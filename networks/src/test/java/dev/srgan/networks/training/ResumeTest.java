package dev.srgan.networks.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.networks.SyntheticImages;
import dev.srgan.networks.checkpoint.Checkpoint;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResumeTest {

    private static final List<BufferedImage> TRAINING = SyntheticImages.images(4, 48, 48, 300);

    private static void assertSameLosses(LossRecord expected, LossRecord actual) {
        assertEquals(expected.step(), actual.step());
        assertEquals(expected.phase(), actual.phase());
        assertClose(expected.gLoss(), actual.gLoss());
        assertClose(expected.contentLoss(), actual.contentLoss());
        assertClose(expected.dLoss(), actual.dLoss());
        assertClose(expected.adversarialLoss(), actual.adversarialLoss());
        assertClose(expected.dReal(), actual.dReal());
        assertClose(expected.dFake(), actual.dFake());
    }

    /** Equal within 1e-5 relative (null only for null): a loss recomputed after a resume. */
    static void assertClose(Double expected, Double actual) {
        if (expected == null) {
            assertEquals(null, actual);
            return;
        }
        assertEquals(expected, actual, 1e-5 * Math.max(1, Math.abs(expected)));
    }

    @Test
    void resumedRunContinuesWithTheSameLossesAsAnUninterruptedOne() throws Exception {
        assertResumesExactly(TrainingRunTest.tiny()
                .pretrainSteps(2)
                .ganSteps(4)
                .emaDecay(0.9)
                .build());
    }

    @Test
    void resumedRunDegradesItsCropsAsAnUninterruptedOne() throws Exception {
        assertResumesExactly(TrainingRunTest.tiny()
                .pretrainSteps(2)
                .ganSteps(4)
                .blurSigma(2)
                .noiseSigma(10)
                .jpegQuality(30)
                .build());
    }

    private static void assertResumesExactly(TrainingConfig config) throws Exception {
        TrainingRunTest.Recorder uninterrupted = new TrainingRunTest.Recorder();
        try (TrainingRun run =
                TrainingRun.builder(config).trainingImages(TRAINING).build()) {
            run.run(uninterrupted);
        }

        TrainingRunTest.Recorder first = new TrainingRunTest.Recorder();
        first.cancelAfter = 3;
        try (TrainingRun run =
                TrainingRun.builder(config).trainingImages(TRAINING).build()) {
            TrainingResult result = run.run(first);
            assertTrue(result.cancelled());
            assertEquals(3, result.lastStep());
        }
        Checkpoint saved = first.checkpoints.get(first.checkpoints.size() - 1);
        assertEquals(3, saved.step());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        saved.write(bytes);
        Checkpoint restored = Checkpoint.read(new ByteArrayInputStream(bytes.toByteArray()));

        TrainingRunTest.Recorder second = new TrainingRunTest.Recorder();
        try (TrainingRun run =
                TrainingRun.resume(restored).trainingImages(TRAINING).build()) {
            assertEquals(3, run.currentStep());
            run.run(second);
        }
        assertEquals(3, second.steps.size());
        for (int i = 0; i < 3; i++) {
            assertSameLosses(uninterrupted.steps.get(3 + i), second.steps.get(i));
        }
        for (int i = 0; i < 3; i++) {
            assertSameLosses(uninterrupted.steps.get(i), first.steps.get(i));
        }
    }

    @Test
    void cancelledRunStopsBeforeItsNextStepAndWritesACheckpoint() throws Exception {
        TrainingConfig config = TrainingRunTest.tiny()
                .pretrainSteps(10)
                .ganSteps(0)
                .checkpointEvery(4)
                .build();
        TrainingRunTest.Recorder recorder = new TrainingRunTest.Recorder();
        recorder.cancelAfter = 5;
        try (TrainingRun run =
                TrainingRun.builder(config).trainingImages(TRAINING).build()) {
            TrainingResult result = run.run(recorder);
            assertTrue(result.cancelled());
        }
        assertEquals(5, recorder.steps.size());
        assertEquals(
                List.of(4L, 5L),
                recorder.checkpoints.stream().map(Checkpoint::step).toList());
    }
}
