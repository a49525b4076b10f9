package dev.srgan.domain.images;

/** Unsigned integers read from a file's bytes in either byte order, as TIFF and EXIF store them. */
public final class FileBytes {

    private FileBytes() {}

    /** The unsigned 16-bit value at {@code at}; {@code little}: least significant byte first ("II"). */
    public static int u16(byte[] b, int at, boolean little) {
        int b0 = b[at] & 0xFF;
        int b1 = b[at + 1] & 0xFF;
        return little ? b1 << 8 | b0 : b0 << 8 | b1;
    }

    /** The unsigned 32-bit value at {@code at}, in the byte order {@code little} says. */
    public static long u32(byte[] b, int at, boolean little) {
        long hi = u16(b, little ? at + 2 : at, little);
        long lo = u16(b, little ? at : at + 2, little);
        return hi << 16 | lo;
    }
}
