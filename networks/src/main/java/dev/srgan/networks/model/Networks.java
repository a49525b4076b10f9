package dev.srgan.networks.model;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Helpers shared by training and inference: initialization, parameter lists, (de)serialization. */
public final class Networks {

    private Networks() {}

    /**
     * Initializes a block's parameters like PyTorch does for {@code nn.Conv2d}: weights and biases
     * uniform in ±1/sqrt(fan_in), BatchNorm gamma 1 and beta 0, PReLU slopes 0.25. The values come
     * from {@code seed} alone, so two runs with the same seed start from the same weights.
     *
     * @param block the uninitialized block
     * @param manager the manager that will own the parameters
     * @param inputShape an input shape, e.g. (1, 3, 24, 24)
     * @param seed the seed of the initial weights
     */
    public static void initialize(Block block, NDManager manager, Shape inputShape, long seed) {
        withoutGradientTracking();
        block.initialize(manager, DataType.FLOAT32, inputShape);
        SplittableRandom random = new SplittableRandom(seed);
        List<Pair<String, Parameter>> params = new ArrayList<>();
        block.getParameters().forEach(params::add);
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i).getValue();
            NDArray array = p.getArray();
            Shape shape = array.getShape();
            if (p.getName().equals("weight") && shape.dimension() == 4) {
                double bound = 1.0 / Math.sqrt((double) shape.size() / shape.get(0));
                fillUniform(array, bound, random);
                if (i + 1 < params.size()
                        && params.get(i + 1).getValue().getName().equals("bias")) {
                    fillUniform(params.get(i + 1).getValue().getArray(), bound, random);
                }
            }
        }
    }

    private static void fillUniform(NDArray array, double bound, SplittableRandom random) {
        float[] values = new float[Math.toIntExact(array.getShape().size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
        array.set(FloatBuffer.wrap(values));
    }

    /**
     * Turns off autograd recording on the calling thread. PyTorch's grad mode is per thread and
     * on by default in new threads; DJL turns it off only on the thread that started the engine.
     */
    public static void withoutGradientTracking() {
        Engine.getEngine("PyTorch"); // loads the native library on first use
        JniUtils.setGradMode(false);
    }

    /**
     * Returns a scalar array holding {@code value}, in {@code like}'s manager and type, whose memory
     * PyTorch owns. Every number in a forward pass that autograd records must come through here:
     * DJL's {@code x.mul(0.5f)} (and {@code div}, {@code maximum}, {@code minimum}, ...) wraps the
     * number in an array over a Java direct buffer that PyTorch does not own ({@code
     * torch::from_blob}) and closes it at once. The graph keeps that array for its backward pass
     * (the factor of a product, the threshold of a maximum), and once a garbage collection has
     * freed the buffer and malloc has handed its bytes to someone else, the backward pass reads
     * whatever is there: a gradient scaled by garbage, now and then.
     *
     * @param like an array of the pass (its manager holds the scalar until it closes)
     * @param value the number
     * @return the 0-dimensional array
     */
    public static NDArray constant(NDArray like, float value) {
        return like.getManager().full(new Shape(), value, like.getDataType());
    }

    /**
     * Runs a block in inference mode and frees each intermediate as soon as the next layer has
     * consumed it, so peak memory stays near two activations instead of all of them. Handles
     * {@link SequentialBlock} and {@link Residual} structurally; other blocks run as usual.
     *
     * @param block the block
     * @param x the input (not closed)
     * @param store the parameter store
     * @return the output, in the input's manager
     */
    public static NDArray inferenceForward(Block block, NDArray x, ParameterStore store) {
        if (block instanceof SequentialBlock sequential) {
            NDArray current = x;
            for (Block child : sequential.getChildren().values()) {
                NDArray next = inferenceForward(child, current, store);
                if (current != x && next != current) {
                    current.close();
                }
                current = next;
            }
            return current;
        }
        if (block instanceof Residual residual) {
            NDArray y = inferenceForward(residual.body(), x, store);
            return y == x ? y.add(x) : y.addi(x);
        }
        return block.forward(store, new NDList(x), false).singletonOrThrow();
    }

    /**
     * Returns a copy of an (N, C, H, W) array stored in channels-last order (N, H, W, C in memory,
     * PyTorch's {@code channels_last}); its shape and values are unchanged. Convolutions on the CPU
     * run faster on such input (oneDNN works on it without reordering) and return channels-last
     * output, which element-wise operations keep.
     *
     * @param x the array (not closed)
     * @return the channels-last copy, in x's manager
     */
    public static NDArray channelsLast(NDArray x) {
        Shape s = x.getShape();
        long n = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        try (NDArray nhwc = x.transpose(0, 2, 3, 1);
                // W and C cannot merge in a view of NCHW memory, so this reshape copies in N, H, W, C order
                NDArray copy = nhwc.reshape(n, h, w * c);
                NDArray unmerged = copy.reshape(n, h, w, c)) {
            return unmerged.transpose(0, 3, 1, 2);
        }
    }

    /** Returns the trainable parameters (those that require a gradient), in block order. */
    public static List<Parameter> trainableParameters(Block block) {
        List<Parameter> result = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getValue().requiresGradient()) {
                result.add(p.getValue());
            }
        }
        return result;
    }

    /** Returns all parameter arrays (weights and BatchNorm running statistics), in block order. */
    public static List<NDArray> allArrays(Block block) {
        List<NDArray> result = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            result.add(p.getValue().getArray());
        }
        return result;
    }

    /** Returns the number of trainable scalars of an initialized block. */
    public static long trainableParameterCount(Block block) {
        long n = 0;
        for (Parameter p : trainableParameters(block)) {
            n += p.getArray().getShape().size();
        }
        return n;
    }

    /**
     * Clears the gradients accumulated on a block's trainable parameters. PyTorch adds each
     * backward pass onto the existing gradients and DJL's PyTorch gradient collector does not
     * clear them, so every step clears them before its backward pass.
     */
    public static void zeroGradients(Block block) {
        for (Parameter p : trainableParameters(block)) {
            NDArray array = p.getArray();
            if (array.hasGradient()) {
                JniUtils.zeroGrad((PtNDArray) array);
            }
        }
    }

    /** Freezes all parameters (no gradients), for inference and frozen feature extractors. */
    public static void freeze(Block block) {
        block.freezeParameters(true);
    }

    /** Marks the trainable parameters as requiring gradients, e.g. after loading them. */
    public static void unfreeze(Block block) {
        for (Pair<String, Parameter> p : block.getParameters()) {
            Parameter param = p.getValue();
            if (param.requiresGradient()) {
                param.getArray().setRequiresGradient(true);
            }
        }
    }

    /** Serializes all parameters (with BatchNorm running statistics) in DJL's parameter format. */
    public static byte[] saveParameters(Block block) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            block.saveParameters(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Loads parameters written by {@link #saveParameters(Block)} into a freshly built,
     * uninitialized block of the same architecture.
     *
     * @param block the block
     * @param manager the manager that will own the parameters
     * @param parameters the serialized parameters
     * @throws MalformedModelException if the bytes do not fit the block
     */
    public static void loadParameters(Block block, NDManager manager, byte[] parameters)
            throws MalformedModelException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(parameters))) {
            block.loadParameters(manager, in);
        } catch (IOException e) {
            throw new MalformedModelException("cannot read parameters: " + e.getMessage(), e);
        }
    }
}
