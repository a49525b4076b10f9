package dev.srgan.networks.export;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes the SRGAN generator as an ONNX model (opset 17), from its DJL parameters: input
 * {@code image} float32 NCHW RGB in [0, 1] with dynamic batch, height and width; output
 * {@code upscaled}, float32 NCHW RGB in [0, 1] (the generator's tanh mapped by (y + 1) / 2), scale
 * times larger. The graph is the seed's generator node for node: Conv, BatchNormalization
 * (inference, epsilon 1e-5 as DJL's), PRelu, Add for the residual and global skips, DepthToSpace
 * (CRD, PyTorch's PixelShuffle) and Tanh.
 *
 * <p>The protobuf messages are written field by field with protobuf-java's {@link
 * CodedOutputStream}, after onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto,
 * TensorProto, ValueInfoProto): no generated classes, no Python.
 */
public final class OnnxExport {

    /** The opset the graph declares. */
    public static final int OPSET = 17;

    private static final int IR_VERSION = 8;
    private static final int FLOAT = 1;

    private OnnxExport() {}

    /**
     * The ONNX model of a generator.
     *
     * @param parameters its DJL parameters ({@link DjlParameters#read}), in declaration order
     * @param scale 2, 4 or 8
     * @param residualBlocks the residual blocks
     * @param name the model's name (the graph's name and doc string)
     * @throws IllegalArgumentException if the parameters are not those of such a generator
     */
    public static byte[] generator(List<DjlParameters.Tensor> parameters, int scale, int residualBlocks, String name) {
        Graph g = new Graph(parameters);
        String h0 = g.prelu(g.conv("image", 4), "block_in");
        String h = h0;
        for (int b = 0; b < residualBlocks; b++) {
            String t = g.prelu(g.batchNorm(g.conv(h, 1)), "block" + b);
            t = g.batchNorm(g.conv(t, 1));
            h = g.add(h, t);
        }
        h = g.add(g.batchNorm(g.conv(h, 1)), h0);
        for (int s = scale; s > 1; s /= 2) {
            h = g.prelu(g.depthToSpace(g.conv(h, 1)), "up");
        }
        String y = g.node("Tanh", List.of(g.conv(h, 4)), List.of());
        // (tanh + 1) / 2: RGB in [0, 1]
        String one = g.constant("one", 1f);
        String half = g.constant("half", 0.5f);
        String out = g.node("Mul", List.of(g.node("Add", List.of(y, one), List.of()), half), List.of(), "upscaled");
        if (g.next != parameters.size()) {
            throw new IllegalArgumentException(
                    "the parameters hold " + parameters.size() + " tensors, a " + scale + "x generator of "
                            + residualBlocks + " residual blocks uses " + g.next + ": another architecture?");
        }
        Msg graph = new Msg();
        for (Msg node : g.nodes) {
            graph.msg(1, node);
        }
        graph.str(2, name);
        for (Msg init : g.initializers) {
            graph.msg(5, init);
        }
        graph.str(
                10,
                "SRGAN generator, " + scale + "x, " + residualBlocks
                        + " residual blocks; input and output RGB in [0, 1], NCHW");
        graph.msg(11, valueInfo("image", "height", "width"));
        graph.msg(12, valueInfo(out, "height*" + scale, "width*" + scale));
        Msg model = new Msg()
                .i64(1, IR_VERSION)
                .str(2, "srgan-cluster")
                .str(3, "1")
                .msg(7, graph)
                .msg(8, new Msg().str(1, "").i64(2, OPSET));
        return model.bytes();
    }

    private static Msg valueInfo(String name, String height, String width) {
        Msg shape = new Msg()
                .msg(1, new Msg().str(2, "batch"))
                .msg(1, new Msg().i64(1, 3))
                .msg(1, new Msg().str(2, height))
                .msg(1, new Msg().str(2, width));
        Msg tensorType = new Msg().i64(1, FLOAT).msg(2, shape);
        return new Msg().str(1, name).msg(2, new Msg().msg(1, tensorType));
    }

    /** Builds the graph, taking the parameters in order. */
    private static final class Graph {
        final List<DjlParameters.Tensor> parameters;
        final List<Msg> nodes = new ArrayList<>();
        final List<Msg> initializers = new ArrayList<>();
        int next;
        int names;

        Graph(List<DjlParameters.Tensor> parameters) {
            this.parameters = parameters;
        }

        DjlParameters.Tensor take(String expected) {
            if (next >= parameters.size()) {
                throw new IllegalArgumentException(
                        "the parameters end before the generator does (" + expected + " expected)");
            }
            DjlParameters.Tensor t = parameters.get(next++);
            if (!t.name().equals(expected)) {
                throw new IllegalArgumentException("parameter " + (next - 1) + " is " + t.name() + ", " + expected
                        + " expected: another architecture?");
            }
            return t;
        }

        String initializer(String prefix, long[] dims, float[] data) {
            String name = prefix + "_" + (names++);
            ByteBuffer raw = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
            raw.asFloatBuffer().put(data);
            Msg t = new Msg();
            for (long d : dims) {
                t.i64(1, d);
            }
            t.i64(2, FLOAT).str(8, name).bytes(9, raw.array());
            initializers.add(t);
            return name;
        }

        String constant(String prefix, float value) {
            return initializer(prefix, new long[0], new float[] {value});
        }

        String node(String op, List<String> inputs, List<Msg> attributes) {
            return node(op, inputs, attributes, op.toLowerCase() + "_" + (names++));
        }

        String node(String op, List<String> inputs, List<Msg> attributes, String output) {
            Msg n = new Msg();
            for (String in : inputs) {
                n.str(1, in);
            }
            n.str(2, output).str(3, output).str(4, op);
            for (Msg a : attributes) {
                n.msg(5, a);
            }
            nodes.add(n);
            return output;
        }

        String conv(String x, int pad) {
            DjlParameters.Tensor w = take("weight");
            DjlParameters.Tensor b = take("bias");
            if (w.shape().length != 4 || w.shape()[2] != 2L * pad + 1) {
                throw new IllegalArgumentException(
                        "a " + (2 * pad + 1) + "x" + (2 * pad + 1) + " convolution expected, its weight is "
                                + Arrays.toString(w.shape()) + ": another architecture?");
            }
            String wn = initializer("conv_w", w.shape(), w.data());
            String bn = initializer("conv_b", b.shape(), b.data());
            int k = (int) w.shape()[2];
            return node(
                    "Conv", List.of(x, wn, bn), List.of(ints("kernel_shape", k, k), ints("pads", pad, pad, pad, pad)));
        }

        String batchNorm(String x) {
            DjlParameters.Tensor gamma = take("gamma");
            DjlParameters.Tensor beta = take("beta");
            DjlParameters.Tensor mean = take("runningMean");
            DjlParameters.Tensor var = take("runningVar");
            return node(
                    "BatchNormalization",
                    List.of(
                            x,
                            initializer("bn_scale", gamma.shape(), gamma.data()),
                            initializer("bn_bias", beta.shape(), beta.data()),
                            initializer("bn_mean", mean.shape(), mean.data()),
                            initializer("bn_var", var.shape(), var.data())),
                    List.of(new Msg().str(1, "epsilon").f32(2, 1e-5f).i64(20, 1)));
        }

        String prelu(String x, String where) {
            DjlParameters.Tensor alpha = take("alpha");
            // one slope per channel, broadcast over H and W
            return node(
                    "PRelu",
                    List.of(x, initializer("prelu_" + where, new long[] {alpha.size(), 1, 1}, alpha.data())),
                    List.of());
        }

        String add(String a, String b) {
            return node("Add", List.of(a, b), List.of());
        }

        String depthToSpace(String x) {
            return node(
                    "DepthToSpace",
                    List.of(x),
                    List.of(
                            new Msg().str(1, "blocksize").i64(3, 2).i64(20, 2),
                            new Msg()
                                    .str(1, "mode")
                                    .bytes(4, "CRD".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                                    .i64(20, 3)));
        }

        static Msg ints(String name, long... values) {
            Msg a = new Msg().str(1, name);
            for (long v : values) {
                a.i64(8, v);
            }
            return a.i64(20, 7);
        }
    }

    /** A protobuf message being written: fields in the order they are added. */
    private static final class Msg {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final CodedOutputStream out = CodedOutputStream.newInstance(buffer);

        private interface Field {
            void write(CodedOutputStream out) throws IOException;
        }

        /** Writes one field; the buffer is in memory, so an IOException would be a bug. */
        private Msg field(Field field) {
            try {
                field.write(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        Msg str(int number, String value) {
            return field(o -> o.writeString(number, value));
        }

        Msg i64(int number, long value) {
            return field(o -> o.writeInt64(number, value));
        }

        Msg f32(int number, float value) {
            return field(o -> o.writeFloat(number, value));
        }

        Msg bytes(int number, byte[] value) {
            return field(o -> o.writeByteArray(number, value));
        }

        Msg msg(int number, Msg message) {
            return bytes(number, message.bytes());
        }

        byte[] bytes() {
            field(CodedOutputStream::flush);
            return buffer.toByteArray();
        }
    }
}
