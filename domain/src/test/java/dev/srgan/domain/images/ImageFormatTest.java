package dev.srgan.domain.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * WebP beside PNG and JPEG: known by its first bytes, decoded bit for bit as libwebp decodes it (the
 * reference PNGs beside the fixtures are libwebp's own decode, by PIL and dwebp), shown upright by
 * its EXIF chunk and in sRGB from its ICC profile, as PNG and JPEG are.
 */
class ImageFormatTest {

    @Test
    void knowsTheFormatsByTheirFirstBytesAndNamesTheOthers() {
        assertEquals(Optional.of(ImageFormat.WEBP), ImageFormat.sniff(head(WebpFiles.read("lossy.webp"))));
        assertEquals(Optional.of(ImageFormat.WEBP), ImageFormat.sniff(head(WebpFiles.read("lossless-alpha.webp"))));
        assertEquals(Optional.of(ImageFormat.PNG), ImageFormat.sniff(head(WebpFiles.read("lossy.png"))));
        assertEquals(Optional.empty(), ImageFormat.sniff(ascii("RIFF\0\0\0\0WAVEfmt ")));
        assertEquals("a GIF image", ImageFormat.describe(ascii("GIF89a\0\0\0\0\0\0\0\0\0\0")));
        assertEquals("a HEIC image", ImageFormat.describe(ascii("\0\0\0\u0018ftypheic\0\0\0\0")));
        assertEquals("an AVIF image", ImageFormat.describe(ascii("\0\0\0\u001cftypavif\0\0\0\0")));
        assertEquals("TIFF", ImageFormat.describe(ascii("II*\0\u0008\0\0\0")));
        assertEquals("not an image format we know", ImageFormat.describe(ascii("hello")));
        assertEquals("WebP", ImageFormat.describe(head(WebpFiles.read("lossy.webp"))));
    }

    @Test
    void namesByExtension() {
        assertEquals(Optional.of(ImageFormat.WEBP), ImageFormat.byName("holiday/Beach.WEBP"));
        assertEquals(Optional.of(ImageFormat.JPEG), ImageFormat.byName("a.jpeg"));
        assertTrue(ImageFormat.isImageName("x.png"));
        assertFalse(ImageFormat.isImageName("webp"));
        assertFalse(ImageFormat.isImageName("notes.txt"));
        assertFalse(ImageFormat.isImageName("photo.gif"));
        assertTrue(ImageFormat.isImageName("scan.tiff"));
    }

    /** Bit for bit: the normal and the simple loop filter, sharpness, one segment or four, odd sizes, quality 3 to 80. */
    @ParameterizedTest
    @ValueSource(strings = {"lossy", "simple-filter", "one-segment", "low-quality"})
    void decodesLossyWebpExactlyAsLibwebpDoes(String name) throws IOException {
        assertCloseTo(name + ".png", ShownImage.decode(WebpFiles.read(name + ".webp")), 0, 0);
    }

    @Test
    void decodesLosslessWebpWithAlphaExactly() throws IOException {
        BufferedImage decoded = ShownImage.decode(WebpFiles.read("lossless-alpha.webp"));
        assertTrue(decoded.getColorModel().hasAlpha());
        assertCloseTo("lossless-alpha.png", decoded, 0, 0);
    }

    @Test
    void decodesLossyWebpWithAlpha() throws IOException {
        BufferedImage decoded = ShownImage.decode(WebpFiles.read("lossy-alpha.webp"));
        assertTrue(decoded.getColorModel().hasAlpha());
        assertCloseTo("lossy-alpha.png", decoded, 0, 0);
    }

    @Test
    void showsAPhonesWebpUprightAsPilDoes() throws IOException {
        byte[] file = WebpFiles.read("rotated-exif6.webp"); // 40x24 stored, EXIF orientation 6, written by PIL
        assertEquals(6, ExifOrientation.read(file));
        assertCloseTo("rotated-exif6.png", ShownImage.decode(file), 0, 0); // PIL's exif_transpose of libwebp's decode
    }

    @Test
    void turnsAWebpUprightByItsExifChunk() throws IOException {
        byte[] plain = WebpFiles.read("lossy.webp");
        BufferedImage stored = ShownImage.decode(plain);
        for (byte[] exif :
                new byte[][] {ExifOrientationTest.tiff(6, true), withExifPrefix(ExifOrientationTest.tiff(6, false))}) {
            byte[] rotated = WebpFiles.extended(plain, 64, 48, null, exif);
            assertEquals(6, ExifOrientation.read(rotated));
            BufferedImage shown = ShownImage.decode(rotated);
            assertEquals(48, shown.getWidth());
            assertEquals(64, shown.getHeight());
            // orientation 6: the picture is the stored pixels turned 90 degrees clockwise
            for (int y = 0; y < 64; y++) {
                for (int x = 0; x < 48; x++) {
                    assertEquals(stored.getRGB(y, 47 - x), shown.getRGB(x, y), "pixel " + x + "," + y);
                }
            }
        }
        assertEquals(ExifOrientation.NORMAL, ExifOrientation.read(plain));
    }

    @Test
    void refusesAWebpWhoseCanvasIsNotItsPictureSize() {
        byte[] plain = WebpFiles.read("lossy.webp"); // 64x48
        IOException e =
                assertThrows(IOException.class, () -> ShownImage.decode(WebpFiles.extended(plain, 65, 48, null, null)));
        assertTrue(e.getMessage().contains("its canvas (VP8X) is 65x48 but its picture 64x48"), e.getMessage());
    }

    @Test
    void convertsAWebpWithAColourProfileToSrgb() throws IOException {
        byte[] plain = WebpFiles.read("lossy.webp");
        BufferedImage stored = ShownImage.decode(plain);
        byte[] p3 = PngColourProfileTest.displayP3();
        BufferedImage shown = ShownImage.decode(WebpFiles.extended(plain, 64, 48, p3, null));
        BufferedImage expected = PngColourProfile.toSrgb(stored, java.awt.color.ICC_Profile.getInstance(p3));
        int changed = 0;
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                int e = expected.getRGB(x, y);
                int s = shown.getRGB(x, y);
                changed += e != stored.getRGB(x, y) ? 1 : 0;
                for (int shift = 0; shift <= 16; shift += 8) {
                    assertTrue(Math.abs((e >> shift & 0xff) - (s >> shift & 0xff)) <= 2, "pixel " + x + "," + y);
                }
            }
        }
        assertTrue(changed > 64 * 48 / 2, "the profile changes most pixels: " + changed);
    }

    @Test
    void refusesWhatItCannotRead() {
        IOException e = assertThrows(IOException.class, () -> ShownImage.decode(ascii("GIF89a and more")));
        assertEquals("not a PNG, JPEG, WebP or TIFF image", e.getMessage());
        byte[] lossy = WebpFiles.read("lossy.webp");
        assertThrows(IOException.class, () -> ShownImage.decode(Arrays.copyOf(lossy, 40)));
    }

    /** Every channel within {@code maxError} levels, and their mean absolute error within {@code maxMean}. */
    private static void assertCloseTo(String referenceName, BufferedImage decoded, int maxError, double maxMean)
            throws IOException {
        BufferedImage reference = png(referenceName);
        assertEquals(reference.getWidth(), decoded.getWidth());
        assertEquals(reference.getHeight(), decoded.getHeight());
        long sum = 0;
        int worst = 0;
        for (int y = 0; y < reference.getHeight(); y++) {
            for (int x = 0; x < reference.getWidth(); x++) {
                int r = reference.getRGB(x, y);
                int d = decoded.getRGB(x, y);
                for (int shift = 0; shift <= 24; shift += 8) {
                    int diff = Math.abs((r >>> shift & 0xff) - (d >>> shift & 0xff));
                    sum += diff;
                    worst = Math.max(worst, diff);
                }
            }
        }
        double mean = sum / (4.0 * reference.getWidth() * reference.getHeight());
        assertTrue(worst <= maxError && mean <= maxMean, "worst " + worst + " levels, mean " + mean);
    }

    private static BufferedImage png(String name) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(WebpFiles.read(name)));
    }

    private static byte[] head(byte[] file) {
        return Arrays.copyOf(file, Math.min(file.length, ImageFormat.HEAD_BYTES));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] withExifPrefix(byte[] tiff) {
        byte[] out = new byte[6 + tiff.length];
        System.arraycopy("Exif\0\0".getBytes(StandardCharsets.US_ASCII), 0, out, 0, 6);
        System.arraycopy(tiff, 0, out, 6, tiff.length);
        return out;
    }
}
