package dev.srgan.networks.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.networks.SyntheticImages;
import dev.srgan.networks.checkpoint.Checkpoint;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A run that has ended, continued with more steps ({@link TrainingConfig#extendedTo},
 * {@link TrainingRun#resume(Checkpoint, TrainingConfig)}), takes the steps a run submitted with
 * the longer config would have taken: the same losses, learning rates and phases.
 */
class ExtendTest {
    private static final List<BufferedImage> TRAINING = SyntheticImages.images(4, 48, 48, 301);

    private static TrainingConfig config(int pretrainSteps, int ganSteps) {
        return TrainingRunTest.tiny()
                .pretrainSteps(pretrainSteps)
                .ganSteps(ganSteps)
                .emaDecay(0.9)
                .lrMilestones(List.of(5))
                .build();
    }

    private static TrainingRunTest.Recorder run(TrainingRun.Builder builder) throws Exception {
        TrainingRunTest.Recorder recorder = new TrainingRunTest.Recorder();
        try (TrainingRun run = builder.trainingImages(TRAINING).build()) {
            run.run(recorder);
        }
        return recorder;
    }

    /** The last checkpoint of a finished run, as stored and read back. */
    private static Checkpoint ended(TrainingRunTest.Recorder recorder) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        recorder.checkpoints.get(recorder.checkpoints.size() - 1).write(bytes);
        return Checkpoint.read(new ByteArrayInputStream(bytes.toByteArray()));
    }

    private static void assertSameSteps(TrainingRunTest.Recorder whole, int from, TrainingRunTest.Recorder extension) {
        assertEquals(whole.steps.size() - from, extension.steps.size());
        for (int i = 0; i < extension.steps.size(); i++) {
            LossRecord expected = whole.steps.get(from + i);
            LossRecord actual = extension.steps.get(i);
            assertEquals(expected.step(), actual.step());
            assertEquals(expected.phase(), actual.phase());
            assertEquals(expected.lrG(), actual.lrG(), "the learning-rate milestones keep their steps");
            ResumeTest.assertClose(expected.gLoss(), actual.gLoss());
            ResumeTest.assertClose(expected.dLoss(), actual.dLoss());
            ResumeTest.assertClose(expected.dReal(), actual.dReal());
        }
    }

    @Test
    void aFinishedRunExtendedWithGanStepsTakesTheStepsOfTheLongerRun() throws Exception {
        TrainingRunTest.Recorder whole = run(TrainingRun.builder(config(2, 5)));
        Checkpoint end = ended(run(TrainingRun.builder(config(2, 2))));
        assertEquals(4, end.step());

        TrainingConfig longer = end.config().extendedTo(null, 5, end.step());
        assertEquals(config(2, 5), longer);
        TrainingRunTest.Recorder extension = run(TrainingRun.resume(end, longer));
        assertSameSteps(whole, 4, extension);
        Checkpoint last = extension.checkpoints.get(extension.checkpoints.size() - 1);
        assertEquals(7, last.step());
        assertEquals(longer, last.config(), "checkpoints after the extension carry the longer config");
    }

    @Test
    void aPretrainingRunExtendsEitherPhase() throws Exception {
        Checkpoint end = ended(run(TrainingRun.builder(config(3, 0))));

        TrainingRunTest.Recorder morePretraining =
                run(TrainingRun.resume(end, end.config().extendedTo(5, null, 3)));
        assertSameSteps(run(TrainingRun.builder(config(5, 0))), 3, morePretraining);
        assertTrue(morePretraining.steps.stream().allMatch(s -> s.phase().equals(Phase.PRETRAIN.storedName())));

        TrainingRunTest.Recorder intoGan =
                run(TrainingRun.resume(end, end.config().extendedTo(null, 2, 3)));
        assertSameSteps(run(TrainingRun.builder(config(3, 2))), 3, intoGan);
        assertTrue(
                intoGan.steps.stream().allMatch(s -> s.phase().equals(Phase.GAN.storedName())),
                "the SRResNet turned into an SRGAN");
    }

    @Test
    void anExtensionOnlyAddsSteps() {
        TrainingConfig run = config(10, 20);
        assertEquals(
                "pretrainSteps",
                assertThrows(TrainingConfig.InvalidConfigException.class, () -> run.extendedTo(12, null, 15))
                        .field(),
                "pre-training cannot grow once GAN steps were done");
        assertEquals(config(12, 20), run.extendedTo(12, null, 10), "at the phase boundary it still can");
        assertEquals(
                "ganSteps",
                assertThrows(TrainingConfig.InvalidConfigException.class, () -> run.extendedTo(null, 19, 30))
                        .field());
        assertEquals(
                "pretrainSteps",
                assertThrows(TrainingConfig.InvalidConfigException.class, () -> run.extendedTo(9, 40, 5))
                        .field());
        TrainingConfig.InvalidConfigException same =
                assertThrows(TrainingConfig.InvalidConfigException.class, () -> run.extendedTo(10, 20, 30));
        assertTrue(same.getMessage().contains("must add steps"), same.getMessage());

        assertTrue(run.isExtendedBy(config(10, 25)));
        assertTrue(!run.isExtendedBy(
                run.toBuilder().ganSteps(25).learningRateG(1e-5).build()));
    }

    @Test
    void aCheckpointResumesOnlyUnderItsOwnConfigOrAnExtension() throws Exception {
        Checkpoint end = ended(run(TrainingRun.builder(config(2, 2))));
        IllegalArgumentException other = assertThrows(
                IllegalArgumentException.class,
                () -> TrainingRun.resume(
                        end, end.config().toBuilder().ganSteps(4).batchSize(3).build()));
        assertTrue(other.getMessage().contains("in more than added steps"), other.getMessage());
        IllegalArgumentException pastPretraining = assertThrows(
                IllegalArgumentException.class,
                () -> TrainingRun.resume(
                        end, end.config().toBuilder().pretrainSteps(3).build()));
        assertTrue(pastPretraining.getMessage().contains("past pre-training"), pastPretraining.getMessage());
    }
}
