package dev.srgan.networks.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngWriterTest {

    private static BufferedImage random(int w, int h, int type, long seed) {
        BufferedImage image = new BufferedImage(w, h, type);
        Random r = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                // smooth ramps plus noise, with every byte value reached somewhere
                int v = (x * 7 + y * 3 + r.nextInt(40)) & 0xff;
                image.setRGB(x, y, (r.nextInt(256) << 24) | (v << 16) | ((255 - v) << 8) | r.nextInt(256));
            }
        }
        return image;
    }

    private static BufferedImage roundTrip(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PngWriter.write(image, out);
        return ImageIO.read(new ByteArrayInputStream(out.toByteArray()));
    }

    private static int[] pixels(BufferedImage image, int mask) {
        int[] p = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
        for (int i = 0; i < p.length; i++) {
            p[i] &= mask;
        }
        return p;
    }

    @Test
    void rgbImagesDecodeToTheSamePixels() throws IOException {
        // wide enough for several IDAT chunks
        BufferedImage image = random(700, 300, BufferedImage.TYPE_INT_RGB, 1);
        BufferedImage back = roundTrip(image);
        assertEquals(700, back.getWidth());
        assertEquals(300, back.getHeight());
        assertTrue(!back.getColorModel().hasAlpha(), "RGB stays without alpha");
        assertArrayEquals(pixels(image, 0xffffff), pixels(back, 0xffffff));
    }

    @Test
    void alphaIsKept() throws IOException {
        BufferedImage image = random(33, 17, BufferedImage.TYPE_INT_ARGB, 2);
        BufferedImage back = roundTrip(image);
        assertTrue(back.getColorModel().hasAlpha());
        assertArrayEquals(pixels(image, 0xffffffff), pixels(back, 0xffffffff));
    }

    @Test
    void otherImageTypesAreReadThroughTheirColourModel() throws IOException {
        BufferedImage gray = new BufferedImage(9, 5, BufferedImage.TYPE_BYTE_GRAY);
        for (int x = 0; x < 9; x++) {
            gray.getRaster().setSample(x, 2, 0, x * 30);
        }
        assertArrayEquals(pixels(gray, 0xffffff), pixels(roundTrip(gray), 0xffffff));
        BufferedImage sub = random(40, 40, BufferedImage.TYPE_INT_RGB, 3).getSubimage(5, 7, 20, 11);
        assertArrayEquals(pixels(sub, 0xffffff), pixels(roundTrip(sub), 0xffffff));
    }

    @Test
    void aOnePixelImageIsValid() throws IOException {
        BufferedImage one = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        one.setRGB(0, 0, 0x123456);
        assertEquals(0x123456, roundTrip(one).getRGB(0, 0) & 0xffffff);
    }
}
