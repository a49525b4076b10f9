package dev.srgan.networks.model;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Parametric ReLU with one learned slope per channel, as PyTorch's {@code nn.PReLU(channels)}:
 * {@code y = max(0, x) + alpha[c] * min(0, x)} on NCHW input.
 *
 * <p>DJL's own {@code Prelu} learns a single scalar and has no PyTorch-engine kernel, hence this
 * block. The slopes start at 0.25, PyTorch's default.
 */
public final class PRelu extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int channels;
    private final Parameter alpha;

    /**
     * Creates a per-channel PReLU.
     *
     * @param channels the number of channels (axis 1 of the input)
     */
    public PRelu(int channels) {
        super(VERSION);
        if (channels < 1) {
            throw new IllegalArgumentException("channels must be >= 1, got " + channels);
        }
        this.channels = channels;
        alpha = addParameter(Parameter.builder()
                .setName("alpha")
                .setType(Parameter.Type.OTHER)
                .optShape(new Shape(channels))
                .optInitializer(new ConstantInitializer(0.25f))
                .build());
    }

    /** Returns the number of channels this block has one slope for. */
    public int channels() {
        return channels;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray a = parameterStore.getValue(alpha, x.getDevice(), training);
        return new NDList(apply(x, a));
    }

    /**
     * Applies PReLU with the given per-channel slopes.
     *
     * @param x input of shape (N, C, ...)
     * @param alpha slopes of shape (C)
     * @return {@code max(0, x) + alpha[c] * min(0, x)}
     */
    public static NDArray apply(NDArray x, NDArray alpha) {
        long c = x.getShape().get(1);
        long[] dims = new long[x.getShape().dimension()];
        java.util.Arrays.fill(dims, 1);
        dims[1] = c;
        NDArray a = alpha.reshape(new Shape(dims));
        NDArray zero = Networks.constant(x, 0f);
        NDArray positive = x.maximum(zero);
        NDArray negative = x.minimum(zero);
        NDArray scaled = negative.mul(a);
        NDArray y = positive.add(scaled);
        // free the temporaries now (autograd keeps what it needs): large activations otherwise
        // stay alive until the step's manager closes
        a.close();
        positive.close();
        negative.close();
        scaled.close();
        zero.close();
        return y;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void beforeInitialize(Shape... inputShapes) {
        super.beforeInitialize(inputShapes);
        if (inputShapes[0].get(1) != channels) {
            throw new IllegalArgumentException("PRelu of " + channels + " channels got input " + inputShapes[0]);
        }
    }

    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        saveInputShapes(os);
    }

    @Override
    public void loadMetadata(byte loadVersion, DataInputStream is) throws IOException, MalformedModelException {
        if (loadVersion != VERSION) {
            throw new MalformedModelException("Unsupported PRelu version: " + loadVersion);
        }
        readInputShapes(is);
    }
}
