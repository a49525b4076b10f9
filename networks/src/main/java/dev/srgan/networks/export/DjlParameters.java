package dev.srgan.networks.export;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the parameter file DJL's {@code Block.saveParameters} writes (a model's
 * {@code generator.params}) without DJL or its native engine, so the api can export models. Each
 * parameter is a record {@code 'P', version 1, UTF name} followed by an encoded NDArray
 * ({@code UTF "NDAR", int version 3, boolean named, [UTF name], UTF "DENSE", UTF data type,
 * shape (int rank, long dims, int layout length, 2-byte layout chars), byte order '<' or '>',
 * int byte length, data}); between records, blocks write their own metadata (versions, input
 * shapes), which this reader steps over. Parameters come out in the order the block declares
 * them, the order {@code Block.getParameters()} gives. {@link #blend} interpolates two such files and
 * {@link #kinship} says whether that is meaningful.
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
        List<Tensor> tensors = new ArrayList<>();
        for (Stored p : scan(bytes)) {
            float[] data = new float[p.count()];
            p.floats(bytes).get(data);
            tensors.add(new Tensor(p.name(), p.shape(), data));
        }
        return tensors;
    }

    /**
     * Interpolates two parameter files of the same network, parameter by parameter: {@code (1 -
     * weight) * a + weight * b}, BatchNorm's running statistics too (ESRGAN's network interpolation,
     * Wang et al. 2018). The result is {@code a}'s file with the blended values in place, so it loads
     * wherever {@code a} does. It is only meaningful between models of one lineage, such as a model
     * and its fine-tuned version: two networks trained apart from random weights blend into noise.
     *
     * @param weight the share of {@code b}, from 0 ({@code a} exactly) to 1 ({@code b} exactly)
     * @throws IOException if either is no DJL parameter file
     * @throws IllegalArgumentException if their parameters differ in number, name or shape, or the
     *     weight is outside 0 to 1
     */
    public static byte[] blend(byte[] a, byte[] b, double weight) throws IOException {
        if (!(weight >= 0 && weight <= 1)) {
            throw new IllegalArgumentException("the blend weight must be from 0 to 1, got " + weight);
        }
        List<Stored> first = scan(a);
        List<Stored> second = scan(b);
        requireSameNetwork(first, second);
        byte[] out = a.clone();
        float wa = (float) (1 - weight);
        float wb = (float) weight;
        for (int i = 0; i < first.size(); i++) {
            Stored p = first.get(i);
            Stored q = second.get(i);
            FloatBuffer x = p.floats(a);
            FloatBuffer y = q.floats(b);
            FloatBuffer z = p.floats(out);
            for (int k = 0; k < p.count(); k++) {
                z.put(k, wa * x.get(k) + wb * y.get(k));
            }
        }
        return out;
    }

    /**
     * How alike two parameter files of the same network are: the cosine between their
     * convolution weights taken as one vector. A model and its fine-tuned versions stay above
     * 0.99 (the shipped SRResNet 4x and its real-photo fine-tune: 0.9997); two models trained
     * apart from random weights are near 0 (SRResNet 4x and SRGAN-MSE 4x: 0.001), and so is their
     * blend's quality (12.5 dB below bicubic at half and half).
     *
     * @throws IllegalArgumentException if their parameters differ in number, name or shape
     */
    public static double kinship(byte[] a, byte[] b) throws IOException {
        List<Stored> first = scan(a);
        List<Stored> second = scan(b);
        requireSameNetwork(first, second);
        double dot = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < first.size(); i++) {
            if (!first.get(i).name().equals("weight")) {
                continue;
            }
            FloatBuffer x = first.get(i).floats(a);
            FloatBuffer y = second.get(i).floats(b);
            for (int k = 0; k < first.get(i).count(); k++) {
                dot += (double) x.get(k) * y.get(k);
                aa += (double) x.get(k) * x.get(k);
                bb += (double) y.get(k) * y.get(k);
            }
        }
        return aa == 0 || bb == 0 ? 0 : dot / Math.sqrt(aa * bb);
    }

    private static void requireSameNetwork(List<Stored> first, List<Stored> second) {
        if (first.size() != second.size()) {
            throw new IllegalArgumentException(
                    "the networks differ: " + first.size() + " parameters against " + second.size());
        }
        for (int i = 0; i < first.size(); i++) {
            Stored p = first.get(i);
            Stored q = second.get(i);
            if (!p.name().equals(q.name()) || !Arrays.equals(p.shape(), q.shape())) {
                throw new IllegalArgumentException("the networks differ at parameter " + i + ": " + p.name()
                        + Arrays.toString(p.shape()) + " against " + q.name() + Arrays.toString(q.shape()));
            }
        }
    }

    /** Where one parameter's values lie in its file. */
    private record Stored(String name, long[] shape, ByteOrder order, int offset, int length) {
        int count() {
            return length / 4;
        }

        FloatBuffer floats(byte[] file) {
            return ByteBuffer.wrap(file, offset, length).slice().order(order).asFloatBuffer();
        }
    }

    private static List<Stored> scan(byte[] bytes) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        List<Stored> parameters = new ArrayList<>();
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
            parameters.add(new Stored(name, shape, order, in.position(), length));
            p = in.position() + length;
        }
        if (parameters.isEmpty()) {
            throw new IOException("no parameters found: not a DJL parameter file");
        }
        return parameters;
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
