package dev.srgan.domain.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Lossless WebP (VP8L) and the alpha planes of lossy WebP, decoded by {@link Vp8lDecoder} exactly as
 * libwebp decodes them: every such file of src/test/resources/webp (its README says what each
 * exercises) against dwebp's decode beside it, alpha included. Damaged and malformed data is
 * refused with an IOException that says why, never another exception, and never a hang (the
 * tests that feed it run on a thread of their own under a timeout).
 */
class Vp8lDecoderTest {

    /** Where a simple-format file's VP8L data starts, after its chunk header at 12. */
    private static final int VP8L_DATA = 20;

    static Stream<String> losslessAndAlphaFiles() {
        List<String> names = new ArrayList<>(List.of(
                "lossless-alpha",
                "lossless-opaque",
                "lossless-1x1",
                "near-lossless-60",
                "crafted-transforms",
                "crafted-palette-first",
                "webpwriter-alpha",
                "webpwriter-narrow",
                "lossy-alpha",
                "alpha-lossless",
                "alpha-raw",
                "alpha-raw-horizontal",
                "alpha-raw-vertical",
                "alpha-raw-gradient",
                "alpha-lossless-gradient"));
        IntStream.rangeClosed(0, 9).forEach(z -> names.add("lossless-z" + z));
        IntStream.of(2, 4, 16, 200).forEach(colours -> names.add("lossless-palette-" + colours));
        IntStream.rangeClosed(1, 7).forEach(width -> names.add("lossless-narrow-" + width));
        IntStream.rangeClosed(1, 7).forEach(width -> names.add("sideways-" + width));
        return names.stream();
    }

    @ParameterizedTest
    @MethodSource("losslessAndAlphaFiles")
    void decodesExactlyAsLibwebpDoes(String name) throws IOException {
        BufferedImage reference = png(name + ".png");
        BufferedImage decoded = WebpImage.decode(WebpFiles.read(name + ".webp"));
        assertEquals(reference.getWidth(), decoded.getWidth());
        assertEquals(reference.getHeight(), decoded.getHeight());
        assertEquals(
                reference.getColorModel().hasAlpha(), decoded.getColorModel().hasAlpha(), "alpha");
        assertArrayEquals(argb(reference), argb(decoded), name);
    }

    @Test
    void readsTheHeaderAndKeepsAlphaOnlyWhereItIsUsed() throws IOException {
        byte[] opaque = WebpFiles.read("lossless-opaque.webp");
        Vp8lDecoder.Image image = Vp8lDecoder.decode(opaque, VP8L_DATA, length(opaque, 12));
        assertEquals(40, image.width());
        assertEquals(30, image.height());
        assertFalse(image.alphaUsed());
        assertEquals(BufferedImage.TYPE_INT_RGB, WebpImage.decode(opaque).getType());
        byte[] translucent = WebpFiles.read("lossless-z0.webp");
        assertTrue(Vp8lDecoder.decode(translucent, VP8L_DATA, length(translucent, 12))
                .alphaUsed());
        assertEquals(BufferedImage.TYPE_INT_ARGB, WebpImage.decode(translucent).getType());
    }

    @Test
    void convertsALosslessWebpWithAColourProfileToSrgb() throws IOException {
        byte[] plain = WebpFiles.read("lossless-opaque.webp");
        BufferedImage stored = WebpImage.decode(plain);
        byte[] p3 = PngColourProfileTest.displayP3();
        BufferedImage shown = ShownImage.decode(WebpFiles.extended(plain, 40, 30, p3, null));
        BufferedImage expected = PngColourProfile.toSrgb(stored, ICC_Profile.getInstance(p3));
        assertArrayEquals(argb(expected), argb(shown));
        assertFalse(Arrays.equals(argb(stored), argb(shown)), "the profile changes the pixels");
    }

    /** Every prefix of the data, from none of it to all but its last byte, is refused. */
    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void refusesEveryTruncation() throws IOException {
        for (String name : List.of("lossless-z9", "crafted-transforms", "sideways-3", "lossless-palette-16")) {
            byte[] file = WebpFiles.read(name + ".webp");
            for (int cut = 0; cut < length(file, 12); cut++) {
                int length = cut;
                refused(() -> Vp8lDecoder.decode(file, VP8L_DATA, length), name + " cut to " + cut + " bytes");
                refused(() -> WebpImage.decode(Arrays.copyOf(file, VP8L_DATA + length)), name + " file cut");
            }
        }
        for (String name : List.of("alpha-lossless", "alpha-lossless-gradient", "alpha-raw-gradient")) {
            byte[] file = WebpFiles.read(name + ".webp");
            BufferedImage picture = png(name + ".png");
            int at = alphaChunk(file);
            for (int cut = 0; cut < length(file, at); cut++) {
                int length = cut;
                refused(
                        () -> Vp8lDecoder.alpha(file, at + 8, length, picture.getWidth(), picture.getHeight()),
                        name + " cut to " + cut + " bytes");
            }
        }
    }

