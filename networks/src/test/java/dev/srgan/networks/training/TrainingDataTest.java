package dev.srgan.networks.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.networks.SyntheticImages;
import dev.srgan.networks.image.Bicubic;
import dev.srgan.networks.image.Degradation;
import dev.srgan.networks.image.RgbImage;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingDataTest {

    private static final List<BufferedImage> IMAGES = SyntheticImages.images(2, 48, 48, 3);

    @Test
    void aRunThatDoesNotDegradeFeedsTheBicubicShrinkOfEachCrop() {
        TrainingConfig config = TrainingRunTest.tiny().hrCropSize(16).build();
        TrainingData.Batch batch = new TrainingData(IMAGES, config).next(new SplitMix64(1), 2);
        for (int b = 0; b < 2; b++) {
            float[] hr = Arrays.copyOfRange(batch.highRes(), b * 3 * 16 * 16, (b + 1) * 3 * 16 * 16);
            for (int i = 0; i < hr.length; i++) {
                hr[i] = (hr[i] + 1) / 2;
            }
            float[] expected =
                    Bicubic.downscale(new RgbImage(16, 16, hr, null), 2).data();
            float[] lr = Arrays.copyOfRange(batch.lowRes(), b * 3 * 8 * 8, (b + 1) * 3 * 8 * 8);
            assertArrayEquals(expected, lr, 1e-6f);
        }
    }

    @Test
    void eachCropDrawsItsStrengthsWithinTheRunsRanges() {
        TrainingConfig config = TrainingRunTest.tiny()
                .blurSigma(2)
                .noiseSigma(10)
                .jpegQuality(30)
                .build();
        SplitMix64 random = new SplitMix64(9);
        boolean lowQuality = false;
        for (int i = 0; i < 200; i++) {
            Degradation d = TrainingData.drawn(config, random);
            assertTrue(d.blurSigma() >= 0 && d.blurSigma() < 2, d.toString());
            assertTrue(d.noiseSigma() >= 0 && d.noiseSigma() < 10, d.toString());
            assertTrue(d.jpegQuality() >= 30 && d.jpegQuality() <= 95, d.toString());
            lowQuality |= d.jpegQuality() < 40;
        }
        assertTrue(lowQuality);
        SplitMix64 a = new SplitMix64(4);
        SplitMix64 b = new SplitMix64(4);
        assertEquals(TrainingData.drawn(config, a), TrainingData.drawn(config, b));
        assertEquals(a.state(), b.state());
        assertFalse(TrainingData.drawn(config, a).equals(TrainingData.drawn(config, new SplitMix64(5))));

        SplitMix64 untouched = new SplitMix64(4);
        TrainingData.drawn(TrainingRunTest.tiny().build(), untouched);
        assertEquals(4, untouched.state(), "a run that does not degrade draws nothing for it");
    }

    @Test
    void validationDegradesAtTheMiddleOfEachRange() {
        TrainingConfig config = TrainingRunTest.tiny()
                .blurSigma(3)
                .noiseSigma(10)
                .jpegQuality(40)
                .build();
        assertEquals(new Degradation(1.5, 5, 67), config.validationDegradation());
        assertEquals(Degradation.NONE, TrainingRunTest.tiny().build().validationDegradation());
    }
}
