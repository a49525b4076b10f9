package dev.srgan.networks.image;

import dev.srgan.domain.images.OutputOptions;
import dev.srgan.domain.images.SrgbPixels;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Writes lossless WebP: the VP8L bitstream of RFC 9649 ("WebP Image Format", section 3) in the
 * simple RIFF container ({@code RIFF <size> WEBP VP8L <size> <data>}, no VP8X, no metadata).
 * Every pixel decodes back bit for bit, alpha included when the image has it.
 *
 * <p>The encoder does, plainly, what libwebp's fast settings do:
 *
 * <ol>
 *   <li>subtract green (red and blue minus green), when an entropy estimate says it pays, as it
 *       does in photographs, whose channels vary together;
 *   <li>the predictor transform: in each 8x8 tile, the one of the 14 predictors (left, top,
 *       averages, select, clamped gradients) whose residuals cost least by a cheap estimate;
 *   <li>LZ77 backward references, found at the left pixel, the pixel above and with a short hash
 *       chain, and taken when they cost fewer bits than the pixels they cover; near distances are
 *       written with the spec's 2-D distance map;
 *   <li>a colour cache of 2^{@value #CACHE_BITS} entries;
 *   <li>one group of five length-limited canonical Huffman codes (green+length+cache, red, blue,
 *       alpha, distance), no meta prefix codes.
 * </ol>
 *
 * There is no cross-colour transform (a least-squares version saved 0.2% on upscaled photos), no
 * palette and no optimal parsing. On the seven test photos upscaled 2x with {@link Bicubic}, the
 * files are 30 to 52% smaller than {@link PngWriter}'s, 8 to 16% smaller than {@code cwebp
 * -lossless -z 0}'s and 2% smaller to 6% larger than {@code -z 1}'s. On the 2-core AMD EPYC, busy
 * with a training run, a 1024x1024 one took 244 ms where PngWriter took 72 ms (medians of 31). The
 * predictor pass runs in bands of tile rows, one per core.
 *
 * <p>Thread-safe (no state); the output depends on the pixels only.
 */
public final class WebpWriter {

    /**
     * The largest width or height: VP8L stores width - 1 and height - 1 in 14 bits (the limit the
     * api holds a WebP result to at submission, {@link OutputOptions.Format#maxSide()}).
     */
    public static final int MAX_DIMENSION = OutputOptions.Format.WEBP.maxSide();

    /**
     * Predictor tiles of 2^3 = 8 pixels a side: on upscaled photos 0.6% smaller files than 16, the
     * finer choice of predictors outweighing the larger sub-image of modes.
     */
    private static final int TILE_BITS = 3;
    /** A colour cache of 2^10 entries: 3% smaller files of upscaled photos than none. */
    private static final int CACHE_BITS = 10;

    private static final int SIGNATURE = 0x2f;
    private static final int PREDICTOR_TRANSFORM = 0;
    private static final int SUBTRACT_GREEN_TRANSFORM = 2;
    private static final int BLACK = 0xff000000;
    private static final int NUM_MODES = 14;

