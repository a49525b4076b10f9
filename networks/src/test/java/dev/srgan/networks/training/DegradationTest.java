package dev.srgan.networks.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.networks.SyntheticImages;
import dev.srgan.networks.image.Bicubic;
import dev.srgan.networks.image.RgbImage;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DegradationTest {

    private static final RgbImage PHOTO =
            RgbImage.from(SyntheticImages.images(1, 64, 64, 11).get(0)).withoutAlpha();

    private static Degradation degradation(double blur, double noise, Integer jpeg) {
        return new Degradation(TrainingRunTest.tiny()
                .scale(4)
                .blurSigma(blur)
                .noiseSigma(noise)
                .jpegQuality(jpeg)
                .build());
    }

    /** Mean absolute difference of horizontal neighbours: how much fine detail an image holds. */
    private static double detail(RgbImage image) {
        double sum = 0;
        int n = 0;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < image.height(); y++) {
                for (int x = 1; x < image.width(); x++) {
                    sum += Math.abs(image.get(c, x, y) - image.get(c, x - 1, y));
                    n++;
                }
            }
        }
        return sum / n;
    }

    @Test
    void withoutSettingsItIsTheBicubicShrinkAndDrawsNothing() {
        SplitMix64 random = new SplitMix64(42);
        RgbImage lr = degradation(0, 0, null).training(PHOTO, random);
        assertEquals(42, random.state(), "a run that does not degrade draws the crops it always drew");
        assertArrayEquals(Bicubic.downscale(PHOTO, 4).data(), lr.data());
        assertArrayEquals(
                Bicubic.downscale(PHOTO, 4).data(),
                degradation(0, 0, null).validation(PHOTO, 3).data());
    }

    @Test
    void blurKeepsTheMeanAndRemovesDetail() {
        RgbImage flat = new RgbImage(20, 20, filled(3 * 20 * 20, 0.25f), null);
        for (float v : Degradation.blurred(flat, 2.5).data()) {
            assertEquals(0.25f, v, 1e-6f);
        }
        RgbImage blurred = Degradation.blurred(PHOTO, 2);
        assertTrue(detail(blurred) < 0.5 * detail(PHOTO), detail(blurred) + " vs " + detail(PHOTO));
        RgbImage sharpLr = degradation(0, 0, null).apply(PHOTO, 0, 0, 0, null);
        RgbImage blurredLr = degradation(0, 0, null).apply(PHOTO, 4, 0, 0, null);
        assertTrue(detail(blurredLr) < detail(sharpLr), "the blur reaches the LR input");
    }

    @Test
    void noiseHasTheStrengthAskedFor() {
        RgbImage grey = new RgbImage(128, 128, filled(3 * 128 * 128, 0.5f), null);
        RgbImage lr = degradation(0, 0, null).apply(grey, 0, 10, 0, new SplitMix64(5));
        double sum = 0;
        double squares = 0;
        for (float v : lr.data()) {
            sum += v;
            squares += (v - 0.5) * (v - 0.5);
            assertEquals(Math.round(v * 255) / 255f, v, 1e-6f, "rounded to 8 bits");
        }
        int n = lr.data().length;
        assertEquals(0.5, sum / n, 0.003);
        assertEquals(10, Math.sqrt(squares / n) * 255, 0.6, "the standard deviation in 8-bit levels");
    }

    @Test
    void jpegCompressionLosesDetailAndIsRepeatable() {
        RgbImage lr = Bicubic.downscale(PHOTO, 2);
        RgbImage q10 = Degradation.jpegRoundTrip(lr, 10);
        RgbImage q95 = Degradation.jpegRoundTrip(lr, 95);
        assertEquals(lr.width(), q10.width());
        assertTrue(error(q10, lr) > 2 * error(q95, lr), error(q10, lr) + " vs " + error(q95, lr));
        assertArrayEquals(q10.data(), Degradation.jpegRoundTrip(lr, 10).data());
    }

    @Test
    void trainingDrawsFromTheRunsGeneratorAndValidationDoesNot() {
        Degradation all = degradation(2, 10, 30);
        SplitMix64 a = new SplitMix64(9);
        SplitMix64 b = new SplitMix64(9);
        RgbImage first = all.training(PHOTO, a);
        assertArrayEquals(first.data(), all.training(PHOTO, b).data(), "the same draws give the same input");
        assertEquals(a.state(), b.state());
        assertFalse(Arrays.equals(first.data(), all.training(PHOTO, a).data()), "the next crop draws anew");

        RgbImage validation = all.validation(PHOTO, 0);
        assertArrayEquals(
                validation.data(),
                new Degradation(TrainingRunTest.tiny()
                                .scale(4)
                                .seed(12345)
                                .learningRate(0.01)
                                .blurSigma(2)
                                .noiseSigma(10)
                                .jpegQuality(30)
                                .build())
                        .validation(PHOTO, 0)
                        .data(),
                "runs with the same degradation validate on the same inputs");
        assertFalse(Arrays.equals(validation.data(), all.validation(PHOTO, 1).data()), "each image its own noise");
        assertTrue(error(validation, Bicubic.downscale(PHOTO, 4)) > 0.01);
    }

    private static double error(RgbImage a, RgbImage b) {
        double sum = 0;
        for (int i = 0; i < a.data().length; i++) {
            sum += Math.abs(a.data()[i] - b.data()[i]);
        }
        return sum / a.data().length;
    }

    private static float[] filled(int n, float v) {
        float[] data = new float[n];
        Arrays.fill(data, v);
        return data;
    }
}
