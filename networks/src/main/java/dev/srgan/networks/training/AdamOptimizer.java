package dev.srgan.networks.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Adam (Kingma and Ba 2015) over DJL arrays, written here because DJL's Adam keeps its moments in
 * private maps that cannot be saved. Same update as {@code torch.optim.Adam}: {@code p -= lr /
 * (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)}. Its state (t, m, v) round-trips through
 * {@link #save()} and {@link #load(byte[])} bit for bit.
 */
final class AdamOptimizer implements AutoCloseable {

    private static final int MAGIC = 0x4144414D; // "ADAM"
    private static final int VERSION = 1;

    private final List<Parameter> parameters;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final NDManager manager;
    private final NDArray[] m;
    private final NDArray[] v;
    private long t;

    AdamOptimizer(List<Parameter> parameters, double beta1, double beta2, double epsilon, NDManager parent) {
        this.parameters = parameters;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.manager = parent.newSubManager();
        m = new NDArray[parameters.size()];
        v = new NDArray[parameters.size()];
        for (int i = 0; i < m.length; i++) {
            Shape shape = parameters.get(i).getArray().getShape();
            m[i] = manager.zeros(shape);
            v[i] = manager.zeros(shape);
        }
    }

    /** Returns the number of updates done. */
    long steps() {
        return t;
    }

    /** Applies one update from the parameters' current gradients; call outside any collector. */
    void step(double learningRate) {
        t++;
        double bc1 = 1 - Math.pow(beta1, t);
        double sqrtBc2 = Math.sqrt(1 - Math.pow(beta2, t));
        float stepSize = (float) (learningRate / bc1);
        try (NDManager tmp = manager.newSubManager()) {
            for (int i = 0; i < m.length; i++) {
                NDArray p = parameters.get(i).getArray();
                NDArray g = p.getGradient();
                g.attach(tmp);
                m[i].muli((float) beta1).addi(g.mul((float) (1 - beta1)));
                v[i].muli((float) beta2).addi(g.square().muli((float) (1 - beta2)));
                NDArray denominator = v[i].sqrt();
                denominator.attach(tmp);
                denominator.divi((float) sqrtBc2).addi((float) epsilon);
                NDArray update = m[i].div(denominator);
                update.attach(tmp);
                p.subi(update.muli(stepSize));
            }
        }
    }

    /** Serializes t, m and v (little-endian float32 blocks). */
    byte[] save() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(t);
            out.writeInt(m.length);
            for (int i = 0; i < m.length; i++) {
                long[] shape = m[i].getShape().getShape();
                out.writeInt(shape.length);
                for (long d : shape) {
                    out.writeLong(d);
                }
                writeFloats(out, m[i].toFloatArray());
                writeFloats(out, v[i].toFloatArray());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Restores the state written by {@link #save()} for the same parameter list. */
    void load(byte[] state) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(state))) {
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                throw new IOException("not an optimizer state of this version");
            }
            long steps = in.readLong();
            int count = in.readInt();
            if (count != m.length) {
                throw new IOException("optimizer state has " + count + " parameters, the network " + m.length);
            }
            for (int i = 0; i < count; i++) {
                long[] shape = new long[in.readInt()];
                for (int d = 0; d < shape.length; d++) {
                    shape[d] = in.readLong();
                }
                if (!new Shape(shape).equals(m[i].getShape())) {
                    throw new IOException("optimizer state shape " + new Shape(shape) + " != " + m[i].getShape());
                }
                m[i].set(readFloats(in, m[i].size()));
                v[i].set(readFloats(in, v[i].size()));
            }
            t = steps;
        }
    }

    private static void writeFloats(DataOutputStream out, float[] values) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        out.write(buffer.array());
    }

    private static java.nio.FloatBuffer readFloats(DataInputStream in, long count) throws IOException {
        byte[] raw = in.readNBytes(Math.toIntExact(count * 4));
        if (raw.length != count * 4) {
            throw new IOException("optimizer state is truncated");
        }
        return ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    }

    @Override
    public void close() {
        manager.close();
    }
}