    private static final int NUM_LITERALS = 256;
    private static final int NUM_LENGTH_CODES = 24;
    private static final int NUM_DISTANCE_CODES = 40;
    private static final int MAX_CODE_LENGTH = 15;
    private static final int MAX_CODE_LENGTH_CODE_LENGTH = 7;
    /** The order in which the lengths of the code-length code are written. */
    private static final int[] CODE_LENGTH_ORDER = {17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

    /** The longest backward reference (length prefix code 23 with all extra bits set). */
    private static final int MAX_LENGTH = 4096;
    /** The farthest backward reference: distance codes go up to 2^20, and the first 120 are the map. */
    private static final int MAX_DISTANCE = (1 << 20) - 120;
    /** Backward references start with this many equal pixels; the hash chains key on them. */
    private static final int HASH_PIXELS = 4;
    /**
     * Hash chain heads: 2^14 (64 KB) stay in the CPU's cache; 2^16 made the encoder 25 to 35%
     * slower and 2^18 twice as slow, for files no smaller.
     */
    private static final int HASH_BITS = 14;
    /** How many earlier positions with the same hash are tried for each pixel, at most. */
    private static final int MAX_CHAIN = 8;
    /**
     * Past the first, only candidates within this many rows are tried: they are still in the CPU's
     * cache, where a far one costs a memory access for matches that rarely pay in a photograph.
     */
    private static final int CHAIN_ROWS = 8;
    /** Estimates in 1/16 bits. */
    private static final int COST_SCALE = 16;
    /** A prefix symbol of a length or distance costs about this many bits, by estimate. */
    private static final int PREFIX_SYMBOL_BITS = 8;

    /**
     * The 2-D distance map (RFC 9649, 3.5.2.2): distance code {@code i + 1} is the pixel {@code dy}
     * rows up and {@code dx} columns left, each entry written as {@code dy << 4 | (8 - dx)}, as in
     * libwebp's {@code kCodeToPlane}.
     */
    private static final int[] DISTANCE_MAP = {
        0x18, 0x07, 0x17, 0x19, 0x28, 0x06, 0x27, 0x29, 0x16, 0x1a, 0x26, 0x2a,
        0x38, 0x05, 0x37, 0x39, 0x15, 0x1b, 0x36, 0x3a, 0x25, 0x2b, 0x48, 0x04,
        0x47, 0x49, 0x14, 0x1c, 0x35, 0x3b, 0x46, 0x4a, 0x24, 0x2c, 0x58, 0x45,
        0x4b, 0x34, 0x3c, 0x03, 0x57, 0x59, 0x13, 0x1d, 0x56, 0x5a, 0x23, 0x2d,
        0x44, 0x4c, 0x55, 0x5b, 0x33, 0x3d, 0x68, 0x02, 0x67, 0x69, 0x12, 0x1e,
        0x66, 0x6a, 0x22, 0x2e, 0x54, 0x5c, 0x43, 0x4d, 0x65, 0x6b, 0x32, 0x3e,
        0x78, 0x01, 0x77, 0x79, 0x53, 0x5d, 0x11, 0x1f, 0x64, 0x6c, 0x42, 0x4e,
        0x76, 0x7a, 0x21, 0x2f, 0x75, 0x7b, 0x31, 0x3f, 0x63, 0x6d, 0x52, 0x5e,
        0x00, 0x74, 0x7c, 0x41, 0x4f, 0x10, 0x20, 0x62, 0x6e, 0x30, 0x73, 0x7d,
        0x51, 0x5f, 0x40, 0x72, 0x7e, 0x61, 0x6f, 0x50, 0x71, 0x7f, 0x60, 0x70
    };

    /** The fewest pixels worth a band of the predictor pass of their own. */
    private static final long PART_PIXELS = 1 << 17;

    private WebpWriter() {}

    /**
     * Writes the image as lossless WebP; alpha is kept when the image has it.
     *
     * @param image any decoded image (read as sRGB, {@link SrgbPixels#argb}), at most {@link
     *     #MAX_DIMENSION} pixels a side
     * @param out receives the WebP file; not closed
     * @throws IOException if {@code out} fails
     */
    public static void write(BufferedImage image, OutputStream out) throws IOException {
        int w = image.getWidth();
        int h = image.getHeight();
        if (w > MAX_DIMENSION || h > MAX_DIMENSION) {
            throw new IllegalArgumentException(
                    "lossless WebP is at most " + MAX_DIMENSION + " pixels a side, got " + w + "x" + h);
        }
        boolean alpha = image.getColorModel().hasAlpha();
        int[] argb = SrgbPixels.argb(image); // a fresh array, ours to transform
        if (!alpha) {
            for (int i = 0; i < argb.length; i++) {
                argb[i] |= BLACK;
            }
        }
        byte[] data = encode(argb, w, h, alpha);
        int pad = data.length & 1;
        byte[] header = new byte[20];
        putAscii(header, 0, "RIFF");
        putLittleEndian(header, 4, 4 + 8 + data.length + pad);
        putAscii(header, 8, "WEBP");
        putAscii(header, 12, "VP8L");
        putLittleEndian(header, 16, data.length);
        out.write(header);
        out.write(data);
        if (pad != 0) {
            out.write(0);
        }
        out.flush();
    }

    /** The VP8L bitstream of the pixels, which it overwrites with the transformed ones. */
    private static byte[] encode(int[] argb, int w, int h, boolean alpha) {
        BitWriter bits = new BitWriter(argb.length + 1024);
        bits.write(SIGNATURE, 8);
        bits.write(w - 1, 14);
        bits.write(h - 1, 14);
        bits.write(alpha ? 1 : 0, 1);
        bits.write(0, 3); // version

        // the decoder undoes the transforms in the reverse order of the stream
        if (subtractGreenPays(argb, w, h)) {
            subtractGreen(argb);
            bits.write(1, 1);
            bits.write(SUBTRACT_GREEN_TRANSFORM, 2);
        }

        int[] residuals = new int[argb.length];
        int[] modes = predict(argb, w, h, residuals);
        bits.write(1, 1);
        bits.write(PREDICTOR_TRANSFORM, 2);
        bits.write(TILE_BITS - 2, 3);
        writeImage(bits, modes, subSize(w), 0, false);

        bits.write(0, 1); // no more transforms
        writeImage(bits, residuals, w, CACHE_BITS, true);
        return bits.toByteArray();
    }

    private static int subSize(int size) {
        return (size + (1 << TILE_BITS) - 1) >> TILE_BITS;
    }

    // ---------------------------------------------------------------------------------------
    // Transforms

    /**
     * Whether red and blue minus green are cheaper to code than red and blue themselves, judged by
     * the entropy of their differences to the left neighbour (what the predictors leave, roughly)
     * in every fourth row. True for photographs, where the channels vary together; false where
     * they vary apart, as in synthetic noise.
     */
    private static boolean subtractGreenPays(int[] argb, int w, int h) {
        int[][] counts = new int[4][256];
        for (int y = 0; y < h; y += 4) {
            for (int i = y * w + 1; i < (y + 1) * w; i++) {
                int d = subPixels(argb[i], argb[i - 1]);
                int g = (d >>> 8) & 0xff;
                int r = (d >>> 16) & 0xff;
                int b = d & 0xff;
                counts[0][r]++;
                counts[1][b]++;
                counts[2][(r - g) & 0xff]++;
                counts[3][(b - g) & 0xff]++;
            }
        }
        return entropy(counts[2]) + entropy(counts[3]) < entropy(counts[0]) + entropy(counts[1]);
    }

    /** The bits to code the values counted, each by its frequency (Shannon entropy times count). */
    private static double entropy(int[] counts) {
        long total = 0;
        for (int c : counts) {
            total += c;
        }
        double bits = 0;
        for (int c : counts) {
            if (c > 0) {
                bits += c * Math.log((double) total / c);
            }
        }
        return bits / Math.log(2);
    }

    /** Red and blue minus green, modulo 256 (RFC 9649, 4.2). */
    private static void subtractGreen(int[] argb) {
        for (int i = 0; i < argb.length; i++) {
            int p = argb[i];
            int g = (p >>> 8) & 0xff;
            int r = ((p >>> 16) - g) & 0xff;
            int b = (p - g) & 0xff;
            argb[i] = (p & 0xff00ff00) | r << 16 | b;
        }
    }

    /**
     * The predictor transform (RFC 9649, 4.1): fills {@code residuals} with each pixel minus its
     * prediction and returns the sub-image of tile modes (the mode in green, as the decoder reads
     * it). The top-left pixel is predicted as black, the rest of the top row from the left and the
     * rest of the left column from the top, whatever the tile's mode.
     */
    private static int[] predict(int[] argb, int w, int h, int[] residuals) {
        int tilesWide = subSize(w);
        int tilesHigh = subSize(h);
        int[] modes = new int[tilesWide * tilesHigh];
        int parts = (int) Math.max(
                1,
                Math.min(Math.min(Runtime.getRuntime().availableProcessors(), tilesHigh), (long) w * h / PART_PIXELS));
        List<CompletableFuture<Void>> others = new ArrayList<>();
        for (int i = 0; i < parts - 1; i++) {
            int from = (int) ((long) i * tilesHigh / parts);
            int to = (int) ((long) (i + 1) * tilesHigh / parts);
            others.add(CompletableFuture.runAsync(() -> predictTileRows(argb, w, h, from, to, modes, residuals)));
        }
        // the last band in this thread, while the others run on the common pool
        predictTileRows(argb, w, h, (int) ((long) (parts - 1) * tilesHigh / parts), tilesHigh, modes, residuals);
        for (CompletableFuture<Void> f : others) {
            try {
                f.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        return modes;
    }

    /** Chooses the modes of tile rows {@code [from, to)} and writes their residuals. */
    private static void predictTileRows(int[] argb, int w, int h, int from, int to, int[] modes, int[] residuals) {
        int tile = 1 << TILE_BITS;
        int tilesWide = subSize(w);
        int[] cost = new int[NUM_MODES];
        for (int ty = from; ty < to; ty++) {
            int y0 = ty * tile;
            int y1 = Math.min(h, y0 + tile);
            for (int tx = 0; tx < tilesWide; tx++) {
                int x0 = tx * tile;
                int x1 = Math.min(w, x0 + tile);
                int mode = bestMode(argb, w, Math.max(x0, 1), x1, Math.max(y0, 1), y1, cost);
                modes[ty * tilesWide + tx] = BLACK | mode << 8;
                for (int y = y0; y < y1; y++) {
                    for (int x = x0; x < x1; x++) {
                        int i = y * w + x;
                        int prediction;
                        if (y == 0) {
                            prediction = x == 0 ? BLACK : argb[i - 1];
                        } else if (x == 0) {
                            prediction = argb[i - w];
                        } else {
                            prediction = predictor(mode, argb[i - 1], argb[i - w], argb[i - w - 1], argb[i - w + 1]);
                        }
                        residuals[i] = subPixels(argb[i], prediction);
                    }
                }
            }
        }
    }

    /**
     * The mode whose residuals over the rectangle (pixels off the top row and left column, whose
     * predictors are fixed) cost least by {@link #residualCost}; {@code cost} is scratch space.
     */
    private static int bestMode(int[] argb, int w, int x0, int x1, int y0, int y1, int[] cost) {
        Arrays.fill(cost, 0);
        for (int y = y0; y < y1; y++) {
            for (int i = y * w + x0, end = y * w + x1; i < end; i++) {
                int c = argb[i];
                int l = argb[i - 1];
                int t = argb[i - w];
                int tl = argb[i - w - 1];
                int tr = argb[i - w + 1];
                for (int mode = 0; mode < NUM_MODES; mode++) {
                    cost[mode] += residualCost(subPixels(c, predictor(mode, l, t, tl, tr)));
                }
            }
        }
        int best = 0;
        for (int mode = 1; mode < NUM_MODES; mode++) {
            if (cost[mode] < cost[best]) {
                best = mode;
            }
        }
        return best;
    }

    /**
     * An estimate of the bits a residual takes: 16 log2(1 + |r|) per channel, the channels read as
     * signed bytes. What matters is the ranking of the modes; on upscaled photos this did as well as
     * sums of |r| or of sqrt|r| (within 0.1%). Looked up two channels at a time.
     */
    private static int residualCost(int r) {
        return PAIR_COST[r & 0xffff] + PAIR_COST[r >>> 16];
    }

    private static final short[] PAIR_COST = pairCostTable();

    private static short[] pairCostTable() {
        int[] cost = new int[256];
        for (int r = 0; r < 256; r++) {
            cost[r] = (int) Math.round(16 * Math.log(1 + Math.abs((byte) r)) / Math.log(2));
        }
        short[] pairs = new short[1 << 16];
        for (int v = 0; v < pairs.length; v++) {
            pairs[v] = (short) (cost[v & 0xff] + cost[v >>> 8]);
        }
        return pairs;
    }

    /**
     * The prediction of mode {@code mode} (RFC 9649, 4.1) from the left, top, top-left and top-right
     * pixels. For the rightmost pixel of a row, TR is the leftmost pixel of the current row, which
     * is where {@code i - w + 1} lands.
     */
    private static int predictor(int mode, int l, int t, int tl, int tr) {
        return switch (mode) {
            case 0 -> BLACK;
            case 1 -> l;
            case 2 -> t;
            case 3 -> tr;
            case 4 -> tl;
            case 5 -> average(average(l, tr), t);
            case 6 -> average(l, tl);
            case 7 -> average(l, t);
            case 8 -> average(tl, t);
            case 9 -> average(t, tr);
            case 10 -> average(average(l, tl), average(t, tr));
            case 11 -> select(l, t, tl);
            case 12 -> clampAddSubtractFull(l, t, tl);
            case 13 -> clampAddSubtractHalf(average(l, t), tl);
            default -> throw new IllegalArgumentException("no predictor mode " + mode);
        };
    }

    /** The per-channel mean of two pixels, rounded down. */
    private static int average(int a, int b) {
        return (((a ^ b) & 0xfefefefe) >>> 1) + (a & b);
    }

    /** Left or top, whichever is closer to the gradient estimate L + T - TL (Manhattan distance). */
    private static int select(int l, int t, int tl) {
        // |estimate - L| = |T - TL| and |estimate - T| = |L - TL|, summed over the channels
        int toLeft = Math.abs((t >>> 24) - (tl >>> 24))
                + Math.abs(((t >>> 16) & 0xff) - ((tl >>> 16) & 0xff))
                + Math.abs(((t >>> 8) & 0xff) - ((tl >>> 8) & 0xff))
                + Math.abs((t & 0xff) - (tl & 0xff));
        int toTop = Math.abs((l >>> 24) - (tl >>> 24))
                + Math.abs(((l >>> 16) & 0xff) - ((tl >>> 16) & 0xff))
                + Math.abs(((l >>> 8) & 0xff) - ((tl >>> 8) & 0xff))
                + Math.abs((l & 0xff) - (tl & 0xff));
        return toLeft < toTop ? l : t;
    }

    /** Per channel, a + b - c clamped to [0, 255]. */
    private static int clampAddSubtractFull(int a, int b, int c) {
        return clamp((a >>> 24) + (b >>> 24) - (c >>> 24)) << 24
                | clamp(((a >>> 16) & 0xff) + ((b >>> 16) & 0xff) - ((c >>> 16) & 0xff)) << 16
                | clamp(((a >>> 8) & 0xff) + ((b >>> 8) & 0xff) - ((c >>> 8) & 0xff)) << 8
                | clamp((a & 0xff) + (b & 0xff) - (c & 0xff));
    }

    /** Per channel, a + (a - b) / 2 clamped to [0, 255], the division rounding toward zero. */
    private static int clampAddSubtractHalf(int a, int b) {
        return addSubtractHalf(a >>> 24, b >>> 24) << 24
                | addSubtractHalf((a >>> 16) & 0xff, (b >>> 16) & 0xff) << 16
                | addSubtractHalf((a >>> 8) & 0xff, (b >>> 8) & 0xff) << 8
                | addSubtractHalf(a & 0xff, b & 0xff);
    }

    private static int addSubtractHalf(int a, int b) {
        return clamp(a + (a - b) / 2);
    }

    private static int clamp(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /** Per channel, a - b modulo 256. */
    private static int subPixels(int a, int b) {
        int alphaAndGreen = 0x00ff00ff + (a & 0xff00ff00) - (b & 0xff00ff00);
        int redAndBlue = 0xff00ff00 + (a & 0x00ff00ff) - (b & 0x00ff00ff);
        return (alphaAndGreen & 0xff00ff00) | (redAndBlue & 0x00ff00ff);
    }

    // ---------------------------------------------------------------------------------------
    // Entropy-coded images

    /**
     * Writes an entropy-coded image (RFC 9649, 5): its colour cache size, no meta prefix codes
     * (written only for the main image), the five prefix codes and the coded pixels.
     */
    private static void writeImage(BitWriter bits, int[] pixels, int w, int cacheBits, boolean main) {
        Tokens tokens = backwardReferences(pixels, w, cacheBits);
        if (cacheBits > 0) {
            bits.write(1, 1);
            bits.write(cacheBits, 4);
        } else {
            bits.write(0, 1);
        }
        if (main) {
            bits.write(0, 1); // one group of prefix codes for the whole image
        }
        int cacheSize = cacheBits > 0 ? 1 << cacheBits : 0;
        int[] green = new int[NUM_LITERALS + NUM_LENGTH_CODES + cacheSize];
        int[] red = new int[NUM_LITERALS];
        int[] blue = new int[NUM_LITERALS];
        int[] alpha = new int[NUM_LITERALS];
        int[] distance = new int[NUM_DISTANCE_CODES];
        int pos = 0;
        int copy = 0;
        for (int i = 0; i < tokens.count; i++) {
            int op = tokens.ops[i];
            if (op == 0) {
                int p = pixels[pos++];
                green[(p >>> 8) & 0xff]++;
                red[(p >>> 16) & 0xff]++;
                blue[p & 0xff]++;
                alpha[p >>> 24]++;
            } else if (op < 0) {
                green[NUM_LITERALS + NUM_LENGTH_CODES - op - 1]++;
                pos++;
            } else {
                green[NUM_LITERALS + prefixCode(op)]++;
                distance[prefixCode(tokens.distances[copy++])]++;
                pos += op;
            }
        }
        PrefixCode greenCode = writePrefixCode(bits, green);
        PrefixCode redCode = writePrefixCode(bits, red);
        PrefixCode blueCode = writePrefixCode(bits, blue);
        PrefixCode alphaCode = writePrefixCode(bits, alpha);
        PrefixCode distanceCode = writePrefixCode(bits, distance);
        pos = 0;
        copy = 0;
        for (int i = 0; i < tokens.count; i++) {
            int op = tokens.ops[i];
            if (op == 0) {
                int p = pixels[pos++];
                greenCode.write(bits, (p >>> 8) & 0xff);
                redCode.write(bits, (p >>> 16) & 0xff);
                blueCode.write(bits, p & 0xff);
                alphaCode.write(bits, p >>> 24);
            } else if (op < 0) {
                greenCode.write(bits, NUM_LITERALS + NUM_LENGTH_CODES - op - 1);
                pos++;
            } else {
                int lengthCode = prefixCode(op);
                greenCode.write(bits, NUM_LITERALS + lengthCode);
                writeExtraBits(bits, op, lengthCode);
                int d = tokens.distances[copy++];
                int distanceCodeSymbol = prefixCode(d);
                distanceCode.write(bits, distanceCodeSymbol);
                writeExtraBits(bits, d, distanceCodeSymbol);
                pos += op;
            }
        }
    }

    /**
     * The LZ77 parse of an image: {@code ops[i] == 0} is a literal (the next pixel), {@code ops[i] <
     * 0} a colour cache hit at index {@code -ops[i] - 1}, {@code ops[i] > 0} a copy of that many
     * pixels whose distance code (RFC 9649, 3.5.2.2: a 2-D map code, or distance + 120) is the next
     * of {@code distances}. A short each (a length is at most {@link #MAX_LENGTH}, a cache index
     * below 2^{@value #CACHE_BITS}): 2 bytes a pixel instead of 4.
     */
    private static final class Tokens {
        final short[] ops;
        int[] distances;
        int count;
        int copies;

        Tokens(int pixels) {
            ops = new short[pixels];
            distances = new int[16];
        }

        void literal(int op) {
            ops[count++] = (short) op;
        }

        void copy(int length, int distanceCode) {
            if (copies == distances.length) {
                distances = Arrays.copyOf(distances, 2 * copies);
            }
            ops[count++] = (short) length;
            distances[copies++] = distanceCode;
        }
    }

    /**
     * Greedy LZ77: at each pixel, the longest match among the pixel on the left, the pixel above and
     * the last {@link #MAX_CHAIN} positions that start with the same {@link #HASH_PIXELS} pixels;
     * taken if it {@link #pays}, else the pixel is a literal, or a colour cache hit. The cache sees
     * every pixel, in order, as the decoder's does (literals, hits and every pixel of a copy).
     */
    private static Tokens backwardReferences(int[] p, int w, int cacheBits) {
        int n = p.length;
        Tokens tokens = new Tokens(n);
        int[] mapCodes = distanceMapCodes(w);
        int[][] literalCost = literalCosts(p);
        int[] head = new int[1 << HASH_BITS];
        Arrays.fill(head, -1);
        // the chains past their first link stay within CHAIN_ROWS rows, so a ring of a few rows holds
        // them (4 bytes a pixel less); a slot reused by a newer position only shortens a far chain,
        // and every candidate is still an earlier position whose match is checked pixel by pixel
        int ringMask = Integer.highestOneBit(Math.max(1, Math.min(n, (CHAIN_ROWS + 1) * w)) * 2 - 1) - 1;
        int[] previous = new int[ringMask + 1];
        int[] cache = cacheBits > 0 ? new int[1 << cacheBits] : null;
        // the decoder's cache starts out as zeros, but a hit on a slot never written is not risked
        boolean[] cached = cacheBits > 0 ? new boolean[1 << cacheBits] : null;
        int cacheShift = 32 - cacheBits;
        int pos = 0;
        while (pos < n) {
            int maxLength = Math.min(MAX_LENGTH, n - pos);
            int length = 0;
            int distance = 0;
            // the pixel on the left and the one above first: runs and repeated rows, cheap to reach
            if (pos >= 1) {
                length = matchLength(p, pos - 1, pos, maxLength);
                distance = 1;
            }
            if (pos >= w && length < maxLength) {
                int l = matchLength(p, pos - w, pos, maxLength);
                if (l > length) {
                    length = l;
                    distance = w;
                }
            }
            if (pos + HASH_PIXELS <= n && length < maxLength) {
                int candidate = head[hash(p, pos)];
                for (int chain = 0; chain < MAX_CHAIN && candidate >= 0; chain++) {
                    int d = pos - candidate;
                    if (d > MAX_DISTANCE || (chain > 0 && d > CHAIN_ROWS * w)) {
                        break;
                    }
                    if (p[candidate + length] == p[pos + length]) {
                        int l = matchLength(p, candidate, pos, maxLength);
                        if (l > length) {
                            length = l;
                            distance = d;
                            if (l == maxLength) {
                                break;
                            }
                        }
                    }
                    candidate = previous[candidate & ringMask];
                }
            }
            int step = 1;
            int code = distance < mapCodes.length && mapCodes[distance] > 0 ? mapCodes[distance] : distance + 120;
            if (length >= 2 && pays(p, pos, length, code, literalCost)) {
                tokens.copy(length, code);
                step = length;
            } else {
                int pixel = p[pos];
                int key = cache != null ? (0x1e35a7bd * pixel) >>> cacheShift : 0;
                tokens.literal(cache != null && cached[key] && cache[key] == pixel ? -key - 1 : 0);
            }
            for (int end = pos + step; pos < end; pos++) {
                if (pos + HASH_PIXELS <= n) {
                    int key = hash(p, pos);
                    previous[pos & ringMask] = head[key];
                    head[key] = pos;
                }
                if (cache != null) {
                    int key = (0x1e35a7bd * p[pos]) >>> cacheShift;
                    cache[key] = p[pos];
                    cached[key] = true;
                }
            }
        }
        return tokens;
    }

    /** How many pixels from {@code from} on equal those from {@code pos} on, at most {@code max}. */
    private static int matchLength(int[] p, int from, int pos, int max) {
        int l = 0;
        while (l < max && p[from + l] == p[pos + l]) {
            l++;
        }
        return l;
    }

    /** A hash of the {@link #HASH_PIXELS} pixels from {@code pos} on, {@link #HASH_BITS} bits. */
    private static int hash(int[] p, int pos) {
        int h = 0;
        for (int i = 0; i < HASH_PIXELS; i++) {
            h = (h + p[pos + i]) * 0x9e3779b1;
        }
        return h >>> (32 - HASH_BITS);
    }

    /**
     * Whether a copy costs fewer bits than the pixels it covers would as literals, by estimates: a
     * literal by the frequencies of its values in the image (at least a bit: it shares the green
     * code with the cache and the lengths), the copy as a length and a distance prefix symbol of
     * {@link #PREFIX_SYMBOL_BITS} each plus their extra bits. On upscaled photos, where most matches
     * are a few pixels of small residuals that the cache and the Huffman codes take cheaper, this
     * keeps the files 3% smaller than taking every match of 3 or more pixels (2 when near).
     */
    private static boolean pays(int[] p, int pos, int length, int code, int[][] literalCost) {
        int lengthCode = prefixCode(length);
        int distanceCode = prefixCode(code);
        int copyCost = (2 * PREFIX_SYMBOL_BITS + extraBits(lengthCode) + extraBits(distanceCode)) * COST_SCALE;
        int literals = 0;
        for (int i = pos; i < pos + length; i++) {
            int q = p[i];
            int bits = literalCost[0][(q >>> 8) & 0xff]
                    + literalCost[1][(q >>> 16) & 0xff]
                    + literalCost[2][q & 0xff]
                    + literalCost[3][q >>> 24];
            literals += Math.max(COST_SCALE, bits);
            if (literals > copyCost) {
                return true;
            }
        }
        return false;
    }

    /**
     * The bits (times {@link #COST_SCALE}) of each value of green, red, blue and alpha, from their
     * frequencies in the image: {@code log2(pixels / count)}.
     */
    private static int[][] literalCosts(int[] p) {
        int[][] counts = new int[4][256];
        for (int q : p) {
            counts[0][(q >>> 8) & 0xff]++;
            counts[1][(q >>> 16) & 0xff]++;
            counts[2][q & 0xff]++;
            counts[3][q >>> 24]++;
        }
        int[][] cost = new int[4][256];
        for (int c = 0; c < 4; c++) {
            for (int v = 0; v < 256; v++) {
                double count = Math.max(counts[c][v], 1);
                cost[c][v] = (int) Math.round(COST_SCALE * Math.log(p.length / count) / Math.log(2));
            }
        }
        return cost;
    }

    /**
     * For each distance up to 7 rows and 8 pixels, the smallest 2-D map code that stands for it in
     * an image {@code w} pixels wide, or 0. Codes that reach more than a row sideways are left out
     * (possible only in images narrower than 8 pixels): libwebp reads them as {@code max(1, dy * w +
     * dx)}, but TwelveMonkeys' decoder wraps a column only once and would copy the wrong pixels.
     */
    private static int[] distanceMapCodes(int w) {
        int[] codes = new int[7 * w + 8 + 1];
        for (int c = DISTANCE_MAP.length; c >= 1; c--) {
            int dy = DISTANCE_MAP[c - 1] >> 4;
            int dx = 8 - (DISTANCE_MAP[c - 1] & 0xf);
            int d = dy * w + dx;
            if (Math.abs(dx) <= w && d >= 1) {
                codes[d] = c;
            }
        }
        return codes;
    }

    /** The prefix code of a length or distance code {@code v >= 1} (RFC 9649, 3.5.2.2). */
    private static int prefixCode(int v) {
        int x = v - 1;
        if (x < 4) {
            return x;
        }
        int highest = 31 - Integer.numberOfLeadingZeros(x);
        return 2 * highest + ((x >>> (highest - 1)) & 1);
    }

    /** How many extra bits follow prefix code {@code code}. */
    private static int extraBits(int code) {
        return code < 4 ? 0 : (code - 2) >> 1;
    }

    /** The extra bits after prefix code {@code code} of the value {@code v}. */
    private static void writeExtraBits(BitWriter bits, int v, int code) {
        int extraBits = extraBits(code);
        if (extraBits > 0) {
            int offset = (2 + (code & 1)) << extraBits;
            bits.write(v - 1 - offset, extraBits);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Prefix codes

    /** A canonical prefix code: each symbol's length and its code, bit-reversed for LSB-first writing. */
    private record PrefixCode(int[] lengths, int[] codes) {
        void write(BitWriter bits, int symbol) {
            bits.write(codes[symbol], lengths[symbol]);
        }
    }

    /**
     * Writes the prefix code for the symbol counts (RFC 9649, 3.7.2.1) and returns it. Up to two
     * used symbols below 256 are a simple code (one symbol takes no bits at all; an unused code is
     * written as the single symbol 0); else a normal code of Huffman lengths of at most 15 bits.
     * A normal code with a single used symbol gets a second of the same length, so that the code is
     * complete and every decoder reads one bit for it, as written.
     */
    private static PrefixCode writePrefixCode(BitWriter bits, int[] counts) {
        int used = 0;
        int first = -1;
        int second = -1;
        for (int s = 0; s < counts.length; s++) {
            if (counts[s] > 0) {
                used++;
                if (first < 0) {
                    first = s;
                } else if (second < 0) {
                    second = s;
                }
            }
        }
        int[] lengths = new int[counts.length];
        if (used == 0 || (used == 1 && first < NUM_LITERALS) || (used == 2 && second < NUM_LITERALS)) {
            int symbol = Math.max(first, 0);
            bits.write(1, 1); // simple code
            bits.write(used == 2 ? 1 : 0, 1);
            if (symbol < 2) {
                bits.write(0, 1);
                bits.write(symbol, 1);
            } else {
                bits.write(1, 1);
                bits.write(symbol, 8);
            }
            if (used == 2) {
                bits.write(second, 8);
                lengths[first] = 1;
                lengths[second] = 1;
            }
            return new PrefixCode(lengths, canonicalCodes(lengths));
        }
        huffmanLengths(counts, MAX_CODE_LENGTH, lengths);
        if (used == 1) {
            lengths[first == 0 ? 1 : 0] = 1;
        }
        writeCodeLengths(bits, lengths);
        return new PrefixCode(lengths, canonicalCodes(lengths));
    }

    /**
     * Writes a normal code's lengths: run-length coded (16 repeats the previous length 3 to 6 times,
     * 17 and 18 write 3 to 10 and 11 to 138 zeros) and those symbols coded with the code-length
     * code, whose own lengths (at most 7) come first, in {@link #CODE_LENGTH_ORDER}.
     */
    private static void writeCodeLengths(BitWriter bits, int[] lengths) {
        int[] symbols = new int[lengths.length];
        int[] extras = new int[lengths.length];
        int count = 0;
        for (int i = 0; i < lengths.length; ) {
            int value = lengths[i];
            int run = 1;
            while (i + run < lengths.length && lengths[i + run] == value) {
                run++;
            }
            i += run;
            if (value == 0) {
                while (run > 0) {
                    if (run < 3) {
                        symbols[count++] = 0;
                        run--;
                    } else if (run <= 10) {
                        symbols[count] = 17;
                        extras[count++] = run - 3;
                        run = 0;
                    } else {
                        int r = Math.min(run, 138);
                        symbols[count] = 18;
                        extras[count++] = r - 11;
                        run -= r;
                    }
                }
            } else {
                symbols[count++] = value;
                run--;
                while (run > 0) {
                    if (run < 3) {
                        symbols[count++] = value;
                        run--;
                    } else {
                        int r = Math.min(run, 6);
                        symbols[count] = 16;
                        extras[count++] = r - 3;
                        run -= r;
                    }
                }
            }
        }
        int[] histogram = new int[CODE_LENGTH_ORDER.length];
        for (int i = 0; i < count; i++) {
            histogram[symbols[i]]++;
        }
        int[] codeLengthLengths = new int[histogram.length];
        int used = huffmanLengths(histogram, MAX_CODE_LENGTH_CODE_LENGTH, codeLengthLengths);
        if (used == 1) {
            codeLengthLengths[symbols[0] == 0 ? 1 : 0] = 1;
        }
        int[] codeLengthCodes = canonicalCodes(codeLengthLengths);
        int written = CODE_LENGTH_ORDER.length;
        while (written > 4 && codeLengthLengths[CODE_LENGTH_ORDER[written - 1]] == 0) {
            written--;
        }
        bits.write(0, 1); // normal code
        bits.write(written - 4, 4);
        for (int i = 0; i < written; i++) {
            bits.write(codeLengthLengths[CODE_LENGTH_ORDER[i]], 3);
        }
        bits.write(0, 1); // lengths for the whole alphabet
        for (int i = 0; i < count; i++) {
            int s = symbols[i];
            bits.write(codeLengthCodes[s], codeLengthLengths[s]);
            if (s == 16) {
                bits.write(extras[i], 2);
            } else if (s == 17) {
                bits.write(extras[i], 3);
            } else if (s == 18) {
                bits.write(extras[i], 7);
            }
        }
    }

    /**
     * Huffman code lengths for the counts into {@code lengths}, none above {@code maxBits}: when
     * the tree is too deep, the smallest counts are raised (to 2, 4, 8, ...) and the tree rebuilt,
     * as libwebp does. A single used symbol gets length 1. Returns how many symbols are used.
     */
    private static int huffmanLengths(int[] counts, int maxBits, int[] lengths) {
        Arrays.fill(lengths, 0);
        int used = 0;
        for (int c : counts) {
            if (c > 0) {
                used++;
            }
        }
        if (used <= 1) {
            for (int s = 0; s < counts.length; s++) {
                if (counts[s] > 0) {
                    lengths[s] = 1;
                }
            }
            return used;
        }
        long[] keys = new long[used];
        long[] weight = new long[2 * used - 1];
        int[] parent = new int[2 * used - 1];
        int[] depth = new int[2 * used - 1];
        for (long floor = 1; ; floor *= 2) {
            // leaves sorted by (count, symbol): the two-queue construction needs them in order
            int k = 0;
            for (int s = 0; s < counts.length; s++) {
                if (counts[s] > 0) {
                    keys[k++] = Math.max(counts[s], floor) << 32 | s;
                }
            }
            Arrays.sort(keys);
            for (int i = 0; i < used; i++) {
                weight[i] = keys[i] >>> 32;
            }
            int leaf = 0;
            int inner = used;
            for (int node = used; node < 2 * used - 1; node++) {
                int a;
                if (leaf < used && (inner >= node || weight[leaf] <= weight[inner])) {
                    a = leaf++;
                } else {
                    a = inner++;
                }
                int b;
                if (leaf < used && (inner >= node || weight[leaf] <= weight[inner])) {
                    b = leaf++;
                } else {
                    b = inner++;
                }
                weight[node] = weight[a] + weight[b];
                parent[a] = node;
                parent[b] = node;
            }
            int root = 2 * used - 2;
            depth[root] = 0;
            int deepest = 0;
            for (int node = root - 1; node >= 0; node--) {
                depth[node] = depth[parent[node]] + 1;
                if (node < used) {
                    deepest = Math.max(deepest, depth[node]);
                }
            }
            if (deepest <= maxBits) {
                for (int i = 0; i < used; i++) {
                    lengths[(int) (keys[i] & 0xffffffffL)] = depth[i];
                }
                return used;
            }
        }
    }

    /**
     * Canonical codes for the lengths (shorter codes first, then by symbol, as DEFLATE), each
     * bit-reversed: the decoder reads a code's first bit from the stream's next (lowest) bit.
     */
    private static int[] canonicalCodes(int[] lengths) {
        int[] countOfLength = new int[MAX_CODE_LENGTH + 1];
        for (int length : lengths) {
            countOfLength[length]++;
        }
        countOfLength[0] = 0;
        int[] next = new int[MAX_CODE_LENGTH + 1];
        int code = 0;
        for (int length = 1; length <= MAX_CODE_LENGTH; length++) {
            code = (code + countOfLength[length - 1]) << 1;
            next[length] = code;
        }
        int[] codes = new int[lengths.length];
        for (int s = 0; s < lengths.length; s++) {
            int length = lengths[s];
            if (length > 0) {
                codes[s] = Integer.reverse(next[length]++) >>> (32 - length);
            }
        }
        return codes;
    }

    // ---------------------------------------------------------------------------------------
    // Output

    /** Bits packed from the least significant bit of each byte on, as VP8L reads them. */
    private static final class BitWriter {
        private byte[] bytes;
        private int size;
        private long buffer;
        private int used;

        BitWriter(int capacity) {
            bytes = new byte[Math.max(capacity, 16)];
        }

        /** Appends the low {@code count} bits of {@code value}, count 0 to 32. */
        void write(int value, int count) {
            buffer |= (value & ((1L << count) - 1)) << used;
            used += count;
            if (used >= 32) {
                if (size + 4 > bytes.length) {
                    bytes = Arrays.copyOf(bytes, (int) Math.min(Integer.MAX_VALUE - 8, 2L * bytes.length));
                }
                bytes[size] = (byte) buffer;
                bytes[size + 1] = (byte) (buffer >>> 8);
                bytes[size + 2] = (byte) (buffer >>> 16);
                bytes[size + 3] = (byte) (buffer >>> 24);
                size += 4;
                buffer >>>= 32;
                used -= 32;
            }
        }

        /** The bits written, the last byte padded with zeros. */
        byte[] toByteArray() {
            byte[] out = Arrays.copyOf(bytes, size + (used + 7) / 8);
            for (int i = 0; i < (used + 7) / 8; i++) {
                out[size + i] = (byte) (buffer >>> (8 * i));
            }
            return out;
        }
    }

    private static void putAscii(byte[] b, int at, String s) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) s.charAt(i);
        }
    }

    private static void putLittleEndian(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }
}
