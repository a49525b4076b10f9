package dev.srgan.networks.model;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Sub-pixel convolution's rearrangement, as PyTorch's {@code nn.PixelShuffle(r)}: (N, C*r*r, H,
 * W) becomes (N, C, H*r, W*r) with {@code out[n, c, h*r + i, w*r + j] = in[n, c*r*r + i*r + j, h,
 * w]} (Shi et al. 2016). DJL has no such block.
 */
public final class PixelShuffle extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int factor;

    /**
     * Creates a pixel shuffle.
     *
     * @param factor the upscale factor r
     */
    public PixelShuffle(int factor) {
        super(VERSION);
        if (factor < 1) {
            throw new IllegalArgumentException("factor must be >= 1, got " + factor);
        }
        this.factor = factor;
    }

    /** Returns the upscale factor r. */
    public int factor() {
        return factor;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(apply(inputs.singletonOrThrow(), factor));
    }

    /**
     * Rearranges (N, C*r*r, H, W) into (N, C, H*r, W*r). The result is stored channels-last (see
     * {@link Networks#channelsLast}): on channels-last input this takes one copy, and the
     * convolution that follows runs on channels-last input.
     *
     * @param x the input
     * @param r the factor
     * @return the shuffled array
     */
    public static NDArray apply(NDArray x, int r) {
        Shape s = x.getShape();
        long n = s.get(0);
        long c = s.get(1) / ((long) r * r);
        long h = s.get(2);
        long w = s.get(3);
        if (c * r * r != s.get(1)) {
            throw new IllegalArgumentException("channels " + s.get(1) + " are not a multiple of " + (r * r));
        }
        // in N, H, W, C order: (n, h, w, c, i, j) -> (n, h, i, w, j, c)
        NDArray nhwc = x.transpose(0, 2, 3, 1);
        NDArray split = nhwc.reshape(n, h, w, c, r, r);
        NDArray moved = split.transpose(0, 1, 4, 2, 5, 3);
        NDArray merged = moved.reshape(n, h * r, w * r, c);
        NDArray y = merged.transpose(0, 3, 1, 2);
        // the views would keep the input's storage alive until their manager closes
        nhwc.close();
        split.close();
        moved.close();
        merged.close();
        return y;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {
            new Shape(s.get(0), s.get(1) / ((long) factor * factor), s.get(2) * factor, s.get(3) * factor)
        };
    }

    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        saveInputShapes(os);
    }

    @Override
    public void loadMetadata(byte loadVersion, DataInputStream is) throws IOException, MalformedModelException {
        if (loadVersion != VERSION) {
            throw new MalformedModelException("Unsupported PixelShuffle version: " + loadVersion);
        }
        readInputShapes(is);
    }
}
