package dev.srgan.networks.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.networks.SyntheticImages;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DegradationTest {

    static final RgbImage PHOTO =
            RgbImage.from(SyntheticImages.images(1, 64, 64, 11).get(0)).withoutAlpha();

    /** Mean absolute difference of horizontal neighbours: how much fine detail an image holds. */
    static double detail(RgbImage image) {
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

    /** Mean absolute difference. */
    static double error(RgbImage a, RgbImage b) {
        double sum = 0;
        for (int i = 0; i < a.data().length; i++) {
            sum += Math.abs(a.data()[i] - b.data()[i]);
        }
        return sum / a.data().length;
    }

    @Test
    void noneIsTheBicubicShrink() {
        assertTrue(Degradation.NONE.isNone());
        assertEquals("none", Degradation.NONE.describe());
        assertArrayEquals(
                Bicubic.downscale(PHOTO, 4).data(),
                Degradation.NONE.forImage(PHOTO, 4, 3).data());
        assertThrows(IllegalArgumentException.class, () -> new Degradation(-1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Degradation(0, 0, 101));
    }

    @Test
    void blurKeepsTheMeanAndRemovesDetail() {
        RgbImage flat = new RgbImage(20, 20, filled(3 * 20 * 20, 0.25f), null);
        for (float v : Degradation.blurred(flat, 2.5).data()) {
            assertEquals(0.25f, v, 1e-6f);
        }
        RgbImage blurred = Degradation.blurred(PHOTO, 2);
        assertTrue(detail(blurred) < 0.5 * detail(PHOTO), detail(blurred) + " vs " + detail(PHOTO));
        RgbImage blurredLr = new Degradation(4, 0, 0).forImage(PHOTO, 2, 0);
        assertTrue(detail(blurredLr) < detail(Bicubic.downscale(PHOTO, 2)), "the blur reaches the LR input");
    }

    @Test
    void noiseHasTheStrengthAskedFor() {
        RgbImage grey = new RgbImage(128, 128, filled(3 * 128 * 128, 0.5f), null);
        RgbImage lr = new Degradation(0, 10, 0).apply(grey, 1, new SplittableRandom(5));
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
    void eachImageHasItsOwnNoiseTheSameForEveryCaller() {
        Degradation d = new Degradation(1, 5, 67);
        assertEquals("blur σ 1 px, noise σ 5 levels, JPEG quality 67", d.describe());
        RgbImage first = d.forImage(PHOTO, 4, 0);
        assertArrayEquals(
                first.data(), new Degradation(1, 5, 67).forImage(PHOTO, 4, 0).data());
        assertFalse(Arrays.equals(first.data(), d.forImage(PHOTO, 4, 1).data()), "each image its own noise");
        assertTrue(error(first, Bicubic.downscale(PHOTO, 4)) > 0.01);
    }

    static float[] filled(int n, float v) {
        float[] data = new float[n];
        Arrays.fill(data, v);
        return data;
    }
}
