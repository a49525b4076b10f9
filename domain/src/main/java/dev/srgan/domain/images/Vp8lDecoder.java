package dev.srgan.domain.images;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decodes the lossless WebP bitstream (VP8L, RFC 9649 sections 3 to 5) to ARGB pixels, and the
 * ALPH chunk of a lossy WebP to its alpha plane, with the pixels libwebp decodes. (TwelveMonkeys'
 * reader, which read these before, misreads or refuses backward references that reach more than
 * a row sideways in images narrower than 8 pixels.)
 *
 * <p>The structure follows the specification: the header, the transforms (predictor, colour,
 * subtract green, colour indexing, each at most once, undone in reverse order at the end), the
 * colour cache, the meta prefix codes chosen per block by an entropy image, then the pixels as
 * literals, backward references and colour cache hits. The transform data and the entropy image
 * are sub-images, coded the same way without transforms or meta codes. Prefix codes decode through
 * an 8-bit first-level table with second-level tables for longer codes. Malformed data is refused
 * with an IOException whose message says what is wrong; where the specification leaves a case
 * open (a simple code's symbol outside its alphabet, a predictor mode of 14 or 15) this reads as
 * libwebp does.
 */
final class Vp8lDecoder {

    /** A decoded lossless image: ARGB pixels as stored (not premultiplied), row by row. */
    record Image(int width, int height, int[] argb, boolean alphaUsed) {}

    /** The specification's limit on either side: its header has 14 bits for each. */
    private static final int MAX_SIDE = 16384;

    private static final int SIGNATURE = 0x2f;
    private static final int PREDICTOR = 0;
    private static final int COLOUR = 1;
    private static final int SUBTRACT_GREEN = 2;
    private static final int COLOUR_INDEXING = 3;
    private static final String[] TRANSFORM_NAMES = {"predictor", "colour", "subtract-green", "colour-indexing"};

    private static final int GREEN = 0;
    private static final int RED = 1;
    private static final int BLUE = 2;
    private static final int ALPHA = 3;
    private static final int DISTANCE = 4;
    private static final int LITERALS = 256;
    private static final int LENGTH_CODES = 24;
    private static final int DISTANCE_CODES = 40;
    private static final int[] ALPHABET_SIZES = {LITERALS + LENGTH_CODES, LITERALS, LITERALS, LITERALS, DISTANCE_CODES};
    private static final int MAX_CACHE_BITS = 11;
    private static final int CACHE_HASH = 0x1e35a7bd;

    private static final int MAX_CODE_LENGTH = 15;
    private static final int ROOT_BITS = 8;
    private static final int DEFAULT_CODE_LENGTH = 8;
    private static final int[] CODE_LENGTH_ORDER = {17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

    /**
     * The first 120 distance codes, each a 2-D offset as libwebp's kCodeToPlane packs the
     * specification's (xi, yi) table: yi in the high nibble, 8 - xi in the low one.
     */
    private static final int[] DISTANCE_MAP = {
        0x18, 0x07, 0x17, 0x19, 0x28, 0x06, 0x27, 0x29, 0x16, 0x1a, 0x26, 0x2a, 0x38, 0x05, 0x37, 0x39, 0x15, 0x1b,
        0x36, 0x3a, 0x25, 0x2b, 0x48, 0x04, 0x47, 0x49, 0x14, 0x1c, 0x35, 0x3b, 0x46, 0x4a, 0x24, 0x2c, 0x58, 0x45,
        0x4b, 0x34, 0x3c, 0x03, 0x57, 0x59, 0x13, 0x1d, 0x56, 0x5a, 0x23, 0x2d, 0x44, 0x4c, 0x55, 0x5b, 0x33, 0x3d,
        0x68, 0x02, 0x67, 0x69, 0x12, 0x1e, 0x66, 0x6a, 0x22, 0x2e, 0x54, 0x5c, 0x43, 0x4d, 0x65, 0x6b, 0x32, 0x3e,
        0x78, 0x01, 0x77, 0x79, 0x53, 0x5d, 0x11, 0x1f, 0x64, 0x6c, 0x42, 0x4e, 0x76, 0x7a, 0x21, 0x2f, 0x75, 0x7b,
        0x31, 0x3f, 0x63, 0x6d, 0x52, 0x5e, 0x00, 0x74, 0x7c, 0x41, 0x4f, 0x10, 0x20, 0x62, 0x6e, 0x30, 0x73, 0x7d,
        0x51, 0x5f, 0x40, 0x72, 0x7e, 0x61, 0x6f, 0x50, 0x71, 0x7f, 0x60, 0x70
    };

    /** A transform as read: its type, the image width it applies to, its block or bundling bits, its data. */
    private record Transform(int type, int width, int bits, int[] data) {}

    private final byte[] data;
    private final int end;
    private final String subject;
    private int pos;
    /** The bit buffer: the next unread bit is its lowest. */
    private long bits;
    /** How many bits of {@link #bits} are loaded. */
    private int count;
    /** Zero bytes loaded after the data's end; reading any of them means the data ran out. */
    private int padding;

    private Vp8lDecoder(byte[] data, int offset, int length, String subject) {
        this.data = data;
        this.pos = offset;
        this.end = offset + length;
        this.subject = subject;
    }

    /**
     * Decodes a VP8L chunk's data: its 5-byte header, then the image.
     *
     * @throws IOException if the data is not a valid VP8L bitstream (the message says why)
     */
    static Image decode(byte[] data, int offset, int length) throws IOException {
        Vp8lDecoder in = new Vp8lDecoder(data, offset, length, "its VP8L data");
        if (length < 5) {
            throw in.error("is truncated (" + length + " bytes, the header alone is 5)");
        }
        int signature = in.read(8);
        if (signature != SIGNATURE) {
            throw in.error("starts with 0x" + Integer.toHexString(signature) + ", not the signature 0x2f");
        }
        int width = in.read(14) + 1;
        int height = in.read(14) + 1;
        boolean alphaUsed = in.read(1) == 1;
        int version = in.read(3);
        if (version != 0) {
            throw in.error("has version " + version + ", not 0");
        }
        int[] argb = in.image(width, height);
        return new Image(width, height, argb, alphaUsed);
    }

    /**
     * Decodes an ALPH chunk's data to the alpha plane of a lossy picture of the given size: its header
     * byte (compression, filtering; the pre-processing and reserved bits are ignored, as RFC 9649
     * says readers may), the plane raw or as a VP8L image stream without header whose green channel
     * carries the alpha, then the filtering undone.
     *
     * @return the alpha values, one byte a pixel, row by row
     * @throws IOException if the data is damaged or uses a compression method not defined
     */
    static byte[] alpha(byte[] data, int offset, int length, int width, int height) throws IOException {
        Vp8lDecoder in = new Vp8lDecoder(data, offset + 1, length - 1, "its alpha plane");
        if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) {
            throw in.error("is " + width + "x" + height + ", beyond " + MAX_SIDE + " pixels a side");
        }
        if (length < 2) {
            throw in.error("is empty");
        }
        int header = data[offset] & 0xff;
        int compression = header & 3;
        int filter = header >> 2 & 3;
        byte[] plane = new byte[width * height];
        if (compression == 0) {
            if (length - 1 < plane.length) {
                throw in.error("has " + (length - 1) + " bytes, not the " + plane.length + " of its " + width + "x"
                        + height + " pixels");
            }
            System.arraycopy(data, offset + 1, plane, 0, plane.length);
        } else if (compression == 1) {
            int[] argb = in.image(width, height);
            for (int i = 0; i < plane.length; i++) {
                plane[i] = (byte) (argb[i] >> 8);
            }
        } else {
            throw in.error("uses compression method " + compression + ", which is not defined (0 raw, 1 lossless)");
        }
        unfilter(plane, width, height, filter);
        return plane;
    }

    /** The image after the header: transforms, the entropy-coded pixels, the transforms undone. */
    private int[] image(int width, int height) throws IOException {
        List<Transform> transforms = new ArrayList<>();
        int codedWidth = width;
        int seen = 0;
        while (read(1) == 1) {
            int type = read(2);
            if ((seen & 1 << type) != 0) {
                throw error("gives the " + TRANSFORM_NAMES[type] + " transform twice");
            }
            seen |= 1 << type;
            switch (type) {
                case PREDICTOR, COLOUR -> {
                    int bits = read(3) + 2;
                    int[] blocks = entropyCoded(subsampled(codedWidth, bits), subsampled(height, bits), false);
                    transforms.add(new Transform(type, codedWidth, bits, blocks));
                }
                case SUBTRACT_GREEN -> transforms.add(new Transform(type, codedWidth, 0, null));
                default -> {
                    int colours = read(8) + 1;
                    int bits = colours > 16 ? 0 : colours > 4 ? 1 : colours > 2 ? 2 : 3;
                    int[] palette = palette(entropyCoded(colours, 1, false), bits);
                    transforms.add(new Transform(type, codedWidth, bits, palette));
                    codedWidth = subsampled(codedWidth, bits);
                }
            }
        }
        int[] pixels = entropyCoded(codedWidth, height, true);
        for (int t = transforms.size() - 1; t >= 0; t--) {
            Transform transform = transforms.get(t);
            switch (transform.type) {
                case PREDICTOR -> unpredict(pixels, transform.width, height, transform.bits, transform.data);
                case COLOUR -> uncolour(pixels, transform.width, height, transform.bits, transform.data);
                case SUBTRACT_GREEN -> addGreen(pixels);
                default -> pixels = unindex(pixels, transform.width, height, transform.bits, transform.data);
            }
        }
        return pixels;
    }

    /**
     * An entropy-coded image: its colour cache, its prefix codes (several, chosen per block by an
     * entropy image, only where {@code meta} allows) and its pixels.
     */
    private int[] entropyCoded(int width, int height, boolean meta) throws IOException {
        int cacheBits = 0;
        if (read(1) == 1) {
            cacheBits = read(4);
            if (cacheBits < 1 || cacheBits > MAX_CACHE_BITS) {
                throw error("has a colour cache of " + cacheBits + " bits (1 to " + MAX_CACHE_BITS + " allowed)");
            }
        }
        int blockBits = 15; // without meta codes, one block larger than any image
        int blocksPerRow = 1;
        int[] groupOfBlock = {0};
        int[] usedIndex = {0};
        if (meta && read(1) == 1) {
            blockBits = read(3) + 2;
            blocksPerRow = subsampled(width, blockBits);
            groupOfBlock = entropyCoded(blocksPerRow, subsampled(height, blockBits), false);
            usedIndex = renumberGroups(groupOfBlock);
        }
        int[][][] groups = new int[Arrays.stream(usedIndex).max().getAsInt() + 1][][];
        for (int g = 0; g < usedIndex.length; g++) {
            int[][] codes = new int[5][];
            for (int c = 0; c < codes.length; c++) {
                int alphabet = ALPHABET_SIZES[c] + (c == GREEN && cacheBits > 0 ? 1 << cacheBits : 0);
                codes[c] = table(codeLengths(alphabet), usedIndex[g] >= 0);
            }
            if (usedIndex[g] >= 0) {
                groups[usedIndex[g]] = codes;
            }
        }
        int[] pixels = new int[width * height];
        pixels(pixels, width, cacheBits, blockBits, blocksPerRow, groupOfBlock, groups);
        return pixels;
    }

    /**
     * Turns an entropy image's pixels into the indexes of the groups it uses, numbered 0, 1, 2, ...
     * in order of first use, as libwebp does, so that a bitstream that codes many groups no block
     * uses needs no table for them.
     *
     * @return for each group the bitstream codes (up to the largest in the image), its new index,
     *     or -1 where no block uses it
     */
    private static int[] renumberGroups(int[] entropyImage) {
        int coded = 0;
        for (int i = 0; i < entropyImage.length; i++) {
            entropyImage[i] = entropyImage[i] >> 8 & 0xffff;
            coded = Math.max(coded, entropyImage[i] + 1);
        }
        int[] usedIndex = new int[coded];
        Arrays.fill(usedIndex, -1);
        int next = 0;
        for (int i = 0; i < entropyImage.length; i++) {
            int group = entropyImage[i];
            if (usedIndex[group] < 0) {
                usedIndex[group] = next++;
            }
            entropyImage[i] = usedIndex[group];
        }
        return usedIndex;
    }

    /** Decodes the pixels: literals, backward references and colour cache hits. */
    private void pixels(
            int[] out, int width, int cacheBits, int blockBits, int blocksPerRow, int[] groupOfBlock, int[][][] groups)
            throws IOException {
        int[] cache = cacheBits > 0 ? new int[1 << cacheBits] : null;
        int cacheShift = 32 - cacheBits;
        int blockMask = (1 << blockBits) - 1;
        int cacheStart = LITERALS + LENGTH_CODES;
        int n = out.length;
        int i = 0;
        int x = 0;
        int y = 0;
        int[][] group = groups[groupOfBlock[0]];
        while (i < n) {
            if ((x & blockMask) == 0) {
                group = groups[groupOfBlock[(y >> blockBits) * blocksPerRow + (x >> blockBits)]];
            }
            int green = symbol(group[GREEN]);
            if (green < LITERALS) {
                int red = symbol(group[RED]);
                int blue = symbol(group[BLUE]);
                int alpha = symbol(group[ALPHA]);
                int argb = alpha << 24 | red << 16 | green << 8 | blue;
                out[i++] = argb;
                if (cache != null) {
                    cache[(CACHE_HASH * argb) >>> cacheShift] = argb;
                }
                if (++x == width) {
                    x = 0;
                    y++;
                }
            } else if (green < cacheStart) {
                int length = prefixedValue(green - LITERALS);
                int distance = distance(width, prefixedValue(symbol(group[DISTANCE])));
                if (distance > i) {
                    throw error("has a backward reference from pixel " + i + " at distance " + distance
                            + ", before the image start");
                }
                if (length > n - i) {
                    throw error("copies " + length + " pixels at pixel " + i + ", past the image end (" + n + ")");
                }
                for (int to = i + length; i < to; i++) {
                    int argb = out[i - distance];
                    out[i] = argb;
                    if (cache != null) {
                        cache[(CACHE_HASH * argb) >>> cacheShift] = argb;
                    }
                }
                y = i / width;
                x = i - y * width;
                if (i < n) {
                    group = groups[groupOfBlock[(y >> blockBits) * blocksPerRow + (x >> blockBits)]];
                }
            } else {
                int argb = cache[green - cacheStart];
                out[i++] = argb;
                cache[(CACHE_HASH * argb) >>> cacheShift] = argb;
                if (++x == width) {
                    x = 0;
                    y++;
                }
            }
        }
        if (padding * 8 > count) {
            throw tooShort();
        }
    }

    /** A length or distance from its prefix symbol and extra bits (RFC 9649 section 5.2.2). */
    private int prefixedValue(int symbol) throws IOException {
        if (symbol < 4) {
            return symbol + 1;
        }
        int extraBits = (symbol - 2) >> 1;
        int offset = (2 + (symbol & 1)) << extraBits;
        return offset + read(extraBits) + 1;
    }

    /**
     * The distance in pixels of a distance code: the first 120 are 2-D offsets near the pixel, at
     * least 1 however narrow the image, the rest plain distances less 120.
     */
    private static int distance(int width, int code) {
        if (code > DISTANCE_MAP.length) {
            return code - DISTANCE_MAP.length;
        }
        int offset = DISTANCE_MAP[code - 1];
        int distance = (offset >> 4) * width + 8 - (offset & 0xf);
        return Math.max(1, distance);
    }

    /** Reads one prefix code's code lengths, simple or normal (RFC 9649 section 5.2.2). */
    private int[] codeLengths(int alphabetSize) throws IOException {
        int[] lengths = new int[alphabetSize];
        if (read(1) == 1) {
            int symbols = read(1) + 1;
            int first = read(read(1) == 0 ? 1 : 8);
            if (first < alphabetSize) { // libwebp ignores a symbol outside the alphabet
                lengths[first] = 1;
            }
            if (symbols == 2) {
                int second = read(8);
                if (second < alphabetSize) {
                    lengths[second] = 1;
                }
            }
            return lengths;
        }
        int[] lengthCodeLengths = new int[CODE_LENGTH_ORDER.length];
        int coded = read(4) + 4;
        for (int i = 0; i < coded; i++) {
            lengthCodeLengths[CODE_LENGTH_ORDER[i]] = read(3);
        }
        int[] lengthCode = table(lengthCodeLengths, true);
        int maxSymbol = alphabetSize;
        if (read(1) == 1) {
            maxSymbol = 2 + read(2 + 2 * read(3));
            if (maxSymbol > alphabetSize) {
                throw error("codes " + maxSymbol + " code lengths for an alphabet of " + alphabetSize);
            }
        }
        int previous = DEFAULT_CODE_LENGTH;
        int symbol = 0;
        while (symbol < alphabetSize && maxSymbol-- > 0) {
            int length = symbol(lengthCode);
            if (length < 16) {
                lengths[symbol++] = length;
                if (length != 0) {
                    previous = length;
                }
            } else {
                int repeat = length == 16 ? 3 + read(2) : length == 17 ? 3 + read(3) : 11 + read(7);
                if (symbol + repeat > alphabetSize) {
                    throw error("repeats a code length past the end of its alphabet of " + alphabetSize);
                }
                Arrays.fill(lengths, symbol, symbol + repeat, length == 16 ? previous : 0);
                symbol += repeat;
            }
        }
        if (padding * 8 > count) {
            throw tooShort();
        }
        return lengths;
    }

    /**
     * The lookup table of the canonical prefix code with these code lengths. Entry {@code b} of
     * its first 256 is for the next 8 bits being {@code b}: {@code length << 16 | symbol}, or, for
     * codes longer than 8 bits, {@code (8 + k) << 16 | at}, a second-level table of {@code 2^k}
     * entries at {@code at} for the next k bits, whose entries hold the length less 8. A code of a
     * single symbol reads no bits.
     *
     * @param keep false to check the code only (a group no block uses)
     * @return the table, or null when not kept
     */
    private int[] table(int[] lengths, boolean keep) throws IOException {
        int[] count = new int[MAX_CODE_LENGTH + 1];
        int symbols = 0;
        int last = 0;
        for (int s = 0; s < lengths.length; s++) {
            if (lengths[s] != 0) {
                count[lengths[s]]++;
                symbols++;
                last = s;
            }
        }
        if (symbols == 0) {
            throw error("has a prefix code without symbols");
        }
        if (symbols == 1) {
            int[] table = new int[1 << ROOT_BITS];
            Arrays.fill(table, last);
            return table;
        }
        int open = 1;
        for (int length = 1; length <= MAX_CODE_LENGTH; length++) {
            open = (open << 1) - count[length];
            if (open < 0) {
                throw error("has an over-subscribed prefix code");
            }
        }
        if (open != 0) {
            throw error("has an incomplete prefix code");
        }
        if (!keep) {
            return null;
        }
        int[] next = new int[MAX_CODE_LENGTH + 1];
        for (int length = 1, code = 0; length <= MAX_CODE_LENGTH; length++) {
            code = (code + count[length - 1]) << 1;
            next[length] = code;
        }
        int[] reversed = new int[lengths.length];
        int[] subBits = new int[1 << ROOT_BITS];
        for (int s = 0; s < lengths.length; s++) {
            int length = lengths[s];
            if (length != 0) {
                reversed[s] = Integer.reverse(next[length]++) >>> (32 - length);
                if (length > ROOT_BITS) {
                    int root = reversed[s] & 0xff;
                    subBits[root] = Math.max(subBits[root], length - ROOT_BITS);
                }
            }
        }
        int size = 1 << ROOT_BITS;
        for (int k : subBits) {
            size += k == 0 ? 0 : 1 << k;
        }
        int[] table = new int[size];
        for (int root = 0, at = 1 << ROOT_BITS; root < subBits.length; root++) {
            if (subBits[root] != 0) {
                table[root] = (ROOT_BITS + subBits[root]) << 16 | at;
                at += 1 << subBits[root];
            }
        }
        for (int s = 0; s < lengths.length; s++) {
            int length = lengths[s];
            if (length == 0) {
                continue;
            }
            if (length <= ROOT_BITS) {
                for (int b = reversed[s]; b < 1 << ROOT_BITS; b += 1 << length) {
                    table[b] = length << 16 | s;
                }
            } else {
                int pointer = table[reversed[s] & 0xff];
                int at = pointer & 0xffff;
                int sub = (pointer >>> 16) - ROOT_BITS;
                for (int b = reversed[s] >>> ROOT_BITS; b < 1 << sub; b += 1 << (length - ROOT_BITS)) {
                    table[at + b] = (length - ROOT_BITS) << 16 | s;
                }
            }
        }
        return table;
    }

    /** The palette of a colour-indexing transform: its entries are coded as differences from the one before. */
    private static int[] palette(int[] coded, int bits) {
        // 2, 4, 16 or 256 entries, however many are coded: an index past them is transparent black
        int[] palette = new int[1 << (8 >> bits)];
        palette[0] = coded[0];
        for (int i = 1; i < coded.length; i++) {
            palette[i] = add(coded[i], palette[i - 1]);
        }
        return palette;
    }

    /** Undoes the predictor transform in place (RFC 9649 section 4.1). */
    private static void unpredict(int[] p, int width, int height, int bits, int[] modes) {
        p[0] = add(p[0], 0xff000000);
        for (int x = 1; x < width; x++) {
            p[x] = add(p[x], p[x - 1]);
        }
        int blocksPerRow = subsampled(width, bits);
        for (int y = 1; y < height; y++) {
            int row = y * width;
            int modeRow = (y >> bits) * blocksPerRow;
            p[row] = add(p[row], p[row - width]);
            for (int x = 1; x < width; ) {
                int mode = modes[modeRow + (x >> bits)] >> 8 & 0xf;
                int blockEnd = Math.min(((x >> bits) + 1) << bits, width);
                for (int i = row + x, to = row + blockEnd; i < to; i++) {
                    p[i] = add(p[i], predict(mode, p, i, width));
                }
                x = blockEnd;
            }
        }
    }

    /**
     * The prediction of pixel {@code i} (not on the top row or left column) by a predictor mode;
     * on the right column the top-right pixel is the first of the pixel's own row, as the
     * specification says, which is where {@code i - width + 1} points.
     */
    private static int predict(int mode, int[] p, int i, int width) {
        int left = p[i - 1];
        int top = p[i - width];
        return switch (mode) {
            case 1 -> left;
            case 2 -> top;
            case 3 -> p[i - width + 1];
            case 4 -> p[i - width - 1];
            case 5 -> average(average(left, p[i - width + 1]), top);
            case 6 -> average(left, p[i - width - 1]);
            case 7 -> average(left, top);
            case 8 -> average(p[i - width - 1], top);
            case 9 -> average(top, p[i - width + 1]);
            case 10 -> average(average(left, p[i - width - 1]), average(top, p[i - width + 1]));
            case 11 -> select(left, top, p[i - width - 1]);
            case 12 -> clampAddSubtractFull(left, top, p[i - width - 1]);
            case 13 -> clampAddSubtractHalf(average(left, top), p[i - width - 1]);
            default -> 0xff000000; // 0, and 14 and 15, which libwebp reads as 0
        };
    }

    /** Each channel added, modulo 256. */
    private static int add(int a, int b) {
        int alphaGreen = (a & 0xff00ff00) + (b & 0xff00ff00);
        int redBlue = (a & 0x00ff00ff) + (b & 0x00ff00ff);
        return (alphaGreen & 0xff00ff00) | (redBlue & 0x00ff00ff);
    }

    /** Each channel's mean, rounded down. */
    private static int average(int a, int b) {
        return (((a ^ b) & 0xfefefefe) >>> 1) + (a & b);
    }

    /** Left or top, whichever the gradient {@code left + top - topLeft} is nearer to. */
    private static int select(int left, int top, int topLeft) {
        int leftDistance = 0; // from the gradient to left, which is |top - topLeft|
        int topDistance = 0;
        for (int shift = 0; shift < 32; shift += 8) {
            int tl = topLeft >>> shift & 0xff;
            leftDistance += Math.abs((top >>> shift & 0xff) - tl);
            topDistance += Math.abs((left >>> shift & 0xff) - tl);
        }
        return leftDistance < topDistance ? left : top;
    }

    private static int clampAddSubtractFull(int a, int b, int c) {
        int out = 0;
        for (int shift = 0; shift < 32; shift += 8) {
            out |= clamp((a >>> shift & 0xff) + (b >>> shift & 0xff) - (c >>> shift & 0xff)) << shift;
        }
        return out;
    }

    private static int clampAddSubtractHalf(int a, int b) {
        int out = 0;
        for (int shift = 0; shift < 32; shift += 8) {
            int ac = a >>> shift & 0xff;
            out |= clamp(ac + (ac - (b >>> shift & 0xff)) / 2) << shift;
        }
        return out;
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /** Undoes the colour transform in place (RFC 9649 section 4.2), with signed 8-bit multipliers. */
    private static void uncolour(int[] p, int width, int height, int bits, int[] multipliers) {
        int blocksPerRow = subsampled(width, bits);
        for (int y = 0; y < height; y++) {
            int row = y * width;
            int blockRow = (y >> bits) * blocksPerRow;
            for (int x = 0; x < width; x++) {
                int m = multipliers[blockRow + (x >> bits)];
                int argb = p[row + x];
                int green = (byte) (argb >> 8);
                int red = (argb >> 16) + (((byte) m * green) >> 5) & 0xff;
                int blue = (argb + (((byte) (m >> 8) * green) >> 5) + (((byte) (m >> 16) * (byte) red) >> 5)) & 0xff;
                p[row + x] = (argb & 0xff00ff00) | red << 16 | blue;
            }
        }
    }

    /** Undoes the subtract-green transform in place (RFC 9649 section 4.3). */
    private static void addGreen(int[] p) {
        for (int i = 0; i < p.length; i++) {
            int argb = p[i];
            int green = argb >> 8 & 0xff;
            p[i] = (argb & 0xff00ff00) | ((argb & 0x00ff00ff) + (green << 16 | green) & 0x00ff00ff);
        }
    }

    /**
     * Undoes the colour-indexing transform (RFC 9649 section 4.4): each index, in the green channel
     * and bundled {@code 2^bits} to a pixel for small palettes, looked up in the palette.
     *
     * @return the image at its full width
     */
    private static int[] unindex(int[] indexes, int width, int height, int bits, int[] palette) {
        int[] out = new int[width * height];
        int packedWidth = subsampled(width, bits);
        int bitsPerIndex = 8 >> bits;
        int indexMask = (1 << bitsPerIndex) - 1;
        int perPixelMask = (1 << bits) - 1;
        for (int y = 0, i = 0; y < height; y++) {
            int row = y * packedWidth;
            for (int x = 0; x < width; x++) {
                int packed = indexes[row + (x >> bits)] >> 8 & 0xff;
                out[i++] = palette[packed >> ((x & perPixelMask) * bitsPerIndex) & indexMask];
            }
        }
        return out;
    }

    /** Undoes an ALPH chunk's filtering in place: none, horizontal, vertical or gradient. */
    private static void unfilter(byte[] plane, int width, int height, int filter) {
        if (filter == 0) {
            return;
        }
        for (int y = 0; y < height; y++) {
            int row = y * width;
            if (y == 0 || filter == 1) {
                // the top row predicts from the left, the left column from above (0 for the first pixel)
                int left = y == 0 ? 0 : plane[row - width];
                for (int i = row; i < row + width; i++) {
                    left = plane[i] + left;
                    plane[i] = (byte) left;
                }
            } else if (filter == 2) {
                for (int i = row; i < row + width; i++) {
                    plane[i] = (byte) (plane[i] + plane[i - width]);
                }
            } else {
                int left = plane[row - width] & 0xff;
                int topLeft = left;
                for (int i = row; i < row + width; i++) {
                    int top = plane[i - width] & 0xff;
                    left = (plane[i] + clamp(left + top - topLeft)) & 0xff;
                    plane[i] = (byte) left;
                    topLeft = top;
                }
            }
        }
    }

    /** {@code ceil(size / 2^bits)}: the size of a sub-image of blocks, or of bundled pixels. */
    private static int subsampled(int size, int bits) {
        return (size + (1 << bits) - 1) >> bits;
    }

    /** Reads n bits (at most 24), least significant first. */
    private int read(int n) throws IOException {
        if (count < n) {
            fill();
        }
        int value = (int) bits & ((1 << n) - 1);
        bits >>>= n;
        count -= n;
        return value;
    }

    /** Reads a symbol of a prefix code by its {@link #table}. */
    private int symbol(int[] table) throws IOException {
        if (count < MAX_CODE_LENGTH) {
            fill();
        }
        int entry = table[(int) bits & 0xff];
        int length = entry >>> 16;
        if (length > ROOT_BITS) {
            entry = table[(entry & 0xffff) + ((int) (bits >>> ROOT_BITS) & ((1 << (length - ROOT_BITS)) - 1))];
            length = ROOT_BITS + (entry >>> 16);
        }
        bits >>>= length;
        count -= length;
        return entry & 0xffff;
    }

    /**
     * Loads bytes until the buffer holds more than 56 bits, zeros past the data's end. At most 8 of
     * those are loaded and not yet read; a 9th means some were read, so the data ran out.
     */
    private void fill() throws IOException {
        while (count <= 56) {
            if (pos < end) {
                bits |= (data[pos++] & 0xffL) << count;
            } else if (++padding > 8) {
                throw tooShort();
            }
            count += 8;
        }
    }

    private IOException tooShort() {
        return error("ends too soon");
    }

    private IOException error(String what) {
        return new IOException(subject + " " + what);
    }
}
