package dev.srgan.domain.images;

import java.awt.image.BufferedImage;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * The EXIF orientation of a photo: how the stored pixels must be turned to show the picture as
 * the camera saw it. A phone held upright stores its sensor's landscape pixels and says "rotate
 * 90 degrees clockwise" (orientation 6); browsers, viewers and PIL's {@code exif_transpose} apply
 * it, ImageIO does not. An upscale that ignored it would come back lying on its side.
 *
 * <p>Values 1 to 8 as in EXIF 2.32, tag 0x0112 of IFD0: 1 as stored, 2 mirrored left-right, 3
 * turned 180, 4 mirrored top-bottom, 5 transposed, 6 turned 90 clockwise, 7 transversed, 8 turned
 * 90 counter-clockwise. Read from a JPEG's APP1 "Exif" segment, a PNG's eXIf chunk (before
 * IDAT, where browsers read it), a WebP's EXIF chunk (after its image data, where the WebP
 * container puts it) or a TIFF's own first directory; anything else, or damaged metadata, reads as 1.
 */
public final class ExifOrientation {

    /** The stored pixels are shown as they are. */
    public static final int NORMAL = 1;

    private static final int TAG_ORIENTATION = 0x0112;
    private static final int TYPE_SHORT = 3;
    /** The PNG signature after its first two bytes (0x89, 'P'). */
    private static final byte[] PNG_SIGNATURE_REST = {'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};

    private static final int PNG_EXIF = 0x65584966; // "eXIf"
    private static final int PNG_IDAT = 0x49444154;
    private static final int PNG_IEND = 0x49454E44;
    private static final int RIFF_RI = 0x5249; // "RI", a RIFF file's first two bytes
    private static final int TIFF_II = 0x4949; // "II", a little-endian TIFF
    private static final int TIFF_MM = 0x4D4D; // "MM", a big-endian TIFF
    /** An EXIF block larger than this is not read (a JPEG segment holds at most 64 KB anyway). */
    private static final int MAX_EXIF_BYTES = 1 << 20;

    private ExifOrientation() {}

    /**
     * Reads the orientation from the start of a PNG or JPEG, up to its pixel data, or from a WebP's
     * EXIF chunk.
     *
     * @param in the encoded image, from its first byte; read only as far as the metadata goes
     * @return 1 to 8; 1 where the image says nothing or its metadata cannot be read
     */
    public static int read(InputStream in) {
        try {
            DataInputStream data = new DataInputStream(
                    in instanceof ByteArrayInputStream || in instanceof BufferedInputStream
                            ? in
                            : new BufferedInputStream(in));
            int first = data.readUnsignedShort();
            if (first == 0xFFD8) {
                return fromJpeg(data);
            }
            if (first == 0x8950 && Arrays.equals(data.readNBytes(PNG_SIGNATURE_REST.length), PNG_SIGNATURE_REST)) {
                return fromPng(data);
            }
            if (first == RIFF_RI) {
                return fromWebp(data);
            }
            if (first == TIFF_II || first == TIFF_MM) {
                return fromTiffFile(data, first == TIFF_II);
            }
            return NORMAL;
        } catch (IOException | RuntimeException e) {
            return NORMAL;
        }
    }

    /** Reads the orientation of an image held in memory; see {@link #read(InputStream)}. */
    public static int read(byte[] encoded) {
        return read(new ByteArrayInputStream(encoded));
    }

    /** True for the orientations that swap width and height (5 to 8). */
    public static boolean swapsAxes(int orientation) {
        return orientation >= 5 && orientation <= 8;
    }

    /**
     * Turns decoded pixels into the picture a viewer shows: upright, and read as sRGB by getRGB and
     * Java2D ({@link SrgbPixels#readable}: grey and CMYK files too).
     *
     * @param stored the pixels as ImageIO decoded them, any type
     * @param orientation 1 to 8 ({@link #read}); any other value counts as 1
     * @return for orientation 1, {@link SrgbPixels#readable} of {@code stored} (most often
     *     {@code stored} itself); else a new TYPE_INT_RGB image, or TYPE_INT_ARGB where it has alpha
     */
    public static BufferedImage upright(BufferedImage stored, int orientation) {
        if (orientation < 2 || orientation > 8) {
            return SrgbPixels.readable(stored);
        }
        int w = stored.getWidth();
        int h = stored.getHeight();
        int[] in = SrgbPixels.argb(stored);
        boolean swap = swapsAxes(orientation);
        int ow = swap ? h : w;
        int oh = swap ? w : h;
        int[] out = new int[ow * oh];
        // the stored pixel shown at (x, y): swap the axes (5-8), then mirror the stored column or row
        boolean mirrorX = orientation == 2 || orientation == 3 || orientation == 7 || orientation == 8;
        boolean mirrorY = orientation == 3 || orientation == 4 || orientation == 6 || orientation == 7;
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int sx = swap ? y : x;
                int sy = swap ? x : y;
                out[y * ow + x] = in[(mirrorY ? h - 1 - sy : sy) * w + (mirrorX ? w - 1 - sx : sx)];
            }
        }
        boolean alpha = stored.getColorModel().hasAlpha();
        BufferedImage image =
                new BufferedImage(ow, oh, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, ow, oh, out, 0, ow);
        return image;
    }

    /** Walks the JPEG's marker segments up to the start of the scan, looking for APP1 "Exif". */
    private static int fromJpeg(DataInputStream in) throws IOException {
        while (true) {
            int b = in.readUnsignedByte();
            if (b != 0xFF) {
                return NORMAL; // not at a marker: damaged, or scan data
            }
            int marker = in.readUnsignedByte();
            while (marker == 0xFF) { // fill bytes
                marker = in.readUnsignedByte();
            }
            if (marker == 0xDA || marker == 0xD9) { // start of scan, end of image
                return NORMAL;
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { // no length
                continue;
            }
            int length = in.readUnsignedShort() - 2;
            if (length < 0) {
                return NORMAL;
            }
            if (marker == 0xE1 && length >= 14) {
                byte[] segment = in.readNBytes(length);
                if (segment.length == length && startsWith(segment, "Exif\0\0")) {
                    int found = fromTiff(segment, 6);
                    if (found != 0) {
                        return found;
                    }
                }
                continue; // an APP1 of XMP, or an Exif block without the tag
            }
            skipFully(in, length);
        }
    }

    /** Walks the PNG's chunks up to IDAT, looking for eXIf. */
    private static int fromPng(DataInputStream in) throws IOException {
        while (true) {
            long length = in.readInt() & 0xFFFFFFFFL;
            int type = in.readInt();
            if (type == PNG_IDAT || type == PNG_IEND) {
                return NORMAL;
            }
            if (type == PNG_EXIF && length <= MAX_EXIF_BYTES) {
                byte[] tiff = in.readNBytes((int) length);
                int found = tiff.length == length ? fromTiff(tiff, 0) : 0;
                return found == 0 ? NORMAL : found;
            }
            skipFully(in, length + 4); // the data and its CRC
        }
    }

    /** Reads the tag from a TIFF file's first directory (which only ever lies after its 8-byte header). */
    private static int fromTiffFile(DataInputStream in, boolean little) throws IOException {
        byte[] header = in.readNBytes(6); // 42, the first directory's offset
        if (header.length < 6) {
            return NORMAL;
        }
        long offset = u32(header, 2, little);
        if (offset < 8) {
            return NORMAL;
        }
        skipFully(in, offset - 8);
        byte[] count = in.readNBytes(2);
        if (count.length < 2) {
            return NORMAL;
        }
        int entries = u16(count, 0, little);
        byte[] directory = in.readNBytes(12 * entries);
        // the directory as a TIFF structure of its own: a header pointing at it, then its entries
        byte[] tiff = new byte[8 + 2 + directory.length];
        tiff[0] = tiff[1] = (byte) (little ? 'I' : 'M');
        tiff[little ? 2 : 3] = 42;
        tiff[little ? 4 : 7] = 8;
        tiff[8] = count[0];
        tiff[9] = count[1];
        System.arraycopy(directory, 0, tiff, 10, directory.length);
        int found = fromTiff(tiff, 0);
        return found == 0 ? NORMAL : found;
    }

    /** Walks the WebP's RIFF chunks, looking for EXIF (a TIFF structure, some writers prefix "Exif\0\0"). */
    private static int fromWebp(DataInputStream in) throws IOException {
        byte[] header = in.readNBytes(10); // "FF", the RIFF size, "WEBP"
        if (header.length < 10
                || header[0] != 'F'
                || header[1] != 'F'
                || !startsWith(Arrays.copyOfRange(header, 6, 10), "WEBP")) {
            return NORMAL;
        }
        while (true) {
            byte[] chunk = in.readNBytes(8);
            if (chunk.length < 8) {
                return NORMAL;
            }
            long length = u32(chunk, 4, true);
            if (startsWith(chunk, "EXIF") && length <= MAX_EXIF_BYTES) {
                byte[] exif = in.readNBytes((int) length);
                if (exif.length != length) {
                    return NORMAL;
                }
                int found = fromTiff(exif, exif.length >= 6 && startsWith(exif, "Exif\0\0") ? 6 : 0);
                return found == 0 ? NORMAL : found;
            }
            skipFully(in, length + (length & 1)); // the data and its pad byte
        }
    }

    /**
     * Reads tag 0x0112 from IFD0 of the TIFF structure at {@code start}.
     *
     * @return 1 to 8, or 0 where the tag is missing or out of range
     */
    private static int fromTiff(byte[] b, int start) {
        if (b.length < start + 8) {
            return 0;
        }
        boolean little;
        if (b[start] == 'I' && b[start + 1] == 'I') {
            little = true;
        } else if (b[start] == 'M' && b[start + 1] == 'M') {
            little = false;
        } else {
            return 0;
        }
        if (u16(b, start + 2, little) != 42) {
            return 0;
        }
        long ifd = start + (u32(b, start + 4, little));
        if (ifd < start + 8 || ifd + 2 > b.length) {
            return 0;
        }
        int entries = u16(b, (int) ifd, little);
        for (int i = 0; i < entries; i++) {
            int e = (int) ifd + 2 + 12 * i;
            if (e + 12 > b.length) {
                return 0;
            }
            if (u16(b, e, little) == TAG_ORIENTATION) {
                if (u16(b, e + 2, little) != TYPE_SHORT) {
                    return 0;
                }
                int value = u16(b, e + 8, little);
                return value >= 1 && value <= 8 ? value : 0;
            }
        }
        return 0;
    }

    private static int u16(byte[] b, int at, boolean little) {
        return FileBytes.u16(b, at, little);
    }

    private static long u32(byte[] b, int at, boolean little) {
        return FileBytes.u32(b, at, little);
    }

    private static boolean startsWith(byte[] b, String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            if (b[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static void skipFully(InputStream in, long n) throws IOException {
        long left = n;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new EOFException();
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }
}