    /**
     * Each byte of the data changed in turn (three ways), and random bytes of it changed together:
     * either it still decodes, to some picture, or it is refused with a message.
     */
    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void refusesDamageWithAMessageOrDecodesIt() throws IOException {
        int refused = 0;
        Random random = new Random(1);
        for (String name : List.of("lossless-z9", "crafted-palette-first", "sideways-5", "lossless-palette-2")) {
            byte[] file = WebpFiles.read(name + ".webp");
            List<byte[]> damaged = new ArrayList<>();
            for (int at = VP8L_DATA; at < VP8L_DATA + length(file, 12); at++) {
                for (int flip : new int[] {0x01, 0x10, 0xff}) {
                    byte[] copy = file.clone();
                    copy[at] ^= (byte) flip;
                    damaged.add(copy);
                }
            }
            for (int i = 0; i < 300; i++) {
                byte[] copy = file.clone();
                for (int k = 0; k < 4; k++) {
                    copy[VP8L_DATA + random.nextInt(length(file, 12))] = (byte) random.nextInt(256);
                }
                damaged.add(copy);
            }
            for (byte[] copy : damaged) {
                try {
                    Vp8lDecoder.decode(copy, VP8L_DATA, length(copy, 12));
                } catch (IOException e) {
                    assertMessage(e);
                    refused++;
                }
            }
        }
        assertTrue(refused > 1000, refused + " refused");
    }

    @Test
    void refusesAWrongSignatureOrVersion() {
        byte[] file = WebpFiles.read("lossless-opaque.webp");
        byte[] signature = file.clone();
        signature[VP8L_DATA] = 0x2e;
        assertEquals(
                "its VP8L data starts with 0x2e, not the signature 0x2f",
                refused(() -> WebpImage.decode(signature), "signature").getMessage());
        byte[] version = Bits.header(3, 3, 1).bytes();
        assertEquals("its VP8L data has version 1, not 0", refused(version).getMessage());
    }

    @Test
    void refusesATransformGivenTwice() {
        byte[] twice =
                Bits.header(4, 4, 0).put(1, 1).put(2, 2).put(1, 1).put(2, 2).bytes(); // subtract green twice
        assertEquals(
                "its VP8L data gives the subtract-green transform twice",
                refused(twice).getMessage());
    }

    @Test
    void refusesAColourCacheOfMoreThan11Bits() {
        byte[] cache = Bits.header(4, 4, 0).put(0, 1).put(1, 1).put(12, 4).bytes();
        assertEquals(
                "its VP8L data has a colour cache of 12 bits (1 to 11 allowed)",
                refused(cache).getMessage());
    }

    @Test
    void refusesPrefixCodesThatAreNotComplete() {
        // the code-length code's lengths, 3 bits each in the order 17, 18, 0, 1: 0 and 1 as 1 and 2 bits
        byte[] incomplete = Bits.image(4, 4)
                .put(0, 1)
                .put(0, 4)
                .put(0, 3)
                .put(0, 3)
                .put(1, 3)
                .put(2, 3)
                .bytes();
        assertEquals(
                "its VP8L data has an incomplete prefix code",
                refused(incomplete).getMessage());
        // 17, 0 and 1 all 1 bit long
        byte[] over = Bits.image(4, 4)
                .put(0, 1)
                .put(0, 4)
                .put(1, 3)
                .put(0, 3)
                .put(1, 3)
                .put(1, 3)
                .bytes();
        assertEquals(
                "its VP8L data has an over-subscribed prefix code",
                refused(over).getMessage());
        // a distance code whose one symbol, 200, lies outside its alphabet of 40
        byte[] none = Bits.image(4, 4)
                .single(0)
                .single(0)
                .single(0)
                .single(0)
                .single(200)
                .bytes();
        assertEquals(
                "its VP8L data has a prefix code without symbols", refused(none).getMessage());
    }

    @Test
    void refusesABackwardReferenceOutsideTheImage() {
        // a 1x100 image, its first code a copy of 3073 or more pixels at distance 1
        byte[] beforeStart =
                Bits.image(1, 100).literalOrLongCopy().put(1, 1).put(0, 10).bytes();
        assertEquals(
                "its VP8L data has a backward reference from pixel 0 at distance 1, before the image start",
                refused(beforeStart).getMessage());
        byte[] pastEnd = Bits.image(1, 100)
                .literalOrLongCopy()
                .put(0, 1)
                .put(1, 1)
                .put(1023, 10)
                .bytes();
        assertEquals(
                "its VP8L data copies 4096 pixels at pixel 1, past the image end (100)",
                refused(pastEnd).getMessage());
    }

