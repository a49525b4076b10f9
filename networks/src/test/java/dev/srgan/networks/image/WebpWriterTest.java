package dev.srgan.networks.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.domain.images.SrgbPixels;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntBinaryOperator;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * Round trips through TwelveMonkeys' WebP reader, which must give back every pixel bit for bit.
 * (libwebp's {@code dwebp} decoded the same images to the same pixels when checked by hand; it is
 * not available to the build.)
 */
class WebpWriterTest {

    private static byte[] webp(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WebpWriter.write(image, out);
        return out.toByteArray();
    }

    /** Encodes, decodes and checks every pixel against the sRGB ARGB values the writer was given. */
    private static byte[] assertRoundTrip(BufferedImage image) throws IOException {
        assertTrue(ImageIO.getImageReadersByFormatName("webp").hasNext(), "a WebP reader on the classpath");
        byte[] bytes = webp(image);
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(bytes));
        int w = image.getWidth();
        int h = image.getHeight();
        assertEquals(w, back.getWidth());
        assertEquals(h, back.getHeight());
        int[] expected = SrgbPixels.argb(image);
        if (!image.getColorModel().hasAlpha()) {
            for (int i = 0; i < expected.length; i++) {
                expected[i] |= 0xff000000;
            }
        }
        assertArrayEquals(expected, back.getRGB(0, 0, w, h, null, 0, w), w + "x" + h + " pixels");
        Header header = Header.of(bytes);
        assertEquals(w, header.width);
        assertEquals(h, header.height);
        assertEquals(image.getColorModel().hasAlpha(), header.alphaIsUsed);
        return bytes;
    }

    private static BufferedImage image(int w, int h, int type, IntBinaryOperator argb) {
        BufferedImage image = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, argb.applyAsInt(x, y));
            }
        }
        return image;
    }

    /** Ramps plus independent noise in red and green, constant blue, as JpegWriterTest's. */
    private static BufferedImage photoLike(int w, int h, int type) {
        Random random = new Random(3);
        return image(w, h, type, (x, y) -> {
            int r = Math.min(255, x * 255 / w + random.nextInt(16));
            int g = Math.min(255, y * 255 / h + random.nextInt(16));
            return 0xff000000 | r << 16 | g << 8 | 96;
        });
    }

    /** Noise in every channel, alpha included. */
    private static BufferedImage noisy(int w, int h, int type, long seed) {
        Random random = new Random(seed);
        return image(w, h, type, (x, y) -> {
            int v = (x * 7 + y * 3 + random.nextInt(40)) & 0xff;
            return random.nextInt(256) << 24 | v << 16 | (255 - v) << 8 | random.nextInt(256);
        });
    }

    /** A photograph upscaled 2x with bicubic, as an upscale's output looks. */
    private static BufferedImage upscaledPhoto() throws IOException {
        try (InputStream in = WebpWriterTest.class.getResourceAsStream("/photos/skimage-chelsea.png")) {
            BufferedImage photo = Images.decode(in);
            return Bicubic.resize(photo, 2 * photo.getWidth(), 2 * photo.getHeight());
        }
    }

    @Test
    void onePixelImagesRoundTrip() throws IOException {
        // no backward references: an empty distance code, and one value per channel
        assertRoundTrip(image(1, 1, BufferedImage.TYPE_INT_RGB, (x, y) -> 0x123456));
        assertRoundTrip(image(1, 1, BufferedImage.TYPE_INT_ARGB, (x, y) -> 0x80fedcba));
        assertRoundTrip(image(1, 1, BufferedImage.TYPE_INT_ARGB, (x, y) -> 0));
    }

    @Test
    void oddSizesRoundTrip() throws IOException {
        assertRoundTrip(noisy(37, 19, BufferedImage.TYPE_INT_ARGB, 1));
        assertRoundTrip(photoLike(37, 19, BufferedImage.TYPE_INT_RGB));
        assertRoundTrip(noisy(1, 23, BufferedImage.TYPE_INT_RGB, 2));
        assertRoundTrip(noisy(23, 1, BufferedImage.TYPE_INT_RGB, 3));
        assertRoundTrip(noisy(2, 2, BufferedImage.TYPE_INT_ARGB, 4));
    }

    @Test
    void aFlatImageIsTiny() throws IOException {
        // one value per channel (simple codes), then one long copy of the pixel on the left
        byte[] opaque = assertRoundTrip(image(64, 48, BufferedImage.TYPE_INT_RGB, (x, y) -> 0x3366cc));
        byte[] translucent = assertRoundTrip(image(64, 48, BufferedImage.TYPE_INT_ARGB, (x, y) -> 0x403366cc));
        assertTrue(opaque.length < 100, opaque.length + " bytes");
        assertTrue(translucent.length < 100, translucent.length + " bytes");
        // a run longer than the longest copy (4096)
        assertRoundTrip(image(300, 200, BufferedImage.TYPE_INT_RGB, (x, y) -> 0));
    }

    @Test
    void aSmoothGradientRoundTripsSmall() throws IOException {
        BufferedImage gradient = image(
                300,
                200,
                BufferedImage.TYPE_INT_RGB,
                (x, y) -> (x * 255 / 299) << 16 | (y * 255 / 199) << 8 | (x + y) * 255 / 499);
        byte[] bytes = assertRoundTrip(gradient);
        assertTrue(bytes.length < 300 * 200 / 10, bytes.length + " bytes");
    }

    @Test
    void aNoisyPhotoLikeImageRoundTrips() throws IOException {
        assertRoundTrip(photoLike(256, 192, BufferedImage.TYPE_INT_RGB));
        assertRoundTrip(noisy(201, 133, BufferedImage.TYPE_INT_RGB, 5));
    }

    @Test
    void varyingAlphaIsKept() throws IOException {
        assertRoundTrip(noisy(201, 133, BufferedImage.TYPE_INT_ARGB, 6));
        // transparent pixels of different colours stay different
        assertRoundTrip(image(64, 64, BufferedImage.TYPE_INT_ARGB, (x, y) -> (x * 4) << 24 | (y * 4) << 8 | x));
    }

    @Test
    void opaqueImagesAreWrittenWithoutAlpha() throws IOException {
        byte[] bytes = assertRoundTrip(photoLike(64, 40, BufferedImage.TYPE_INT_RGB));
        assertFalse(Header.of(bytes).alphaIsUsed);
        BufferedImage gray = new BufferedImage(9, 5, BufferedImage.TYPE_BYTE_GRAY);
        for (int x = 0; x < 9; x++) {
            gray.getRaster().setSample(x, 2, 0, x * 30);
        }
        assertRoundTrip(gray);
        assertRoundTrip(noisy(40, 40, BufferedImage.TYPE_INT_RGB, 7).getSubimage(5, 7, 20, 11));
    }

    @Test
    void repetitivePatternsUseBackwardReferences() throws IOException {
        // copies from the left, from rows up (the 2-D distance map) and from far away (distance + 120)
        BufferedImage pattern = image(257, 190, BufferedImage.TYPE_INT_RGB, (x, y) -> {
            int v = ((x / 3) ^ (y / 2)) * 37;
            return v * 0x10101 & 0xffffff;
        });
        byte[] bytes = assertRoundTrip(pattern);
        assertTrue(bytes.length < 257 * 190 / 5, bytes.length + " bytes");
        BufferedImage tiles =
                image(400, 300, BufferedImage.TYPE_INT_RGB, (x, y) -> new Random(x % 13 * 31 + y % 7).nextInt());
        bytes = assertRoundTrip(tiles);
        assertTrue(bytes.length < 400 * 300 / 10, bytes.length + " bytes");
        BufferedImage stripes =
                image(500, 60, BufferedImage.TYPE_INT_ARGB, (x, y) -> new Random(y % 5 * 1000 + x % 250).nextInt());
        assertRoundTrip(stripes);
    }

    @Test
    void narrowImagesUseOnlyDistancesTheReaderWraps() throws IOException {
        // in an image narrower than 8 pixels, some 2-D map codes reach more than a row sideways
        for (int w = 1; w <= 9; w++) {
            int width = w;
            assertRoundTrip(image(w, 300, BufferedImage.TYPE_INT_RGB, (x, y) -> new Random(x * 31 + y % 5).nextInt()));
            assertRoundTrip(image(w, 120, BufferedImage.TYPE_INT_ARGB, (x, y) -> (y * width + x) % 11 * 0x1f2f3f4f));
        }
    }

    @Test
    void aLargeImageRoundTrips() throws IOException {
        assertRoundTrip(photoLike(1500, 1100, BufferedImage.TYPE_INT_RGB));
    }

    @Test
    void theRiffAndVp8lHeadersAreThoseOfTheSpec() throws IOException {
        for (BufferedImage image : new BufferedImage[] {
            noisy(37, 19, BufferedImage.TYPE_INT_ARGB, 8),
            noisy(38, 19, BufferedImage.TYPE_INT_RGB, 9),
            noisy(5, 3, BufferedImage.TYPE_INT_RGB, 10),
            image(16384, 1, BufferedImage.TYPE_INT_RGB, (x, y) -> x)
        }) {
            byte[] b = webp(image);
            assertEquals("RIFF", ascii(b, 0));
            assertEquals(b.length - 8, littleEndian(b, 4), "RIFF size: the file less 8 bytes");
            assertEquals("WEBP", ascii(b, 8));
            assertEquals("VP8L", ascii(b, 12));
            int chunk = littleEndian(b, 16);
            assertEquals(20 + chunk + (chunk & 1), b.length, "the chunk, padded to an even size");
            if ((chunk & 1) == 1) {
                assertEquals(0, b[b.length - 1]);
            }
            Header header = Header.of(b);
            assertEquals(image.getWidth(), header.width);
            assertEquals(image.getHeight(), header.height);
            assertEquals(image.getColorModel().hasAlpha(), header.alphaIsUsed);
            assertEquals(0, header.version);
        }
    }

    @Test
    void imagesWiderOrTallerThan16384AreRefused() {
        BufferedImage wide = new BufferedImage(WebpWriter.MAX_DIMENSION + 1, 1, BufferedImage.TYPE_INT_RGB);
        BufferedImage tall = new BufferedImage(1, WebpWriter.MAX_DIMENSION + 1, BufferedImage.TYPE_INT_RGB);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> webp(wide));
        assertTrue(e.getMessage().contains("16384"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> webp(tall));
    }

    @Test
    void photosAreSmallerThanPng() throws IOException {
        for (BufferedImage image :
                new BufferedImage[] {upscaledPhoto(), photoLike(512, 384, BufferedImage.TYPE_INT_RGB)}) {
            byte[] webp = assertRoundTrip(image);
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            PngWriter.write(image, png);
            assertTrue(
                    webp.length < 0.85 * png.size(),
                    image.getWidth() + "x" + image.getHeight() + ": WebP " + webp.length + " bytes, PNG " + png.size());
        }
    }

    @Test
    void theOutputIsTheSameOnEveryCallAndThread() throws Exception {
        BufferedImage image = photoLike(700, 500, BufferedImage.TYPE_INT_RGB);
        byte[] first = webp(image);
        List<CompletableFuture<byte[]>> others = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            others.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return webp(image);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (CompletableFuture<byte[]> other : others) {
            assertArrayEquals(first, other.get());
        }
    }

    private static String ascii(byte[] b, int at) {
        return new String(b, at, 4, StandardCharsets.US_ASCII);
    }

    private static int littleEndian(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    /** The VP8L image header: signature 0x2f, then width - 1 and height - 1 (14 bits), alpha, version. */
    private record Header(int width, int height, boolean alphaIsUsed, int version) {
        static Header of(byte[] b) {
            assertEquals(0x2f, b[20] & 0xff, "VP8L signature");
            int bits = littleEndian(b, 21);
            return new Header((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1, ((bits >>> 28) & 1) == 1, bits >>> 29);
        }
    }
}
