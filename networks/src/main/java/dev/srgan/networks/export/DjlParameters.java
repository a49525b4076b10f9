package dev.srgan.networks.export;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the parameter file DJL's {@code Block.saveParameters} writes (a model's
 * {@code generator.params}) without DJL or its native engine, so the api can export models. Each
 * parameter is a record {@code 'P', version 1, UTF name} followed by an encoded NDArray
 * ({@code UTF "NDAR", int version 3, boolean named, [UTF name], UTF "DENSE", UTF data type,
 * shape (int rank, long dims, int layout length, 2-byte layout chars), byte order '<' or '>',
 * int byte length, data}); between records, blocks write their own metadata (versions, input
 * shapes), which this reader steps over. Parameters come out in the order the block declares
 * them, the order {@code Block.getParameters()} gives.
 */
public final class DjlParameters {

    /** One parameter: its name (weight, bias, gamma, beta, runningMean, runningVar, alpha), shape and values. */
    public record Tensor(String name, long[] shape, float[] data) {
        /** Number of elements. */
        public int size() {
            return data.length;
        }
    }

    private DjlParameters() {}

    /**
     * Reads every parameter of a DJL parameter file.
     *
     * @throws IOException if it is not one, or holds another data type than FLOAT32
     */
    public static List<Tensor> read(byte[] bytes) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        List<Tensor> tensors = new ArrayList<>();
        int p = 0;
        while (true) {
            int at = nextRecord(bytes, p);
            if (at < 0) {
                break;
            }
            in.position(at + 2);
            String name = utf(in);
            if (!"NDAR".equals(utf(in))) {
                throw new IOException("parameter " + name + " at byte " + at + " is not followed by an NDArray");
            }
            int version = in.getInt();
            if (version < 2 || version > 3) {
                throw new IOException("NDArray encoding version " + version + " is not supported");
            }
            if (in.get() != 0) {
                utf(in); // the array's own name
            }
            String sparse = utf(in);
            String type = utf(in);
            if (!"DENSE".equals(sparse) || !"FLOAT32".equals(type)) {
                throw new IOException("parameter " + name + " is " + sparse + " " + type + ", not DENSE FLOAT32");
            }
            long[] shape = new long[in.getInt()];
            long count = 1;
            for (int d = 0; d < shape.length; d++) {
                shape[d] = in.getLong();
                count *= shape[d];
            }
            int layout = in.getInt();
            in.position(in.position() + 2 * layout);
            ByteOrder order = in.get() == '<' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
            int length = in.getInt();
            if (length != count * 4 || in.remaining() < length) {
                throw new IOException("parameter " + name + ": " + length + " bytes for " + count + " floats");
            }
            float[] data = new float[(int) count];
            ByteBuffer slice = in.slice(in.position(), length).order(order);
            slice.asFloatBuffer().get(data);
            tensors.add(new Tensor(name, shape, data));
            p = in.position() + length;
        }
        if (tensors.isEmpty()) {
            throw new IOException("no parameters found: not a DJL parameter file");
        }
        return tensors;
    }

    /** The next parameter record at or after {@code from}: 'P', 1, a short UTF name, then UTF "NDAR". */
    private static int nextRecord(byte[] b, int from) {
        for (int i = from; i + 10 < b.length; i++) {
            if (b[i] != 'P' || b[i + 1] != 1) {
                continue;
            }
            int len = ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
            int ndar = i + 4 + len;
            if (len < 1 || len > 64 || ndar + 6 > b.length) {
                continue;
            }
            if (b[ndar] == 0
                    && b[ndar + 1] == 4
                    && b[ndar + 2] == 'N'
                    && b[ndar + 3] == 'D'
                    && b[ndar + 4] == 'A'
                    && b[ndar + 5] == 'R') {
                return i;
            }
        }
        return -1;
    }

    private static String utf(ByteBuffer in) {
        int len = in.getShort() & 0xffff;
        byte[] s = new byte[len];
        in.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }
}