    @Test
    void refusesAnAlphaPlaneItCannotRead() {
        byte[] file = WebpFiles.read("alpha-raw.webp");
        int at = alphaChunk(file);
        byte[] unknown = file.clone();
        unknown[at + 8] = (byte) (unknown[at + 8] & ~3 | 2);
        assertEquals(
                "its alpha plane uses compression method 2, which is not defined (0 raw, 1 lossless)",
                refused(() -> WebpImage.decode(unknown), "compression").getMessage());
        assertEquals(
                "its alpha plane has 100 bytes, not the 1073 of its 37x29 pixels",
                refused(() -> Vp8lDecoder.alpha(file, at + 8, 101, 37, 29), "short")
                        .getMessage());
        assertEquals(
                "its alpha plane is 16385x1, beyond 16384 pixels a side",
                refused(() -> Vp8lDecoder.alpha(file, at + 8, length(file, at), 16385, 1), "size")
                        .getMessage());
    }

    private static IOException refused(byte[] vp8l) {
        return refused(() -> Vp8lDecoder.decode(vp8l, 0, vp8l.length), "crafted");
    }

    private static IOException refused(Executable decode, String what) {
        IOException e = assertThrows(IOException.class, decode, what);
        assertMessage(e);
        return e;
    }

    private static void assertMessage(IOException e) {
        assertTrue(e.getMessage() != null && e.getMessage().startsWith("its "), String.valueOf(e.getMessage()));
    }

    /** Where the ALPH chunk of a lossy file starts. */
    private static int alphaChunk(byte[] file) {
        byte[] alph = "ALPH".getBytes(StandardCharsets.US_ASCII);
        for (int at = 12; ; at += 8 + length(file, at) + (length(file, at) & 1)) {
            if (Arrays.equals(file, at, at + 4, alph, 0, 4)) {
                return at;
            }
        }
    }

    private static int length(byte[] file, int chunk) {
        return (file[chunk + 4] & 0xff)
                | (file[chunk + 5] & 0xff) << 8
                | (file[chunk + 6] & 0xff) << 16
                | (file[chunk + 7] & 0xff) << 24;
    }

    private static BufferedImage png(String name) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(WebpFiles.read(name)));
    }

    private static int[] argb(BufferedImage image) {
        return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
    }

    /** A VP8L bitstream written bit by bit, least significant first, for the malformed cases. */
    private static final class Bits {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private int pending;
        private int count;

        /** The 5-byte header: signature, size, alpha not used, version. */
        static Bits header(int width, int height, int version) {
            return new Bits()
                    .put(0x2f, 8)
                    .put(width - 1, 14)
                    .put(height - 1, 14)
                    .put(0, 1)
                    .put(version, 3);
        }

        /** The header, then no transform, no colour cache and no meta prefix codes: the prefix codes come next. */
        static Bits image(int width, int height) {
            return header(width, height, 0).put(0, 1).put(0, 1).put(0, 1);
        }

        Bits put(int value, int n) {
            for (int i = 0; i < n; i++) {
                pending |= (value >> i & 1) << count;
                if (++count == 8) {
                    out.write(pending);
                    pending = 0;
                    count = 0;
                }
            }
            return this;
        }

        /** A simple prefix code of one 8-bit symbol, which then reads no bits. */
        Bits single(int symbol) {
            return put(1, 1).put(0, 1).put(1, 1).put(symbol, 8);
        }

        /**
         * The five prefix codes of an image whose green code has two symbols of 1 bit: literal 0
         * (bit 0) and the last length prefix, 279 (bit 1, then 10 extra bits: 3073 to 4096 pixels);
         * the others one symbol each, 0, so a copy's distance code is 1, the pixel above.
         */
        Bits literalOrLongCopy() {
            // the code-length code, in the order 17, 18, 0, 1: 18 (a run of zeros) and 0 of 2 bits, 1 of 1
            put(0, 1).put(0, 4).put(0, 3).put(2, 3).put(2, 3).put(1, 3).put(0, 1);
            put(0, 1); // length 1 for symbol 0 (code '0')
            put(0b11, 2).put(127, 7).put(0b11, 2).put(127, 7); // 18: 138 zeros, twice (symbols 1-276)
            put(0b01, 2).put(0b01, 2); // 0 (code '10', first bit first), twice (277, 278)
            put(0, 1); // length 1 for symbol 279
            return single(0).single(0).single(0).single(0);
        }

        byte[] bytes() {
            if (count > 0) {
                out.write(pending);
                count = 0;
            }
            return out.toByteArray();
        }
    }
}
