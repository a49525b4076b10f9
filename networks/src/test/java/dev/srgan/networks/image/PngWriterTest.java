package dev.srgan.networks.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
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
    void bandsDeflatedApartJoinIntoOneValidZlibStream() throws Exception {
        BufferedImage rgb = random(301, 97, BufferedImage.TYPE_INT_RGB, 3);
        BufferedImage argb = random(64, 50, BufferedImage.TYPE_INT_ARGB, 4);
        for (int parts : new int[] {1, 2, 3, 7, 50}) {
            for (BufferedImage image : new BufferedImage[] {rgb, argb}) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                PngWriter.write(image, out, parts);
                byte[] png = out.toByteArray();
                // the concatenated IDAT data inflates, and its Adler-32 checks out (Inflater verifies it)
                byte[] raw = inflate(idat(png));
                int channels = image.getColorModel().hasAlpha() ? 4 : 3;
                assertEquals(image.getHeight() * (1 + image.getWidth() * channels), raw.length, "parts " + parts);
                BufferedImage back = ImageIO.read(new ByteArrayInputStream(png));
                assertArrayEquals(pixels(image, 0xffffffff), pixels(back, 0xffffffff), "parts " + parts);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> PngWriter.write(argb, new ByteArrayOutputStream(), 51));
    }

    /** The payloads of a PNG's IDAT chunks, in order. */
    private static byte[] idat(byte[] png) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        ByteBuffer b = ByteBuffer.wrap(png);
        b.position(8);
        while (b.remaining() >= 12) {
            int length = b.getInt();
            byte[] type = new byte[4];
            b.get(type);
            if (new String(type, StandardCharsets.US_ASCII).equals("IDAT")) {
                data.write(png, b.position(), length);
            }
            b.position(b.position() + length + 4);
        }
        return data.toByteArray();
    }

    private static byte[] inflate(byte[] zlib) throws DataFormatException {
        Inflater inflater = new Inflater();
        inflater.setInput(zlib);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[1 << 16];
        while (!inflater.finished()) {
            int n = inflater.inflate(buffer);
            if (n == 0 && inflater.needsInput()) {
                throw new DataFormatException("the zlib stream ends early");
            }
            out.write(buffer, 0, n);
        }
        inflater.end();
        return out.toByteArray();
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
