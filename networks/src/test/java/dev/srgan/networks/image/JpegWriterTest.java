package dev.srgan.networks.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class JpegWriterTest {

    private static BufferedImage photoLike(int w, int h, int type) {
        BufferedImage image = new BufferedImage(w, h, type);
        Random random = new Random(3);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = Math.min(255, x * 255 / w + random.nextInt(16));
                int g = Math.min(255, y * 255 / h + random.nextInt(16));
                image.setRGB(x, y, 0xff000000 | r << 16 | g << 8 | 96);
            }
        }
        return image;
    }

    private static byte[] jpeg(BufferedImage image, int quality) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JpegWriter.write(image, quality, out);
        return out.toByteArray();
    }

    @Test
    void writesAPlainJfifThatDecodesToTheSameSizeAndColours() throws IOException {
        BufferedImage image = photoLike(101, 67, BufferedImage.TYPE_INT_RGB);
        byte[] bytes = jpeg(image, 92);
        assertEquals(0xff, bytes[0] & 0xff);
        assertEquals(0xd8, bytes[1] & 0xff);
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(bytes));
        assertEquals(101, back.getWidth());
        assertEquals(67, back.getHeight());
        assertFalse(back.getColorModel().hasAlpha());
        double error = 0;
        for (int y = 0; y < 67; y++) {
            for (int x = 0; x < 101; x++) {
                error += Math.abs(((back.getRGB(x, y) >> 16) & 0xff) - ((image.getRGB(x, y) >> 16) & 0xff));
            }
        }
        assertTrue(error / (101 * 67) < 6, "mean red error " + error / (101 * 67));
        assertEquals("4:2:0", Jfif.subsampling(bytes));
        assertFalse(Jfif.hasMarker(bytes, 0xe1), "no EXIF (APP1)");
        assertFalse(Jfif.hasMarker(bytes, 0xe2), "no ICC profile (APP2)");
    }

    @Test
    void lowerQualityMakesASmallerFile() throws IOException {
        BufferedImage image = photoLike(128, 128, BufferedImage.TYPE_INT_RGB);
        assertTrue(jpeg(image, 30).length < jpeg(image, 92).length);
        assertThrows(IllegalArgumentException.class, () -> jpeg(image, 0));
        assertThrows(IllegalArgumentException.class, () -> jpeg(image, 101));
    }

    @Test
    void transparencyIsCompositedOnWhite() throws IOException {
        BufferedImage image = new BufferedImage(32, 16, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 32; x++) {
                // left: transparent black, right: half transparent blue
                image.setRGB(x, y, x < 16 ? 0x00000000 : 0x800000ff);
            }
        }
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(jpeg(image, 95)));
        assertEquals(BufferedImage.TYPE_3BYTE_BGR, back.getType(), "three channels, no alpha");
        int white = back.getRGB(4, 8);
        assertNear(255, (white >> 16) & 0xff, "transparent is white, not black");
        assertNear(255, white & 0xff, "");
        int blue = back.getRGB(28, 8);
        assertNear(127, (blue >> 16) & 0xff, "half blue on white: red 127");
        assertNear(255, blue & 0xff, "blue 255");
    }

    private static void assertNear(int expected, int actual, String what) {
        assertTrue(Math.abs(expected - actual) <= 3, what + ": expected about " + expected + ", got " + actual);
    }

    /** Reads a JPEG's markers, as a decoder does. */
    static final class Jfif {
        /** The chroma subsampling of a three-component frame, from its SOF's sampling factors. */
        static String subsampling(byte[] b) {
            int sof = find(b, 0xc0);
            int components = b[sof + 9] & 0xff;
            assertEquals(3, components);
            int y = b[sof + 11] & 0xff;
            int cb = b[sof + 14] & 0xff;
            int cr = b[sof + 17] & 0xff;
            assertEquals(0x11, cb);
            assertEquals(0x11, cr);
            return switch (y) {
                case 0x22 -> "4:2:0";
                case 0x21 -> "4:2:2";
                case 0x11 -> "4:4:4";
                default -> Integer.toHexString(y);
            };
        }

        static boolean hasMarker(byte[] b, int marker) {
            return find(b, marker) >= 0;
        }

        /** The offset of a marker among the segments before the scan, or -1. */
        private static int find(byte[] b, int marker) {
            int i = 2;
            while (i + 4 <= b.length && (b[i] & 0xff) == 0xff) {
                int m = b[i + 1] & 0xff;
                if (m == marker) {
                    return i;
                }
                if (m == 0xda) {
                    return -1;
                }
                i += 2 + ((b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff));
            }
            return -1;
        }
    }
}
