package dev.srgan.api.upscale;

import dev.srgan.domain.images.FileBytes;
import dev.srgan.domain.images.ImageFormat;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * Walks a PNG's, JPEG's or WebP's structure without decoding a pixel, so a truncated or damaged
 * upload is refused at submission instead of failing later on a worker. PNG: the signature, then
 * every chunk (length, type, data, CRC-32 over type and data) up to IEND, with IHDR first and at
 * least one IDAT. JPEG: SOI, then every marker segment by its length, the entropy-coded data after
 * each SOS (byte stuffing and restart markers skipped) up to EOI. WebP: the RIFF header, then every
 * chunk by its length to the size the header gives, with VP8, VP8L or VP8X first and image data
 * (VP8 with its key-frame header, or VP8L with its signature) or animation frames. Reads the
 * stream once, in constant memory. TIFF, whose directories may lie anywhere in the file, is read
 * into memory (the caller bounds its size): every directory in the chain, and every strip or tile
 * of each page inside the file; its pages are counted (reduced-resolution previews are not pages).
 */
public final class ImageStructure {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    /** The PNG specification's limit on a chunk's length. */
    private static final long PNG_MAX_CHUNK = (1L << 31) - 1;

    private ImageStructure() {}

    /**
     * Checks the structure of an image of the given format.
     *
     * @param in the whole file (read to its end or to the first defect; not closed)
     * @param format the format its first bytes say
     * @return empty when the structure is whole, else what is wrong, in words
     */
    public static Optional<String> defect(InputStream in, ImageFormat format) throws IOException {
        return inspect(in, format).defect();
    }

    /**
     * What a walk of an image's structure found: its size from the header (0 when it was not
     * reached), its animation frames or pages (0 for a single picture) and what is wrong with it, if
     * anything.
     */
    public record Inspection(int width, int height, int frames, Optional<String> defect) {
        /** The pixels the header declares. */
        public long pixels() {
            return (long) width * height;
        }

        /** An animated WebP or a TIFF of several pages: none is read, only single pictures. */
        public boolean animated() {
            return frames > 0;
        }
    }

    /** Walks the image's structure (see the class comment); reads the stream once. */
    public static Inspection inspect(InputStream in, ImageFormat format) throws IOException {
        Counting s = new Counting(in instanceof BufferedInputStream ? in : new BufferedInputStream(in, 64 * 1024));
        Optional<String> defect;
        try {
            defect = switch (format) {
                case PNG -> png(s);
                case JPEG -> jpeg(s);
                case WEBP -> webp(s);
                case TIFF -> tiff(s);
            };
        } catch (EOFException e) {
            defect = Optional.of("it is truncated: the file ends at byte " + s.position + " " + s.expecting);
        }
        return new Inspection(s.width, s.height, s.frames, defect);
    }

    private static Optional<String> png(Counting s) throws IOException {
        s.expecting = "inside its signature";
        for (byte b : PNG_SIGNATURE) {
            if (s.next() != (b & 0xff)) {
                return Optional.of("its PNG signature is damaged");
            }
        }
        CRC32 crc = new CRC32();
        byte[] buffer = new byte[64 * 1024];
        boolean first = true;
        boolean data = false;
        while (true) {
            long at = s.position;
            s.expecting = "where a chunk should begin (no IEND chunk)";
            long length = s.u32();
            s.expecting = "inside the header of the chunk at byte " + at;
            byte[] type = s.bytes(4);
            String name = new String(type, StandardCharsets.ISO_8859_1);
            if (length > PNG_MAX_CHUNK || !name.chars().allMatch(Character::isLetter)) {
                return Optional.of("the chunk at byte " + at + " is damaged (type '" + printable(name) + "', length "
                        + length + ")");
            }
            if (first && !name.equals("IHDR")) {
                return Optional.of("its first chunk is " + name + ", not IHDR");
            }
            first = false;
            crc.reset();
            crc.update(type);
            s.expecting = "inside the " + name + " chunk at byte " + at + " (" + length + " bytes of data)";
            for (long left = length; left > 0; ) {
                int n = (int) Math.min(buffer.length, left);
                s.readFully(buffer, n);
                crc.update(buffer, 0, n);
                if (name.equals("IHDR") && left == length && n >= 8) {
                    s.width = (int) Math.min(Integer.MAX_VALUE, u32(buffer, 0));
                    s.height = (int) Math.min(Integer.MAX_VALUE, u32(buffer, 4));
                }
                left -= n;
            }
            s.expecting = "inside the CRC of the " + name + " chunk at byte " + at;
            if (s.u32() != crc.getValue()) {
                return Optional.of("the " + name + " chunk at byte " + at + " is damaged (its CRC does not match)");
            }
            data |= name.equals("IDAT");
            if (name.equals("IEND")) {
                return data ? Optional.empty() : Optional.of("it has no image data (no IDAT chunk)");
            }
        }
    }

