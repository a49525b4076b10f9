package dev.srgan.domain.images;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExifOrientationTest {

    /**
     * The picture, 2 wide and 3 high, as a viewer shows it:
     *
     * <pre>
     * a b
     * c d
     * e f
     * </pre>
     */
    private static final int A = 0x10, B = 0x20, C = 0x30, D = 0x40, E = 0x50, F = 0x60;

    private static final int[][] UPRIGHT = {{A, B}, {C, D}, {E, F}};

    /**
     * How a camera stores that picture under each orientation, written out from EXIF 2.32's
     * description of the tag ("the 0th row is the visual ..., the 0th column the visual ...").
     */
    private static final int[][][] STORED = {
        null,
        null,
        {{B, A}, {D, C}, {F, E}}, // 2: 0th row top, 0th column right
        {{F, E}, {D, C}, {B, A}}, // 3: 0th row bottom, 0th column right
        {{E, F}, {C, D}, {A, B}}, // 4: 0th row bottom, 0th column left
        {{A, C, E}, {B, D, F}}, // 5: 0th row left, 0th column top
        {{B, D, F}, {A, C, E}}, // 6: 0th row right, 0th column top
        {{F, D, B}, {E, C, A}}, // 7: 0th row right, 0th column bottom
        {{E, C, A}, {F, D, B}}, // 8: 0th row left, 0th column bottom
    };

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 5, 6, 7, 8})
    void everyOrientationTurnsTheStoredPixelsUpright(int orientation) {
        BufferedImage upright = ExifOrientation.upright(image(STORED[orientation]), orientation);
        assertEquals(2, upright.getWidth());
        assertEquals(3, upright.getHeight());
        assertArrayEquals(flat(UPRIGHT), SrgbPixels.argb(upright), "orientation " + orientation);
    }

    @Test
    void orientationOneOrUnknownKeepsTheImage() {
        BufferedImage stored = image(UPRIGHT);
        for (int orientation : new int[] {1, 0, 9}) {
            assertSame(stored, ExifOrientation.upright(stored, orientation), "orientation " + orientation);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 6, 8})
    void readsTheTagFromAJpegsExifSegmentInEitherByteOrder(int orientation) throws IOException {
        byte[] jpeg = encode(image(UPRIGHT), "jpeg");
        assertEquals(orientation, ExifOrientation.read(withJpegApp1(jpeg, exifApp1(orientation, true))));
        assertEquals(orientation, ExifOrientation.read(withJpegApp1(jpeg, exifApp1(orientation, false))));
    }

    @Test
    void skipsAnXmpSegmentBeforeTheExifOne() throws IOException {
        byte[] jpeg = encode(image(UPRIGHT), "jpeg");
        byte[] xmp = app1("http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>".getBytes(StandardCharsets.US_ASCII));
        byte[] withExif = withJpegApp1(jpeg, exifApp1(6, false));
        assertEquals(6, ExifOrientation.read(withJpegApp1(withExif, xmp)));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 5, 7})
    void readsTheTagFromAPngsExifChunk(int orientation) throws IOException {
        byte[] png = encode(image(UPRIGHT), "png");
        assertEquals(orientation, ExifOrientation.read(withPngExif(png, tiff(orientation, true))));
        assertEquals(orientation, ExifOrientation.read(withPngExif(png, tiff(orientation, false))));
    }

    @Test
    void anImageWithoutTheTagOrWithDamagedMetadataReadsAsNormal() throws IOException {
        byte[] jpeg = encode(image(UPRIGHT), "jpeg");
        byte[] png = encode(image(UPRIGHT), "png");
        assertEquals(1, ExifOrientation.read(jpeg));
        assertEquals(1, ExifOrientation.read(png));
        assertEquals(1, ExifOrientation.read(new byte[0]));
        assertEquals(1, ExifOrientation.read("GIF89a".getBytes(StandardCharsets.US_ASCII)));
        byte[] exif = withJpegApp1(jpeg, exifApp1(6, true));
        assertEquals(1, ExifOrientation.read(Arrays.copyOf(exif, 30)), "cut inside the Exif segment");
        byte[] outOfRange = withJpegApp1(jpeg, exifApp1(9, true));
        assertEquals(1, ExifOrientation.read(outOfRange));
        byte[] badIfd = exifApp1(6, true);
        badIfd[4 + 6 + 4] = (byte) 0xF0; // IFD0's offset far past the segment's end
        assertEquals(1, ExifOrientation.read(withJpegApp1(jpeg, badIfd)));
    }

    @Test
    void onlyTheQuarterTurnsSwapTheAxes() {
        for (int o = 0; o <= 9; o++) {
            assertEquals(o >= 5 && o <= 8, ExifOrientation.swapsAxes(o), "orientation " + o);
        }
    }

    private static BufferedImage image(int[][] rows) {
        int h = rows.length;
        int w = rows[0].length;
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, rows[y][x] << 16 | rows[y][x] << 8 | rows[y][x]);
            }
        }
        return image;
    }

    private static int[] flat(int[][] rows) {
        return Arrays.stream(rows)
                .flatMapToInt(Arrays::stream)
                .map(v -> 0xFF000000 | v << 16 | v << 8 | v)
                .toArray();
    }

    private static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, format, out);
        return out.toByteArray();
    }

    /** A TIFF structure whose IFD0 holds a make tag, then the orientation. */
    static byte[] tiff(int orientation, boolean little) {
        ByteBuffer b =
                ByteBuffer.allocate(8 + 2 + 2 * 12 + 4).order(little ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        b.put(little ? (byte) 'I' : (byte) 'M').put(little ? (byte) 'I' : (byte) 'M');
        b.putShort((short) 42).putInt(8);
        b.putShort((short) 2);
        b.putShort((short) 0x010F).putShort((short) 2).putInt(4).put("abc\0".getBytes(StandardCharsets.US_ASCII));
        b.putShort((short) 0x0112)
                .putShort((short) 3)
                .putInt(1)
                .putShort((short) orientation)
                .putShort((short) 0);
        b.putInt(0);
        return b.array();
    }

    private static byte[] exifApp1(int orientation, boolean little) {
        byte[] tiff = tiff(orientation, little);
        byte[] body = new byte[6 + tiff.length];
        System.arraycopy("Exif\0\0".getBytes(StandardCharsets.US_ASCII), 0, body, 0, 6);
        System.arraycopy(tiff, 0, body, 6, tiff.length);
        return app1(body);
    }

    private static byte[] app1(byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(4 + body.length);
        b.put((byte) 0xFF).put((byte) 0xE1).putShort((short) (body.length + 2)).put(body);
        return b.array();
    }

    /** The JPEG with {@code segment} right after SOI and the JFIF APP0 ImageIO writes. */
    private static byte[] withJpegApp1(byte[] jpeg, byte[] segment) {
        int app0 = 2 + 2 + ((jpeg[4] & 0xFF) << 8 | (jpeg[5] & 0xFF));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, app0);
        out.write(segment, 0, segment.length);
        out.write(jpeg, app0, jpeg.length - app0);
        return out.toByteArray();
    }

    /** The PNG with an eXIf chunk right after IHDR. */
    private static byte[] withPngExif(byte[] png, byte[] tiff) {
        int afterIhdr = 8 + 4 + 4 + 13 + 4;
        ByteBuffer chunk = ByteBuffer.allocate(12 + tiff.length);
        chunk.putInt(tiff.length)
                .put("eXIf".getBytes(StandardCharsets.US_ASCII))
                .put(tiff);
        CRC32 crc = new CRC32();
        crc.update(chunk.array(), 4, 4 + tiff.length);
        chunk.putInt((int) crc.getValue());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, afterIhdr);
        out.write(chunk.array(), 0, chunk.capacity());
        out.write(png, afterIhdr, png.length - afterIhdr);
        return out.toByteArray();
    }
}
