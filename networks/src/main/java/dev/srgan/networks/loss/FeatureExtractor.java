package dev.srgan.networks.loss;

import ai.djl.ndarray.NDArray;

/**
 * A frozen network whose feature maps define the perceptual content loss (SRGAN's "VGG loss":
 * MSE between the features of G(LR) and of HR). Its parameters never train, but gradients must
 * flow through it to its input.
 */
public interface FeatureExtractor extends AutoCloseable {

    /** Returns the name recorded as the content loss, e.g. {@code "vgg19:relu5_4"}. */
    String name();

    /**
     * Computes feature maps.
     *
     * @param images RGB in [0, 1], (N, 3, H, W), possibly requiring gradients
     * @return the features; differentiable with respect to {@code images}
     */
    NDArray features(NDArray images);

    @Override
    void close();
}