    private static Optional<String> jpeg(Counting s) throws IOException {
        s.expecting = "inside its start marker";
        if (s.next() != 0xFF || s.next() != 0xD8) {
            return Optional.of("its JPEG start marker (SOI) is damaged");
        }
        boolean frame = false;
        int pending = -1; // a marker found at the end of a scan's data
        while (true) {
            long at;
            int marker;
            if (pending >= 0) {
                marker = pending;
                pending = -1;
                at = s.position - 2;
            } else {
                at = s.position;
                s.expecting = "where a marker should begin (no EOI marker)";
                int b = s.next();
                if (b != 0xFF) {
                    return Optional.of("a marker was expected at byte " + at + " but the byte there is " + b);
                }
                marker = s.next();
                while (marker == 0xFF) {
                    marker = s.next(); // fill bytes
                }
            }
            if (marker == 0xD9) {
                return frame ? Optional.empty() : Optional.of("it has no frame header (SOF) before its end marker");
            }
            if (marker >= 0xD0 && marker <= 0xD7 || marker == 0x01) {
                continue; // restart markers and TEM carry no length
            }
            s.expecting = "inside the length of the marker FF" + hex(marker) + " at byte " + at;
            int length = (s.next() << 8) | s.next();
            if (length < 2) {
                return Optional.of(
                        "the marker FF" + hex(marker) + " at byte " + at + " has an impossible length " + length);
            }
            s.expecting = "inside the marker segment FF" + hex(marker) + " at byte " + at;
            if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
                frame = true;
                if (length < 7) {
                    return Optional.of("the frame header at byte " + at + " is too short");
                }
                s.next(); // sample precision
                s.height = (s.next() << 8) | s.next();
                s.width = (s.next() << 8) | s.next();
                s.skipFully(length - 7);
            } else {
                s.skipFully(length - 2);
            }
            if (marker == 0xDA) {
                if (!frame) {
                    return Optional.of("its scan at byte " + at + " comes before a frame header (SOF)");
                }
                s.expecting = "inside the image data of the scan at byte " + at + " (no EOI marker)";
                // entropy-coded data: runs until a marker other than stuffing (FF00) or a restart
                while (true) {
                    int c = s.next();
                    if (c != 0xFF) {
                        continue;
                    }
                    int d = s.next();
                    while (d == 0xFF) {
                        d = s.next();
                    }
                    if (d == 0x00 || (d >= 0xD0 && d <= 0xD7)) {
                        continue;
                    }
                    pending = d;
                    break;
                }
            }
        }
    }

    private static Optional<String> webp(Counting s) throws IOException {
        s.expecting = "inside its RIFF header";
        byte[] header = s.bytes(12);
        if (!ascii(header, 0, "RIFF") || !ascii(header, 8, "WEBP")) {
            return Optional.of("its RIFF header is damaged");
        }
        long end = 8 + le32(header, 4);
        boolean first = true;
        boolean data = false;
        while (s.position < end) {
            long at = s.position;
            s.expecting = "inside the header of the chunk at byte " + at;
            byte[] chunk = s.bytes(8);
            String name = new String(chunk, 0, 4, StandardCharsets.ISO_8859_1);
            long length = le32(chunk, 4);
            if (!name.chars().allMatch(c -> c >= 0x20 && c < 0x7f) || at + 8 + length > end) {
                return Optional.of("the chunk at byte " + at + " is damaged (type '" + printable(name) + "', length "
                        + length + ", the file's RIFF size " + (end - 8) + ")");
            }
            if (first && !name.equals("VP8 ") && !name.equals("VP8L") && !name.equals("VP8X")) {
                return Optional.of("its first chunk is '" + printable(name) + "', not VP8, VP8L or VP8X");
            }
            first = false;
            s.expecting = "inside the " + name.strip() + " chunk at byte " + at + " (" + length + " bytes of data)";
            int head = (int) Math.min(length, 10);
            byte[] start = s.bytes(head);
            switch (name) {
                case "VP8X" -> {
                    if (head < 10) {
                        return Optional.of("its VP8X chunk is too short");
                    }
                    s.width = 1 + (int) le24(start, 4);
                    s.height = 1 + (int) le24(start, 7);
                }
                case "VP8 " -> {
                    if (head < 10
                            || (start[0] & 1) != 0
                            || (start[3] & 0xff) != 0x9d
                            || (start[4] & 0xff) != 0x01
                            || (start[5] & 0xff) != 0x2a) {
                        return Optional.of("its VP8 chunk at byte " + at + " is not a key frame (damaged)");
                    }
                    long firstPartition = ((start[0] & 0xff) >> 5) | (start[1] & 0xff) << 3 | (start[2] & 0xff) << 11;
                    if (10 + firstPartition > length) {
                        return Optional.of("its VP8 chunk at byte " + at
                                + " is damaged (its first partition is longer than the chunk)");
                    }
                    if (s.width == 0) {
                        s.width = (start[6] & 0xff) | (start[7] & 0x3f) << 8;
                        s.height = (start[8] & 0xff) | (start[9] & 0x3f) << 8;
                    }
                    data = true;
                }
                case "VP8L" -> {
                    if (head < 5 || (start[0] & 0xff) != 0x2f) {
                        return Optional.of("its VP8L chunk at byte " + at + " has no VP8L signature (damaged)");
                    }
                    if (s.width == 0) {
                        long bits = le32(start, 1);
                        s.width = 1 + (int) (bits & 0x3fff);
                        s.height = 1 + (int) ((bits >> 14) & 0x3fff);
                    }
                    data = true;
                }
                case "ANMF" -> {
                    s.frames++;
                    data = true;
                }
                default -> {}
            }
            // the data, and its pad byte to an even length (some writers leave out the last one)
            s.skipFully(length - head + ((length & 1) == 1 && at + 8 + length < end ? 1 : 0));
        }
        return data ? Optional.empty() : Optional.of("it has no image data (no VP8 or VP8L chunk)");
    }

    private static final int TIFF_SUBFILE_TYPE = 254;
    private static final int TIFF_WIDTH = 256;
    private static final int TIFF_HEIGHT = 257;
    private static final int TIFF_STRIP_OFFSETS = 273;
    private static final int TIFF_STRIP_BYTE_COUNTS = 279;
    private static final int TIFF_TILE_OFFSETS = 324;
    private static final int TIFF_TILE_BYTE_COUNTS = 325;
    /** More directories than this in one file is a loop or a damaged file. */
    private static final int TIFF_MAX_DIRECTORIES = 1024;

    private static Optional<String> tiff(Counting s) throws IOException {
        byte[] file = s.in.readAllBytes();
        s.position = file.length;
        if (file.length < 8) {
            return Optional.of("it is truncated: the file ends at byte " + file.length + " inside its TIFF header");
        }
        boolean little = file[0] == 'I';
        long next = FileBytes.u32(file, 4, little);
        java.util.Set<Long> seen = new java.util.HashSet<>();
        int pages = 0;
        while (next != 0) {
            if (!seen.add(next) || seen.size() > TIFF_MAX_DIRECTORIES) {
                return Optional.of("its directories form a loop (at byte " + next + ")");
            }
            if (next + 2 > file.length) {
                return Optional.of("it is truncated: its directory at byte " + next + " lies past its end (byte "
                        + file.length + ")");
            }
            int at = (int) next;
            int entries = FileBytes.u16(file, at, little);
            if (at + 2 + 12L * entries + 4 > file.length) {
                return Optional.of("it is truncated: the file ends at byte " + file.length + " inside its directory at"
                        + " byte " + at);
            }
            long[] offsets = null;
            long[] counts = null;
            long width = 0;
            long height = 0;
            long subfile = 0;
            for (int i = 0; i < entries; i++) {
                int e = at + 2 + 12 * i;
                int tag = FileBytes.u16(file, e, little);
                switch (tag) {
                    case TIFF_WIDTH -> width = tiffValues(file, e, little)[0];
                    case TIFF_HEIGHT -> height = tiffValues(file, e, little)[0];
                    case TIFF_SUBFILE_TYPE -> subfile = tiffValues(file, e, little)[0];
                    case TIFF_STRIP_OFFSETS, TIFF_TILE_OFFSETS -> offsets = tiffValues(file, e, little);
                    case TIFF_STRIP_BYTE_COUNTS, TIFF_TILE_BYTE_COUNTS -> counts = tiffValues(file, e, little);
                    default -> {}
                }
            }
            if (offsets == null || counts == null || offsets.length != counts.length || width <= 0 || height <= 0) {
                return Optional.of("its directory at byte " + at + " is damaged (no size, or no strips or tiles of"
                        + " image data)");
            }
            for (int i = 0; i < offsets.length; i++) {
                if (offsets[i] + counts[i] > file.length) {
                    return Optional.of("it is truncated: its image data runs to byte " + (offsets[i] + counts[i])
                            + " but the file ends at byte " + file.length);
                }
            }
            if ((subfile & 1) == 0) { // a page, not a reduced-resolution preview of one
                pages++;
                if (s.width == 0) {
                    s.width = (int) Math.min(Integer.MAX_VALUE, width);
                    s.height = (int) Math.min(Integer.MAX_VALUE, height);
                }
            }
            next = FileBytes.u32(file, at + 2 + 12 * entries, little);
        }
        if (pages == 0) {
            return Optional.of("it has no page, only previews or nothing at all");
        }
        s.frames = pages > 1 ? pages : 0;
        return Optional.empty();
    }

    /**
     * The values of a SHORT or LONG directory entry: in the entry when they fit in 4 bytes, else at
     * its offset; an empty array when they lie past the file's end.
     */
    private static long[] tiffValues(byte[] file, int entry, boolean little) {
        int type = FileBytes.u16(file, entry + 2, little);
        long count = FileBytes.u32(file, entry + 4, little);
        int size = type == 3 ? 2 : type == 4 || type == 13 ? 4 : type == 16 ? 8 : 0;
        if (size == 0 || count <= 0 || count > (1 << 24)) {
            return new long[] {0};
        }
        long at = size * count <= 4 ? entry + 8 : FileBytes.u32(file, entry + 8, little);
        if (at + size * count > file.length) {
            return new long[] {Long.MAX_VALUE / 2}; // a value past the end: reported as truncated
        }
        long[] values = new long[(int) count];
        for (int i = 0; i < count; i++) {
            int p = (int) (at + (long) size * i);
            values[i] = size == 2
                    ? FileBytes.u16(file, p, little)
                    : size == 4
                            ? FileBytes.u32(file, p, little)
                            : FileBytes.u32(file, little ? p : p + 4, little)
                                    | FileBytes.u32(file, little ? p + 4 : p, little) << 32;
        }
        return values;
    }

    private static boolean ascii(byte[] b, int at, String text) {
        return new String(b, at, text.length(), StandardCharsets.ISO_8859_1).equals(text);
    }

    private static long le32(byte[] b, int at) {
        return le24(b, at) | (b[at + 3] & 0xffL) << 24;
    }

    private static long le24(byte[] b, int at) {
        return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16;
    }

    private static long u32(byte[] b, int at) {
        return ((long) (b[at] & 0xff) << 24)
                | ((b[at + 1] & 0xff) << 16)
                | ((b[at + 2] & 0xff) << 8)
                | (b[at + 3] & 0xff);
    }

    private static String hex(int b) {
        return String.format("%02X", b);
    }

    private static String printable(String s) {
        return s.replaceAll("[^\\x20-\\x7e]", "?");
    }

    /** A stream that counts its position. */
    private static final class Counting {
        final InputStream in;
        long position;
        String expecting = "";
        int width;
        int height;
        int frames;

        Counting(InputStream in) {
            this.in = in;
        }

        int next() throws IOException {
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            position++;
            return b;
        }

        long u32() throws IOException {
            return ((long) next() << 24) | ((long) next() << 16) | ((long) next() << 8) | next();
        }

        byte[] bytes(int n) throws IOException {
            byte[] b = new byte[n];
            readFully(b, n);
            return b;
        }

        void readFully(byte[] b, int n) throws IOException {
            int off = 0;
            while (off < n) {
                int r = in.read(b, off, n - off);
                if (r < 0) {
                    throw new EOFException();
                }
                off += r;
                position += r;
            }
        }

        void skipFully(long n) throws IOException {
            while (n > 0) {
                long k = in.skip(n);
                if (k <= 0) {
                    if (in.read() < 0) {
                        throw new EOFException();
                    }
                    k = 1;
                }
                n -= k;
                position += k;
            }
        }
    }
}
