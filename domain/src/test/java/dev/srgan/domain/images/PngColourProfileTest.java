package dev.srgan.domain.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PngColourProfileTest {

    /** Samples in Display P3, and what they are in sRGB: P3's primaries, adapted to D50 (as Apple's
     * profile has them), to XYZ and back through sRGB's, with the sRGB curve both ways; clipped. */
    private static final int[][] P3_TO_SRGB = {
        {200, 40, 40, 218, 0, 26},
        {180, 120, 100, 190, 117, 96},
        {30, 160, 90, 0, 163, 82},
        {128, 128, 128, 128, 128, 128},
        {255, 255, 255, 255, 255, 255},
        {0, 0, 0, 0, 0, 0},
    };

    @Test
    void aDisplayP3PngIsConvertedToSrgbAsABrowserShowsIt() throws IOException {
        byte[] png = withChunkAfterHeader(png(samples(false)), "iCCP", iccp("Display P3", displayP3()));
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(png));
        // ImageIO hands over the P3 samples as if they were sRGB: the defect this class exists for
        assertEquals(0xC82828, decoded.getRGB(0, 0) & 0xFFFFFF);
        ICC_Profile profile = PngColourProfile.read(png);
        assertNotNull(profile);
        BufferedImage shown = PngColourProfile.toSrgb(decoded, profile);
        assertEquals(BufferedImage.TYPE_INT_RGB, shown.getType());
        for (int i = 0; i < P3_TO_SRGB.length; i++) {
            int[] expected = Arrays.copyOfRange(P3_TO_SRGB[i], 3, 6);
            int p = shown.getRGB(i, 0);
            int[] got = {(p >> 16) & 0xFF, (p >> 8) & 0xFF, p & 0xFF};
            for (int c = 0; c < 3; c++) {
                assertEquals(expected[c], got[c], 1.0, "colour " + i + ": " + Arrays.toString(got));
            }
        }
    }

    @Test
    void alphaIsKept() throws IOException {
        byte[] png = withChunkAfterHeader(png(samples(true)), "iCCP", iccp("Display P3", displayP3()));
        BufferedImage shown = ShownImage.of(ImageIO.read(new ByteArrayInputStream(png)), png);
        assertEquals(BufferedImage.TYPE_INT_ARGB, shown.getType());
        assertEquals(0x80, shown.getRGB(0, 0) >>> 24);
        assertEquals(218, (shown.getRGB(0, 0) >> 16) & 0xFF, 1.0);
    }

    @Test
    void anEmbeddedSrgbProfileChangesNothing() throws IOException {
        byte[] png = withChunkAfterHeader(
                png(samples(false)),
                "iCCP",
                iccp("sRGB", ICC_Profile.getInstance(ColorSpace.CS_sRGB).getData()));
        assertNull(PngColourProfile.read(png));
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(png));
        assertSame(decoded, ShownImage.of(decoded, png));
    }

    @Test
    void anSrgbChunkBeforeTheProfileWins() throws IOException {
        byte[] png = withChunkAfterHeader(png(samples(false)), "iCCP", iccp("Display P3", displayP3()));
        assertNull(PngColourProfile.read(withChunkAfterHeader(png, "sRGB", new byte[] {0})));
    }

    @Test
    void greyProfilesAndDamagedOnesAreIgnored() throws IOException {
        byte[] plain = png(samples(false));
        byte[] grey = ICC_Profile.getInstance(ColorSpace.CS_GRAY).getData();
        assertNull(PngColourProfile.read(withChunkAfterHeader(plain, "iCCP", iccp("grey", grey))));
        byte[] good = iccp("Display P3", displayP3());
        assertNull(PngColourProfile.read(withChunkAfterHeader(plain, "iCCP", Arrays.copyOf(good, good.length / 2))));
        byte[] garbage = new byte[600];
        Arrays.fill(garbage, (byte) 7);
        assertNull(PngColourProfile.read(withChunkAfterHeader(plain, "iCCP", iccp("garbage", garbage))));
        byte[] noName = Arrays.copyOfRange(good, "Display P3".length(), good.length);
        assertNull(PngColourProfile.read(withChunkAfterHeader(plain, "iCCP", noName)));
        assertNull(PngColourProfile.read(plain));
        assertNull(PngColourProfile.read(Arrays.copyOf(plain, 20)));
        assertNull(PngColourProfile.read("not an image".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void aJpegIsLeftToTheJdkWhichConvertsItsProfileItself() throws IOException {
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        ImageIO.write(samples(false), "jpeg", jpeg);
        assertNull(PngColourProfile.read(jpeg.toByteArray()));
    }

    /** One pixel per row of {@link #P3_TO_SRGB}; alpha 0x80 where asked. */
    private static BufferedImage samples(boolean alpha) {
        BufferedImage image = new BufferedImage(
                P3_TO_SRGB.length, 1, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < P3_TO_SRGB.length; i++) {
            int[] s = P3_TO_SRGB[i];
            image.setRGB(i, 0, (alpha ? 0x80 : 0xFF) << 24 | s[0] << 16 | s[1] << 8 | s[2]);
        }
        return image;
    }

    /** sRGB's profile with Display P3's colourants (same white point and tone curve, as Apple's). */
    static byte[] displayP3() {
        ICC_Profile p3 = ICC_Profile.getInstance(
                ICC_Profile.getInstance(ColorSpace.CS_sRGB).getData());
        p3.setData(ICC_Profile.icSigRedColorantTag, xyz(0.5151, 0.2412, -0.0011));
        p3.setData(ICC_Profile.icSigGreenColorantTag, xyz(0.2920, 0.6922, 0.0419));
        p3.setData(ICC_Profile.icSigBlueColorantTag, xyz(0.1571, 0.0666, 0.7841));
        return p3.getData();
    }

    /** An ICC XYZType tag: 'XYZ ', four reserved bytes, then X, Y, Z as s15Fixed16. */
    private static byte[] xyz(double x, double y, double z) {
        ByteBuffer b = ByteBuffer.allocate(20).putInt(0x58595A20).putInt(0);
        for (double v : new double[] {x, y, z}) {
            b.putInt((int) Math.round(v * 65536));
        }
        return b.array();
    }

    /** An iCCP chunk's data: name, zero, compression method 0, the zlib-compressed profile. */
    private static byte[] iccp(String name, byte[] profile) {
        Deflater deflater = new Deflater();
        deflater.setInput(profile);
        deflater.finish();
        byte[] buf = new byte[profile.length + 64];
        int n = deflater.deflate(buf);
        deflater.end();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(name.getBytes(StandardCharsets.ISO_8859_1));
        out.write(0);
        out.write(0);
        out.write(buf, 0, n);
        return out.toByteArray();
    }

    private static byte[] png(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    /** {@code png} with a chunk inserted right after IHDR (signature 8 bytes, IHDR 25). */
    private static byte[] withChunkAfterHeader(byte[] png, String type, byte[] data) {
        int at = 8 + 25;
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        ByteBuffer chunk = ByteBuffer.allocate(12 + data.length)
                .putInt(data.length)
                .put(typeBytes)
                .put(data)
                .putInt((int) crc.getValue());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, at);
        out.writeBytes(chunk.array());
        out.write(png, at, png.length - at);
        return out.toByteArray();
    }
}
