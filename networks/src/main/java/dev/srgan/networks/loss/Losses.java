package dev.srgan.networks.loss;

import ai.djl.ndarray.NDArray;
import dev.srgan.networks.model.Networks;

/**
 * The SRGAN losses. Images enter in the generator's range [-1, 1]; pixel MSE is measured on [0, 1]
 * images (so its scale does not depend on the tanh convention).
 */
public final class Losses {

    /** Content-loss name recorded when no feature extractor is used. */
    public static final String PIXEL_MSE = "pixel-mse";

    private Losses() {}

    /** Returns the mean of {@code (a - b)^2} over all elements. */
    public static NDArray mse(NDArray a, NDArray b) {
        return a.sub(b).square().mean();
    }

    /**
     * Pixel MSE between a generated image and the target, both in [-1, 1], measured on [0, 1].
     *
     * @param generated G(LR), tanh output
     * @param target HR in [-1, 1]
     * @return the scalar loss
     */
    public static NDArray pixelMse(NDArray generated, NDArray target) {
        NDArray mse = mse(generated, target);
        return mse.div(Networks.constant(mse, 4f));
    }

    /**
     * Perceptual content loss: MSE between the features of G(LR) and of HR.
     *
     * @param extractor the frozen feature extractor
     * @param generated G(LR), tanh output in [-1, 1]
     * @param target HR in [-1, 1]
     * @return the scalar loss, differentiable with respect to {@code generated}
     */
    public static NDArray featureMse(FeatureExtractor extractor, NDArray generated, NDArray target) {
        NDArray fakeFeatures = extractor.features(toUnitRange(generated));
        NDArray realFeatures =
                extractor.features(toUnitRange(target.stopGradient())).stopGradient();
        return mse(fakeFeatures, realFeatures);
    }

    /**
     * Binary cross-entropy of sigmoid(logits) against a constant label, computed stably as
     * {@code max(z, 0) - z * y + log(1 + exp(-|z|))}, averaged.
     *
     * @param logits the discriminator's logits, (N)
     * @param label 1 for "real", 0 for "generated"
     * @return the scalar loss
     */
    public static NDArray bceWithLogits(NDArray logits, float label) {
        NDArray softplus =
                logits.abs().neg().exp().add(Networks.constant(logits, 1f)).log();
        return logits.maximum(Networks.constant(logits, 0f))
                .sub(logits.mul(Networks.constant(logits, label)))
                .add(softplus)
                .mean();
    }

    /** (x + 1) / 2: an image in [-1, 1] to [0, 1], as numbers autograd may keep (see {@link Networks#constant}). */
    private static NDArray toUnitRange(NDArray x) {
        return x.add(Networks.constant(x, 1f)).div(Networks.constant(x, 2f));
    }
}
