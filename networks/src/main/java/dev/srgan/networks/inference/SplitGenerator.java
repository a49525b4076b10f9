package dev.srgan.networks.inference;

import ai.djl.ndarray.NDArray;

/**
 * A generator whose forward pass is split in two, so that the {@link Upscaler} can compute the
 * features of a whole window and upsample them piece by piece: {@link FoldedGenerator} (DJL's
 * operators, float32), {@link ScriptedGenerator} (a TorchScript module, float32 or bfloat16). Upsampling needs {@link FoldedGenerator#UPSAMPLE_RADIUS}
 * features pixels around a piece for its output to be exact. Both take and return float32.
 */
interface SplitGenerator extends AutoCloseable {

    /** Returns the upscale factor. */
    int scale();

    /**
     * Head, residual blocks and global skip.
     *
     * @param lowRes (N, 3, H, W) in [0, 1]; not closed
     * @return (N, 64, H, W) features, in the input's manager
     */
    NDArray features(NDArray lowRes);

    /**
     * Upsampling blocks, output convolution and tanh.
     *
     * @param features (N, 64, H, W) from {@link #features}; not closed
     * @return (N, 3, H * scale, W * scale) in [-1, 1], in the input's manager
     */
    NDArray upsample(NDArray features);

    /** The whole generator: {@code upsample(features(lowRes))}. */
    default NDArray forward(NDArray lowRes) {
        try (NDArray f = features(lowRes)) {
            return upsample(f);
        }
    }

    /** Frees the weights. */
    @Override
    void close();
}
