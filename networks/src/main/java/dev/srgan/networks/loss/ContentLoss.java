package dev.srgan.networks.loss;

import ai.djl.ndarray.NDArray;

/**
 * The content term of the generator's loss, which pulls G(LR) towards HR: pixel MSE
 * ({@link PixelContentLoss}) or the weighted MSE between feature maps of a frozen network
 * ({@link FeatureContentLoss}, SRGAN's "VGG loss"). Which one a run uses is an option of its
 * config, as in BasicSR's {@code pixel_opt} / {@code perceptual_opt}, not a code branch.
 */
public interface ContentLoss extends AutoCloseable {

    /** Returns the name recorded with losses and checkpoints, e.g. "pixel-mse" or "vgg19:relu5_4". */
    String name();

    /**
     * Computes the loss.
     *
     * @param generated G(LR), tanh output in [-1, 1], recorded for autograd
     * @param target HR in [-1, 1]
     * @return the scalar loss, differentiable with respect to {@code generated}
     */
    NDArray loss(NDArray generated, NDArray target);

    /** Releases what the loss holds (a feature extractor's weights); nothing for pixel losses. */
    @Override
    default void close() {}
}
