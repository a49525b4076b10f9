package dev.srgan.domain.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class SrgbPixelsTest {

    private static final int[] LEVELS = {0, 1, 32, 64, 128, 192, 254, 255};

    @Test
    void aGreyPngReadsAsTheSameGreyNotAsLinearLight() throws IOException {
        BufferedImage grey = new BufferedImage(LEVELS.length, 1, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSamples(0, 0, LEVELS.length, 1, 0, LEVELS);
        BufferedImage decoded = roundTrip(grey, "png");
        assertEquals(BufferedImage.TYPE_BYTE_GRAY, decoded.getType());
        assertArrayEquals(opaqueGrey(LEVELS), SrgbPixels.argb(decoded));
        // what getRGB gives, the defect this class exists for: grey 64 shown as 137
        assertEquals(137, decoded.getRGB(3, 0) & 0xFF);
    }

    @Test
    void aGreyJpegReadsAsTheSameGrey() throws IOException {
        BufferedImage grey = new BufferedImage(64, 8, BufferedImage.TYPE_BYTE_GRAY);
        for (int x = 0; x < 64; x++) {
            for (int y = 0; y < 8; y++) {
                grey.getRaster().setSample(x, y, 0, 64); // flat, so the JPEG keeps it within a level
            }
        }
        int[] argb = SrgbPixels.argb(roundTrip(grey, "jpeg"));
        for (int p : argb) {
            assertEquals(64, p & 0xFF, 1.0);
            assertEquals(p & 0xFF, (p >> 16) & 0xFF);
        }
    }

    @Test
    void aSixteenBitGreyPngRoundsToEightBits() throws IOException {
        BufferedImage grey = new BufferedImage(LEVELS.length, 1, BufferedImage.TYPE_USHORT_GRAY);
        int[] wide = new int[LEVELS.length];
        for (int i = 0; i < wide.length; i++) {
            wide[i] = LEVELS[i] * 257;
        }
        wide[1] = 300; // 1.17 levels: rounds to 1
        grey.getRaster().setSamples(0, 0, wide.length, 1, 0, wide);
        assertArrayEquals(opaqueGrey(LEVELS), SrgbPixels.argb(roundTrip(grey, "png")));
    }

    @Test
    void aGreyPngWithAlphaKeepsItsAlpha() throws IOException {
        ComponentColorModel cm = new ComponentColorModel(
                ColorSpace.getInstance(ColorSpace.CS_GRAY),
                true,
                false,
                Transparency.TRANSLUCENT,
                DataBuffer.TYPE_BYTE);
        WritableRaster raster = cm.createCompatibleWritableRaster(2, 1);
        raster.setPixel(0, 0, new int[] {64, 255});
        raster.setPixel(1, 0, new int[] {200, 10});
        BufferedImage decoded = roundTrip(new BufferedImage(cm, raster, false, null), "png");
        assertArrayEquals(new int[] {0xFF404040, 0x0AC8C8C8}, SrgbPixels.argb(decoded));
    }

    @Test
    void cmykWithoutAProfileIsConvertedAsInkOnPaper() {
        ComponentColorModel cm =
                new ComponentColorModel(new PlainCmyk(), false, false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        WritableRaster raster = cm.createCompatibleWritableRaster(4, 1);
        raster.setPixel(0, 0, new int[] {0, 0, 0, 0}); // paper
        raster.setPixel(1, 0, new int[] {0, 0, 0, 255}); // black ink
        raster.setPixel(2, 0, new int[] {255, 0, 0, 0}); // cyan
        raster.setPixel(3, 0, new int[] {226, 239, 247, 0}); // a dark brown, as PIL writes it
        int[] argb = SrgbPixels.argb(new BufferedImage(cm, raster, false, null));
        assertArrayEquals(new int[] {0xFFFFFFFF, 0xFF000000, 0xFF00FFFF, 0xFF1D1008}, argb);
    }

    @Test
    void rgbGoesThroughGetRgbAndIsKeptWhileGreyIsCopiedIntoIntRgb() throws IOException {
        BufferedImage rgb = new BufferedImage(2, 1, BufferedImage.TYPE_3BYTE_BGR);
        rgb.setRGB(0, 0, 0x123456);
        rgb.setRGB(1, 0, 0xABCDEF);
        assertArrayEquals(new int[] {0xFF123456, 0xFFABCDEF}, SrgbPixels.argb(rgb));
        assertSame(rgb, SrgbPixels.readable(rgb));

        BufferedImage grey = new BufferedImage(LEVELS.length, 1, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSamples(0, 0, LEVELS.length, 1, 0, LEVELS);
        BufferedImage readable = SrgbPixels.readable(roundTrip(grey, "png"));
        assertEquals(BufferedImage.TYPE_INT_RGB, readable.getType());
        assertArrayEquals(opaqueGrey(LEVELS), readable.getRGB(0, 0, LEVELS.length, 1, null, 0, LEVELS.length));
    }

    private static int[] opaqueGrey(int[] levels) {
        int[] argb = new int[levels.length];
        for (int i = 0; i < levels.length; i++) {
            int v = levels[i];
            argb[i] = 0xFF000000 | v << 16 | v << 8 | v;
        }
        return argb;
    }

    private static BufferedImage roundTrip(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, format, out);
        return ImageIO.read(new ByteArrayInputStream(out.toByteArray()));
    }

    /** A CMYK colour space that is not ICC, as ImageIO gives a CMYK JPEG without a profile. */
    private static final class PlainCmyk extends ColorSpace {
        PlainCmyk() {
            super(ColorSpace.TYPE_CMYK, 4);
        }

        @Override
        public float[] toRGB(float[] v) {
            return new float[] {(1 - v[0]) * (1 - v[3]), (1 - v[1]) * (1 - v[3]), (1 - v[2]) * (1 - v[3])};
        }

        @Override
        public float[] fromRGB(float[] rgb) {
            throw new UnsupportedOperationException();
        }

        @Override
        public float[] toCIEXYZ(float[] v) {
            throw new UnsupportedOperationException();
        }

        @Override
        public float[] fromCIEXYZ(float[] xyz) {
            throw new UnsupportedOperationException();
        }
    }
}
