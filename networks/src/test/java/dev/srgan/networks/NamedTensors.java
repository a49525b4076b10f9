package dev.srgan.networks;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the named-tensor files written by src/test/python/make_torchscript_fixtures.py: magic
 * "NTv1", int count, then per tensor a UTF-8 name, the dims and big-endian float32 data.
 */
public final class NamedTensors {

    /** A tensor read from the file. */
    public record Tensor(long[] shape, float[] data) {}

    private NamedTensors() {}

    /** Reads a test resource, keeping the file's order. */
    public static Map<String, Tensor> readResource(String resource) throws IOException {
        try (InputStream raw = NamedTensors.class.getResourceAsStream(resource)) {
            if (raw == null) {
                throw new IOException("missing test resource " + resource);
            }
            DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw));
            byte[] magic = in.readNBytes(4);
            if (!"NTv1".equals(new String(magic, StandardCharsets.US_ASCII))) {
                throw new IOException("not a named-tensor file: " + resource);
            }
            int count = in.readInt();
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (int t = 0; t < count; t++) {
                byte[] name = in.readNBytes(in.readUnsignedShort());
                long[] shape = new long[in.readInt()];
                long size = 1;
                for (int d = 0; d < shape.length; d++) {
                    shape[d] = in.readLong();
                    size *= shape[d];
                }
                float[] data = new float[Math.toIntExact(size)];
                for (int i = 0; i < data.length; i++) {
                    data[i] = in.readFloat();
                }
                tensors.put(new String(name, StandardCharsets.UTF_8), new Tensor(shape, data));
            }
            return tensors;
        }
    }

    /** Returns the path of a test resource on disk. */
    public static java.nio.file.Path resourcePath(String resource) {
        try {
            return java.nio.file.Path.of(NamedTensors.class.getResource(resource).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
