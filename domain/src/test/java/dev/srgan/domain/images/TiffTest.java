package dev.srgan.domain.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** TIFF beside PNG, JPEG and WebP: known by its first bytes, decoded as stored, shown upright by its own orientation tag. */
class TiffTest {

    @Test
    void knowsTiffByItsFirstBytesAndNamesBigTiff() throws IOException {
        byte[] tiff = TiffFiles.write("LZW", 0, TiffFiles.picture(8, 8));
        assertEquals(Optional.of(ImageFormat.TIFF), ImageFormat.sniff(java.util.Arrays.copyOf(tiff, 16)));
        assertEquals(Optional.of(ImageFormat.TIFF), ImageFormat.byName("scan.TIF"));
        assertEquals(
                "a BigTIFF image", ImageFormat.describe("II+\0\u0008\0\0\0".getBytes(StandardCharsets.ISO_8859_1)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "LZW", "Deflate", "PackBits"})
    void decodesEveryLosslessCompressionExactly(String compression) throws IOException {
        BufferedImage picture = TiffFiles.picture(50, 40);
        BufferedImage decoded =
                ShownImage.decode(TiffFiles.write(compression.equals("none") ? null : compression, 0, picture));
        assertArrayEquals(picture.getRGB(0, 0, 50, 40, null, 0, 50), decoded.getRGB(0, 0, 50, 40, null, 0, 50));
    }

    /** libtiff (through PIL) writes the directory after the image data: read exactly all the same. */
    @Test
    void readsLibtiffsLayoutExactly() throws IOException {
        BufferedImage decoded = ShownImage.decode(WebpFiles.read("libtiff-lzw.tif"));
        BufferedImage reference =
                javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(WebpFiles.read("libtiff-lzw.png")));
        assertArrayEquals(reference.getRGB(0, 0, 45, 33, null, 0, 45), decoded.getRGB(0, 0, 45, 33, null, 0, 45));
    }

    @Test
    void aSixteenBitGreyScanKeepsItsLevels() throws IOException {
        BufferedImage grey = new BufferedImage(16, 4, BufferedImage.TYPE_USHORT_GRAY);
        WritableRaster raster = grey.getRaster();
        for (int x = 0; x < 16; x++) {
            for (int y = 0; y < 4; y++) {
                raster.setSample(x, y, 0, x * 0x1111); // 0x0000 to 0xFFFF
            }
        }
        BufferedImage decoded = ShownImage.decode(TiffFiles.write("Deflate", 0, grey));
        for (int x = 0; x < 16; x++) {
            int level = x * 0x11; // the sample's top byte: sRGB-encoded grey, as a viewer shows it
            assertEquals(0xFF000000 | level << 16 | level << 8 | level, decoded.getRGB(x, 1), "column " + x);
        }
    }

    @Test
    void turnsATiffUprightByItsOrientationTag() throws IOException {
        BufferedImage picture = TiffFiles.picture(30, 20);
        byte[] rotated = TiffFiles.write("LZW", 6, picture);
        assertEquals(6, ExifOrientation.read(rotated));
        BufferedImage shown = ShownImage.decode(rotated);
        assertEquals(20, shown.getWidth());
        assertEquals(30, shown.getHeight());
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 20; x++) {
                assertEquals(picture.getRGB(y, 19 - x), shown.getRGB(x, y), "pixel " + x + "," + y);
            }
        }
        assertEquals(ExifOrientation.NORMAL, ExifOrientation.read(TiffFiles.write("LZW", 0, picture)));
    }
}
