package dev.srgan.networks.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.zip.Adler32;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes 8-bit truecolor PNGs (RGB, or RGBA when the image has alpha) quickly: every row gets the
 * Sub filter (the difference to the pixel on the left, which suits photographs and costs one
 * subtraction a byte) and deflate only Huffman-codes the filtered bytes (no string matching,
 * which finds little in the noise of a photograph). For a 1024x1024 upscaled photo this takes
 * about 30 ms where ImageIO's writer takes about 110 ms, and the file is smaller (1977 KB against
 * 2654 KB); a flat image (a screenshot) compresses less well than with ImageIO. Standard PNG,
 * readable by any decoder. A large image is filtered and deflated in bands of rows, one per core,
 * at once (the upscale that made it has left the cores idle); each band ends its deflate blocks on
 * a byte boundary, so the bands join into one zlib stream, whose checksum covers them all. On the
 * 2-core AMD EPYC this took a 1024x1024 photo-like image from 26.8 to 21.4 ms, and 512x512 from
 * 6.9 to 5.2 ms (medians of 31), files of the same size.
 *
 * <p>Thread-safe (no state).
 */
public final class PngWriter {

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final int FILTER_SUB = 1;
    private static final int IDAT_CHUNK = 1 << 16;
    /** A zlib header: deflate, 32 KB window, no preset dictionary, "fastest" level. */
    private static final byte[] ZLIB_HEADER = {0x78, 0x01};
    /** The fewest pixels worth a band of their own: below this the thread hand-off costs more. */
    private static final long PART_PIXELS = 1 << 17;

    private PngWriter() {}

    /**
     * Writes the image as PNG; alpha is kept when the image has it.
     *
     * @param image any image (read through its colour model)
     * @param out receives the PNG; not closed
     * @throws IOException if {@code out} fails
     */
    public static void write(BufferedImage image, OutputStream out) throws IOException {
        write(image, out, parts(image.getWidth(), image.getHeight()));
    }

    /** Like {@link #write(BufferedImage, OutputStream)}, deflating in {@code parts} bands of rows. */
    static void write(BufferedImage image, OutputStream out, int parts) throws IOException {
        int w = image.getWidth();
        int h = image.getHeight();
        if (parts < 1 || parts > h) {
            throw new IllegalArgumentException("parts must be in [1, height], got " + parts);
        }
        boolean alpha = image.getColorModel().hasAlpha();
        int channels = alpha ? 4 : 3;
        DataOutputStream data = new DataOutputStream(out);
        data.write(SIGNATURE);
        byte[] header = new byte[13];
        putInt(header, 0, w);
        putInt(header, 4, h);
        header[8] = 8; // bits per channel
        header[9] = (byte) (alpha ? 6 : 2); // RGBA or RGB
        chunk(data, "IHDR", header, header.length);

        int[] argb = directPixels(image);
        List<CompletableFuture<Part>> others = new ArrayList<>();
        for (int i = 0; i < parts - 1; i++) {
            int from = rowOf(i, parts, h);
            int to = rowOf(i + 1, parts, h);
            others.add(CompletableFuture.supplyAsync(() -> part(image, argb, alpha, from, to, false)));
        }
        // the last part in this thread, while the others run on the common pool
        Part last = part(image, argb, alpha, rowOf(parts - 1, parts, h), h, true);
        ChunkStream idat = new ChunkStream(data);
        idat.write(ZLIB_HEADER, 0, ZLIB_HEADER.length);
        Adler32 adler = new Adler32();
        for (CompletableFuture<Part> f : others) {
            Part p = join(f);
            adler.update(p.filtered);
            idat.write(p.deflated, 0, p.deflated.length);
        }
        adler.update(last.filtered);
        idat.write(last.deflated, 0, last.deflated.length);
        byte[] checksum = new byte[4];
        putInt(checksum, 0, (int) adler.getValue());
        idat.write(checksum, 0, 4);
        idat.close();
        chunk(data, "IEND", new byte[0], 0);
        data.flush();
    }

    /** One band of rows: its filtered bytes (for the checksum) and their raw deflate stream. */
    private record Part(byte[] filtered, byte[] deflated) {}

