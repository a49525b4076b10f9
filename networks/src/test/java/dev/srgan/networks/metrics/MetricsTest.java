package dev.srgan.networks.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MetricsTest {

    private static BufferedImage gray(int w, int h, int level) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, level << 16 | level << 8 | level);
            }
        }
        return image;
    }

    private static BufferedImage texture(int w, int h, long seed) {
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = 40 + (int) (100 * (1 + Math.sin(x / 5.0))) + random.nextInt(10);
                int g = 30 + (x * y) % 150;
                int b = 20 + random.nextInt(200);
                image.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        return image;
    }

    /** Adds +k or -k (random sign) to every channel of every pixel: Y moves by k * 219 / 255. */
    private static BufferedImage withSignNoise(BufferedImage src, int k, long seed) {
        Random random = new Random(seed);
        BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < src.getHeight(); y++) {
            for (int x = 0; x < src.getWidth(); x++) {
                int d = random.nextBoolean() ? k : -k;
                int p = src.getRGB(x, y);
                int r = ((p >> 16) & 0xff) + d;
                int g = ((p >> 8) & 0xff) + d;
                int b = (p & 0xff) + d;
                out.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        return out;
    }

    @Test
    void identicalImagesHaveInfinitePsnrAndSsimOne() {
        BufferedImage a = texture(40, 30, 1);
        assertEquals(Double.POSITIVE_INFINITY, Metrics.psnrY(a, a, 4));
        assertEquals(1.0, Metrics.ssimY(a, a, 4), 1e-12);
    }

    @Test
    void psnrOfAKnownNoiseLevelIsTheExpectedValue() {
        BufferedImage a = gray(48, 48, 100);
        for (int k : new int[] {1, 5, 20}) {
            BufferedImage b = withSignNoise(a, k, k);
            double expected = 20 * Math.log10(255.0 / (k * 219.0 / 255.0));
            assertEquals(expected, Metrics.psnrY(a, b, 2), 1e-9, "k=" + k);
        }
    }

    @Test
    void borderIsExcludedFromPsnr() {
        BufferedImage a = gray(20, 20, 80);
        BufferedImage b = gray(20, 20, 80);
        for (int i = 0; i < 20; i++) {
            b.setRGB(i, 0, 0xffffff);
            b.setRGB(0, i, 0xffffff);
        }
        assertEquals(Double.POSITIVE_INFINITY, Metrics.psnrY(a, b, 1));
        assertTrue(Metrics.psnrY(a, b, 0) < 30);
    }

    @Test
    void ssimOfFlatImagesFollowsTheLuminanceTerm() {
        BufferedImage a = gray(24, 24, 50);
        BufferedImage b = gray(24, 24, 120);
        double ya = Metrics.luma(50, 50, 50);
        double yb = Metrics.luma(120, 120, 120);
        double c1 = Math.pow(0.01 * 255, 2);
        double expected = (2 * ya * yb + c1) / (ya * ya + yb * yb + c1);
        assertEquals(expected, Metrics.ssimY(a, b, 0), 1e-9);
    }

    @Test
    void ssimMatchesADirectWindowedComputation() {
        BufferedImage a = texture(30, 26, 2);
        BufferedImage b = withSignNoise(a, 6, 3);
        assertEquals(bruteForceSsim(a, b), Metrics.ssimY(a, b, 0), 1e-9);
    }

    @Test
    void ssimFallsAsNoiseGrows() {
        BufferedImage a = texture(48, 48, 4);
        double previous = 1.0;
        for (int k : new int[] {2, 8, 30}) {
            double s = Metrics.ssimY(a, withSignNoise(a, k, 11), 2);
            assertTrue(s < previous, "k=" + k + " ssim " + s);
            previous = s;
        }
    }

    private static double bruteForceSsim(BufferedImage a, BufferedImage b) {
        int w = a.getWidth();
        int h = a.getHeight();
        double[][] g = new double[11][11];
        double sum = 0;
        for (int i = 0; i < 11; i++) {
            for (int j = 0; j < 11; j++) {
                g[i][j] = Math.exp(-((i - 5) * (i - 5) + (j - 5) * (j - 5)) / (2 * 1.5 * 1.5));
                sum += g[i][j];
            }
        }
        double c1 = Math.pow(0.01 * 255, 2);
        double c2 = Math.pow(0.03 * 255, 2);
        double total = 0;
        int count = 0;
        for (int y = 0; y + 11 <= h; y++) {
            for (int x = 0; x + 11 <= w; x++) {
                double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
                for (int i = 0; i < 11; i++) {
                    for (int j = 0; j < 11; j++) {
                        double wt = g[i][j] / sum;
                        double va = y(a.getRGB(x + j, y + i));
                        double vb = y(b.getRGB(x + j, y + i));
                        mx += wt * va;
                        my += wt * vb;
                        sxx += wt * va * va;
                        syy += wt * vb * vb;
                        sxy += wt * va * vb;
                    }
                }
                double vx = sxx - mx * mx, vy = syy - my * my, cov = sxy - mx * my;
                total += ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
                count++;
            }
        }
        return total / count;
    }

    private static double y(int p) {
        return Metrics.luma((p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff);
    }
}
