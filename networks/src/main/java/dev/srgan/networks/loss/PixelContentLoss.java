package dev.srgan.networks.loss;

import ai.djl.ndarray.NDArray;

/** Pixel MSE measured on [0, 1] images ({@link Losses#pixelMse}); recorded as "pixel-mse". */
public final class PixelContentLoss implements ContentLoss {

    @Override
    public String name() {
        return Losses.PIXEL_MSE;
    }

    @Override
    public NDArray loss(NDArray generated, NDArray target) {
        return Losses.pixelMse(generated, target);
    }
}
