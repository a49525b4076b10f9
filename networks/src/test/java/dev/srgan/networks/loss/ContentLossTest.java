package dev.srgan.networks.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class ContentLossTest {

    /** Features equal to the [0, 1] image itself, so the feature MSE is the pixel MSE. */
    private static final class IdentityExtractor implements FeatureExtractor {
        boolean closed;

        @Override
        public String name() {
            return "identity";
        }

        @Override
        public NDArray features(NDArray images) {
            return images;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void pixelLossIsTheMseOnZeroToOneImages() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // on [-1, 1]: differences -2, 0, 1, 1; on [0, 1]: -1, 0, 0.5, 0.5; mean of squares 0.375
            NDArray generated = manager.create(new float[] {-1f, 0.5f, 0f, 1f}, new Shape(1, 1, 2, 2));
            NDArray target = manager.create(new float[] {1f, 0.5f, -1f, 0f}, new Shape(1, 1, 2, 2));
            ContentLoss pixel = new PixelContentLoss();
            assertEquals("pixel-mse", pixel.name());
            assertEquals(0.375f, pixel.loss(generated, target).getFloat(), 0f);
        }
    }

    @Test
    void featureLossIsTheWeightedMseOfFeaturesAndClosesItsExtractor() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray generated = manager.create(new float[] {-1f, 0.5f, 0f, 1f}, new Shape(1, 1, 2, 2));
            NDArray target = manager.create(new float[] {1f, 0.5f, -1f, 0f}, new Shape(1, 1, 2, 2));
            IdentityExtractor extractor = new IdentityExtractor();
            ContentLoss feature = new FeatureContentLoss(extractor, 2.0);
            assertEquals("identity", feature.name());
            assertEquals(0.75f, feature.loss(generated, target).getFloat(), 0f);
            feature.close();
            assertTrue(extractor.closed);
        }
    }
}
