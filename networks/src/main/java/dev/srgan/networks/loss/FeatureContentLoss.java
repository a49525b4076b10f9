package dev.srgan.networks.loss;

import ai.djl.ndarray.NDArray;
import dev.srgan.networks.model.Networks;

/**
 * Perceptual content loss: {@code weight * MSE(features(G(LR)), features(HR))}
 * ({@link Losses#featureMse}), recorded under the extractor's name. Closing it closes the
 * extractor.
 */
public final class FeatureContentLoss implements ContentLoss {

    private final FeatureExtractor extractor;
    private final float weight;

    /**
     * @param extractor the frozen feature extractor, owned (closed) by this loss
     * @param weight the factor on the feature MSE (SRGAN rescales VGG features by 1/12.75^2)
     */
    public FeatureContentLoss(FeatureExtractor extractor, double weight) {
        this.extractor = extractor;
        this.weight = (float) weight;
    }

    @Override
    public String name() {
        return extractor.name();
    }

    @Override
    public NDArray loss(NDArray generated, NDArray target) {
        NDArray loss = Losses.featureMse(extractor, generated, target);
        return loss.mul(Networks.constant(loss, weight));
    }

    @Override
    public void close() {
        extractor.close();
    }
}