    /**
     * Into how many bands of rows the image is deflated at once: one per core, each of at least
     * {@link #PART_PIXELS} pixels. Each band is a run of deflate blocks ending on a byte boundary
     * (a sync flush), so the bands concatenate into one zlib stream, as pigz does.
     */
    private static int parts(int w, int h) {
        long pixels = (long) w * h;
        return (int) Math.max(
                1, Math.min(Math.min(Runtime.getRuntime().availableProcessors(), h), pixels / PART_PIXELS));
    }

    private static int rowOf(int part, int parts, int h) {
        return (int) ((long) part * h / parts);
    }

    private static Part join(CompletableFuture<Part> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** Filters rows {@code [from, to)} (Sub) and deflates them, Huffman codes only. */
    private static Part part(BufferedImage image, int[] argb, boolean alpha, int from, int to, boolean last) {
        int w = image.getWidth();
        int channels = alpha ? 4 : 3;
        int stride = 1 + w * channels;
        byte[] filtered = new byte[(to - from) * stride];
        int[] row = argb == null ? new int[w] : null;
        for (int y = from; y < to; y++) {
            int offset;
            int[] source;
            if (argb != null) {
                source = argb;
                offset = y * w;
            } else {
                image.getRGB(0, y, w, 1, row, 0, w);
                source = row;
                offset = 0;
            }
            int o = (y - from) * stride;
            filtered[o++] = FILTER_SUB;
            int r0 = 0;
            int g0 = 0;
            int b0 = 0;
            int a0 = 0;
            for (int x = 0; x < w; x++) {
                int p = source[offset + x];
                int r = (p >>> 16) & 0xff;
                int g = (p >>> 8) & 0xff;
                int b = p & 0xff;
                filtered[o++] = (byte) (r - r0);
                filtered[o++] = (byte) (g - g0);
                filtered[o++] = (byte) (b - b0);
                r0 = r;
                g0 = g;
                b0 = b;
                if (alpha) {
                    int a = p >>> 24;
                    filtered[o++] = (byte) (a - a0);
                    a0 = a;
                }
            }
        }
        Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
        deflater.setStrategy(Deflater.HUFFMAN_ONLY);
        try {
            deflater.setInput(filtered);
            if (last) {
                deflater.finish();
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(filtered.length / 2 + 64);
            byte[] buffer = new byte[IDAT_CHUNK];
            int flush = last ? Deflater.NO_FLUSH : Deflater.SYNC_FLUSH;
            while (true) {
                int n = deflater.deflate(buffer, 0, buffer.length, flush);
                out.write(buffer, 0, n);
                if (last ? deflater.finished() : n < buffer.length && deflater.needsInput()) {
                    break;
                }
            }
            return new Part(filtered, out.toByteArray());
        } finally {
            deflater.end();
        }
    }

    /** The pixel array of a TYPE_INT_RGB/ARGB image that is not a sub-image, else null. */
    private static int[] directPixels(BufferedImage image) {
        int type = image.getType();
        if ((type == BufferedImage.TYPE_INT_RGB || type == BufferedImage.TYPE_INT_ARGB)
                && image.getRaster().getDataBuffer() instanceof DataBufferInt buffer
                && buffer.getNumBanks() == 1
                && image.getRaster().getSampleModelTranslateX() == 0
                && image.getRaster().getSampleModelTranslateY() == 0
                && buffer.getData().length == image.getWidth() * image.getHeight()) {
            return buffer.getData();
        }
        return null;
    }

    private static void chunk(DataOutputStream out, String type, byte[] body, int length) throws IOException {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(body, 0, length);
        out.writeInt(length);
        out.write(name);
        out.write(body, 0, length);
        out.writeInt((int) crc.getValue());
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    /** Buffers the deflated stream and writes it as IDAT chunks of at most {@link #IDAT_CHUNK} bytes. */
    private static final class ChunkStream extends OutputStream {
        private final DataOutputStream out;
        private final byte[] buffer = new byte[IDAT_CHUNK];
        private int used;

        ChunkStream(DataOutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            if (used == buffer.length) {
                flushChunk();
            }
            buffer[used++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (used == buffer.length) {
                    flushChunk();
                }
                int n = Math.min(len, buffer.length - used);
                System.arraycopy(b, off, buffer, used, n);
                used += n;
                off += n;
                len -= n;
            }
        }

        private void flushChunk() throws IOException {
            if (used > 0) {
                chunk(out, "IDAT", buffer, used);
                used = 0;
            }
        }

        @Override
        public void close() throws IOException {
            flushChunk();
        }
    }
}
