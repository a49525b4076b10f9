package dev.srgan.domain.images;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The WebP files of src/test/resources/webp (made by its make-fixtures.py), and WebP containers built around them. */
final class WebpFiles {
    private static final Path DIR = Path.of("src/test/resources/webp");

    private WebpFiles() {}

    static byte[] read(String name) {
        try {
            return Files.readAllBytes(DIR.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A simple-format WebP ("RIFF", size, "WEBP", one VP8 chunk) rewritten in the extended format:
     * VP8X with its flags and canvas size, then ICCP if given, the VP8 chunk, then EXIF if given,
     * where the container specification puts them.
     */
    static byte[] extended(byte[] simple, int width, int height, byte[] icc, byte[] exif) {
        byte[] vp8 = java.util.Arrays.copyOfRange(simple, 12, simple.length);
        ByteArrayOutputStream chunks = new ByteArrayOutputStream();
        ByteBuffer vp8x = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
        vp8x.put((byte) ((icc != null ? 0x20 : 0) | (exif != null ? 0x08 : 0))).put(new byte[3]);
        vp8x.put(u24(width - 1)).put(u24(height - 1));
        chunk(chunks, "VP8X", vp8x.array());
        if (icc != null) {
            chunk(chunks, "ICCP", icc);
        }
        chunks.writeBytes(vp8);
        if (exif != null) {
            chunk(chunks, "EXIF", exif);
        }
        ByteBuffer out = ByteBuffer.allocate(12 + chunks.size()).order(ByteOrder.LITTLE_ENDIAN);
        out.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(4 + chunks.size());
        out.put("WEBP".getBytes(StandardCharsets.US_ASCII)).put(chunks.toByteArray());
        return out.array();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        header.put(type.getBytes(StandardCharsets.US_ASCII)).putInt(data.length);
        out.writeBytes(header.array());
        out.writeBytes(data);
        if (data.length % 2 == 1) {
            out.write(0);
        }
    }

    private static byte[] u24(int v) {
        return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16)};
    }
}
