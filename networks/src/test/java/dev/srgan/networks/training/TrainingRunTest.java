package dev.srgan.networks.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.networks.SyntheticImages;
import dev.srgan.networks.checkpoint.Checkpoint;
import dev.srgan.networks.evaluation.Evaluator;
import dev.srgan.networks.image.Bicubic;
import dev.srgan.networks.image.RgbImage;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingRunTest {

    /** Collects everything a run reports. */
    static final class Recorder implements TrainingListener {
        final List<LossRecord> steps = new ArrayList<>();
        final List<ValidationRecord> validations = new ArrayList<>();
        final List<Checkpoint> checkpoints = new ArrayList<>();
        int cancelAfter = Integer.MAX_VALUE;

        @Override
        public void onStep(LossRecord record) {
            steps.add(record);
        }

        @Override
        public void onValidation(ValidationRecord record) {
            validations.add(record);
        }

        @Override
        public void onCheckpoint(Checkpoint checkpoint) {
            checkpoints.add(checkpoint);
        }

        @Override
        public boolean isCancelled() {
            return steps.size() >= cancelAfter;
        }
    }

    static TrainingConfig.Builder tiny() {
        return TrainingConfig.builder()
                .scale(2)
                .residualBlocks(2)
                .batchSize(4)
                .hrCropSize(32)
                .learningRate(1e-3)
                .seed(7)
                .validationSamples(1);
    }

    @Test
    void shortRunImprovesValidationPsnrAndRecordsEveryGanLoss() throws Exception {
        TrainingConfig config = tiny().pretrainSteps(50)
                .ganSteps(5)
                .validateEvery(25)
                .checkpointEvery(1000)
                .build();
        Recorder recorder = new Recorder();
        long start = System.nanoTime();
        try (TrainingRun run = TrainingRun.builder(config)
                .trainingImages(SyntheticImages.images(8, 64, 64, 100))
                .validationImages(SyntheticImages.images(2, 64, 64, 200))
                .build()) {
            TrainingResult result = run.run(recorder);
            assertEquals(55, result.lastStep());
            assertEquals("pixel-mse", result.contentLoss());
        }
        System.out.printf("55-step run: %.1f s%n", (System.nanoTime() - start) / 1e9);

        double pretrainSeconds = recorder.steps.subList(0, 50).stream()
                .mapToDouble(LossRecord::secondsPerStep)
                .sum();
        double ganSeconds = recorder.steps.subList(50, 55).stream()
                .mapToDouble(LossRecord::secondsPerStep)
                .sum();
        double validationSeconds = recorder.validations.stream()
                .mapToDouble(ValidationRecord::seconds)
                .sum();
        System.out.printf(
                "pretrain %.1f s, gan %.1f s, validation %.1f s%n", pretrainSeconds, ganSeconds, validationSeconds);
        recorder.validations.forEach(v -> System.out.printf(
                "step %d psnr %.2f ssim %.3f bicubic %.2f%n", v.step(), v.psnr(), v.ssim(), v.bicubicPsnr()));
        assertEquals(55, recorder.steps.size());
        LossRecord pretrain = recorder.steps.get(0);
        assertEquals(LossRecord.PRETRAIN, pretrain.phase());
        assertNull(pretrain.dLoss());
        assertNull(pretrain.adversarialLoss());
        assertNull(pretrain.lrD());
        assertEquals(pretrain.contentLoss(), pretrain.gLoss());

        for (LossRecord gan : recorder.steps.subList(50, 55)) {
            assertEquals(LossRecord.GAN, gan.phase());
            for (Double value : new Double[] {
                gan.dLoss(),
                gan.gLoss(),
                gan.contentLoss(),
                gan.adversarialLoss(),
                gan.dReal(),
                gan.dFake(),
                gan.lrG(),
                gan.lrD()
            }) {
                assertNotNull(value, gan.toString());
                assertTrue(Double.isFinite(value), gan.toString());
            }
            assertTrue(gan.dReal() > 0 && gan.dReal() < 1 && gan.dFake() > 0 && gan.dFake() < 1);
            assertTrue(gan.secondsPerStep() > 0);
        }

        // validations at steps 0, 25, 50 (end of pre-training) and 55
        List<Long> validatedAt =
                recorder.validations.stream().map(ValidationRecord::step).toList();
        assertEquals(List.of(0L, 25L, 50L, 55L), validatedAt);
        ValidationRecord first = recorder.validations.get(0);
        ValidationRecord afterPretrain = recorder.validations.get(2);
        assertTrue(afterPretrain.psnr() > first.psnr() + 3, "PSNR " + first.psnr() + " -> " + afterPretrain.psnr());
        assertTrue(afterPretrain.bicubicPsnr() > 20);
        assertEquals(1, afterPretrain.samples().size());
        assertEquals(64, afterPretrain.samples().get(0).generated().getWidth());
        assertEquals("pixel-mse", afterPretrain.contentLoss());
        // 64x64 validation images are too small for NIQE (192x192 after the border)
        assertNull(afterPretrain.niqe());
        assertNull(afterPretrain.bicubicNiqe());
        assertEquals(1, recorder.checkpoints.size(), "one final checkpoint");
        assertEquals(55, recorder.checkpoints.get(0).step());
    }

    @Test
    void validationMeasuresNiqeOnTheImagesLargeEnoughAndLeavesTrainingAsItWas() throws Exception {
        TrainingConfig config = tiny().pretrainSteps(2)
                .ganSteps(1)
                .validateEvery(1000)
                .checkpointEvery(1000)
                .build();
        List<BufferedImage> training = SyntheticImages.images(4, 48, 48, 100);
        BufferedImage big = SyntheticImages.image(201, 198, 4);
        Recorder measured = new Recorder();
        try (TrainingRun run = TrainingRun.builder(config)
                .trainingImages(training)
                .validationImages(List.of(big, SyntheticImages.image(64, 64, 5)))
                .build()) {
            run.run(measured);
        }
        assertEquals(
                List.of(0L, 2L, 3L),
                measured.validations.stream().map(ValidationRecord::step).toList());

        // bicubic as ./srgan eval measures it: the image cropped to a multiple of the scale, a 2-pixel border
        RgbImage hr = RgbImage.from(big).withoutAlpha().crop(0, 0, 200, 198);
        Double bicubic =
                Evaluator.niqe(Bicubic.upscale(Bicubic.downscale(hr, 2), 2).toBufferedImage(), 2);
        assertNotNull(bicubic);
        for (ValidationRecord v : measured.validations) {
            // the mean over the one image large enough; the small one is skipped
            assertEquals(bicubic, v.bicubicNiqe(), 1e-12, v.toString());
            assertNotNull(v.niqe(), v.toString());
            assertEquals(Evaluator.niqe(v.samples().get(0).generated(), 2), v.niqe(), 1e-12);
        }

        // NIQE draws nothing from the run's random numbers: the same losses without validation images
        Recorder unmeasured = new Recorder();
        try (TrainingRun run =
                TrainingRun.builder(config).trainingImages(training).build()) {
            run.run(unmeasured);
        }
        assertEquals(measured.steps.size(), unmeasured.steps.size());
        for (int i = 0; i < measured.steps.size(); i++) {
            assertEquals(
                    unmeasured.steps.get(i).gLoss(),
                    measured.steps.get(i).gLoss(),
                    1e-5 * Math.max(1, Math.abs(unmeasured.steps.get(i).gLoss())));
        }
    }
}
