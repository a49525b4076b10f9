package dev.srgan.networks.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Weights trained with PyTorch, brought into the DJL networks. The seed article's PyTorch modules
 * and this module's blocks declare their layers in the same order, so the floating-point entries
 * of a PyTorch {@code state_dict} (conv weight and bias; BatchNorm weight, bias, running mean and
 * running variance; PReLU slopes) map one to one, in order, onto {@code Block.getParameters()}
 * (SeedEquivalenceTest checks the outputs agree).
 *
 * <p>The file format is "named tensors" (NTv1), written by models/recipes/gpu/train_gpu.py and
 * networks/src/test/python: the magic {@code NTv1}, a big-endian int32 count, then per tensor a
 * uint16 name length, the UTF-8 name, an int32 rank, int64 dims and big-endian float32 data.
 */
public final class TorchWeights {

    /** Largest tensor accepted, in elements (a 16-block generator's largest is 37,632). */
    private static final long MAX_ELEMENTS = 64L << 20;

    /** One tensor of the file. */
    public record Tensor(long[] shape, float[] data) {}

    private TorchWeights() {}

    /**
     * Reads a named-tensor file, keeping the file's order.
     *
     * @throws IOException if the stream is not a well-formed NTv1 file
     */
    public static Map<String, Tensor> read(InputStream raw) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(raw));
        byte[] magic = in.readNBytes(4);
        if (!"NTv1".equals(new String(magic, StandardCharsets.US_ASCII))) {
            throw new IOException("not a named-tensor file (no NTv1 magic)");
        }
        int count = in.readInt();
        if (count < 0 || count > 100_000) {
            throw new IOException("implausible tensor count " + count);
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (int t = 0; t < count; t++) {
            String name = new String(in.readNBytes(in.readUnsignedShort()), StandardCharsets.UTF_8);
            int rank = in.readInt();
            if (rank < 0 || rank > 8) {
                throw new IOException(name + ": implausible rank " + rank);
            }
            long[] shape = new long[rank];
            long size = 1;
            for (int d = 0; d < rank; d++) {
                shape[d] = in.readLong();
                if (shape[d] < 0 || (size *= shape[d]) > MAX_ELEMENTS) {
                    throw new IOException(name + ": implausible shape " + Arrays.toString(Arrays.copyOf(shape, d + 1)));
                }
            }
            float[] data = new float[Math.toIntExact(size)];
            for (int i = 0; i < data.length; i++) {
                data[i] = in.readFloat();
            }
            tensors.put(name, new Tensor(shape, data));
        }
        return tensors;
    }

    /**
     * Sets an initialized block's parameters from a PyTorch state_dict's floating-point entries,
     * in order.
     *
     * @param block the initialized block (e.g. {@link Generator})
     * @param weights the entries, in the state_dict's order
     * @throws IllegalArgumentException if their number or a shape differs, naming the entry
     */
    public static void load(Block block, Map<String, Tensor> weights) {
        List<Parameter> params = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            params.add(p.getValue());
        }
        List<Map.Entry<String, Tensor>> entries = new ArrayList<>(weights.entrySet());
        if (entries.size() != params.size()) {
            throw new IllegalArgumentException("the weights have " + entries.size() + " tensors, the network "
                    + params.size() + " parameters: another architecture (scale or residual blocks)?");
        }
        for (int i = 0; i < params.size(); i++) {
            NDArray array = params.get(i).getArray();
            Tensor t = entries.get(i).getValue();
            if (!Arrays.equals(t.shape(), array.getShape().getShape())) {
                throw new IllegalArgumentException(entries.get(i).getKey() + " is " + Arrays.toString(t.shape())
                        + ", the network's " + params.get(i).getName() + " is " + array.getShape()
                        + ": another architecture (scale or residual blocks)?");
            }
            array.set(FloatBuffer.wrap(t.data()));
        }
    }

    /**
     * Writes a block's parameters as named tensors, in {@code getParameters()} order (the order of
     * the seed's state_dict), under DJL's parameter names: what train_gpu.py --init reads to
     * continue a model of this cluster on a GPU.
     *
     * @throws IOException if writing fails
     */
    public static void write(Block block, OutputStream raw) throws IOException {
        List<Pair<String, Parameter>> params = new ArrayList<>();
        block.getParameters().forEach(params::add);
        DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(raw));
        out.write("NTv1".getBytes(StandardCharsets.US_ASCII));
        out.writeInt(params.size());
        for (Pair<String, Parameter> p : params) {
            byte[] name = p.getKey().getBytes(StandardCharsets.UTF_8);
            out.writeShort(name.length);
            out.write(name);
            NDArray array = p.getValue().getArray();
            long[] shape = array.getShape().getShape();
            out.writeInt(shape.length);
            for (long d : shape) {
                out.writeLong(d);
            }
            for (float v : array.toFloatArray()) {
                out.writeFloat(v);
            }
        }
        out.flush();
    }
}
