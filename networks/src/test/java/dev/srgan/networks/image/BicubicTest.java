package dev.srgan.networks.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class BicubicTest {

    @Test
    void keysKernelHasTheTextbookValues() {
        assertEquals(1.0, Bicubic.cubic(0), 1e-12);
        assertEquals(0.0, Bicubic.cubic(1), 1e-12);
        assertEquals(0.0, Bicubic.cubic(2), 1e-12);
        assertEquals(0.5625, Bicubic.cubic(0.5), 1e-12);
        assertEquals(-0.0625, Bicubic.cubic(1.5), 1e-12);
    }

    @Test
    void flatImageStaysFlatBothWays() {
        float[] plane = new float[12 * 8];
        java.util.Arrays.fill(plane, 0.3f);
        for (float v : Bicubic.resizePlane(plane, 12, 8, 3, 2)) {
            assertEquals(0.3f, v, 1e-6f);
        }
        for (float v : Bicubic.resizePlane(plane, 12, 8, 48, 32)) {
            assertEquals(0.3f, v, 1e-6f);
        }
    }

    @Test
    void downscalingARampSamplesItAtThePixelCentresAwayFromTheEdges() {
        int w = 48;
        float[] plane = new float[w * 4];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < w; x++) {
                plane[y * w + x] = x / (float) w;
            }
        }
        for (int factor : new int[] {2, 3, 4}) {
            int ow = w / factor;
            float[] out = Bicubic.resizePlane(plane, w, 4, ow, 4);
            for (int y = 0; y < 4; y++) {
                for (int x = 3; x < ow - 3; x++) {
                    double centre = (x + 0.5) * factor - 0.5;
                    assertEquals(centre / w, out[y * ow + x], 1e-5, "factor " + factor + " x " + x);
                }
            }
        }
    }

    @Test
    void upscalingReproducesAQuadraticInTheInterior() {
        int w = 16;
        float[] plane = new float[w * 2];
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < w; x++) {
                plane[y * w + x] = (float) (x * x) / 256f;
            }
        }
        float[] out = Bicubic.resizePlane(plane, w, 2, 4 * w, 2);
        for (int x = 12; x < 4 * w - 12; x++) {
            double c = (x + 0.5) / 4 - 0.5;
            assertEquals(c * c / 256, out[x], 1e-5, "x " + x);
        }
    }

    @Test
    void downscaleGivesEightBitValuesAndKeepsAlpha() {
        BufferedImage src = new BufferedImage(16, 12, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 12; y++) {
            for (int x = 0; x < 16; x++) {
                src.setRGB(x, y, (x * 16) << 24 | (x * 15) << 16 | (y * 20) << 8 | 77);
            }
        }
        RgbImage lr = Bicubic.downscale(RgbImage.from(src), 4);
        assertEquals(4, lr.width());
        assertEquals(3, lr.height());
        for (float v : lr.data()) {
            assertEquals(Math.round(v * 255) / 255f, v, 1e-7f);
        }
        assertEquals(12, lr.alpha().length);
        assertEquals(77 / 255f, lr.get(2, 1, 1), 1e-6f);
    }

    @Test
    void resizingAnImageGivesTheExactSizeAndTheSameColoursAsThePlanes() {
        BufferedImage image = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                image.setRGB(x, y, (x * 6) << 16 | (y * 8) << 8 | 128);
            }
        }
        BufferedImage out = Bicubic.resize(image, 30, 23);
        assertEquals(30, out.getWidth());
        assertEquals(23, out.getHeight());
        assertEquals(BufferedImage.TYPE_INT_RGB, out.getType());
        float[] red = new float[40 * 30];
        for (int i = 0; i < red.length; i++) {
            red[i] = ((image.getRGB(i % 40, i / 40) >> 16) & 0xff) / 255f;
        }
        float[] expected = Bicubic.resizePlane(red, 40, 30, 30, 23);
        for (int i = 0; i < expected.length; i++) {
            int r = (out.getRGB(i % 30, i / 30) >> 16) & 0xff;
            assertEquals(Math.round(Math.max(0, Math.min(1, expected[i])) * 255), r, "pixel " + i);
            assertEquals(128, out.getRGB(i % 30, i / 30) & 0xff, "a flat channel stays flat");
        }
    }

    @Test
    void resizingWithAlphaKeepsTheColourOfOpaquePixelsNextToTransparentOnes() {
        // opaque red on the right, fully transparent green on the left: the green must not bleed in
        BufferedImage image = new BufferedImage(32, 8, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 32; x++) {
                image.setRGB(x, y, x < 16 ? 0x0000ff00 : 0xffff0000);
            }
        }
        BufferedImage out = Bicubic.resize(image, 24, 6);
        assertEquals(BufferedImage.TYPE_INT_ARGB, out.getType());
        for (int x = 0; x < 24; x++) {
            int p = out.getRGB(x, 3);
            int a = p >>> 24;
            if (a > 0) {
                assertEquals(0xff0000, p & 0xffffff, "x " + x + " alpha " + a);
            }
        }
        assertEquals(0, out.getRGB(0, 3) >>> 24, "transparent stays transparent");
        assertEquals(255, out.getRGB(23, 3) >>> 24, "opaque stays opaque");
    }
}
