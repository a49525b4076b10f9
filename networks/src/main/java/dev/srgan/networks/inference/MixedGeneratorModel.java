package dev.srgan.networks.inference;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/**
 * Two generators of one scale run on the same input, their outputs mixed pixel by pixel: {@code (1
 * - weight) * a + weight * b} (the image interpolation of ESRGAN's paper, beside its network
 * interpolation). Where both are split ({@link SplitGenerator}), so is the mix: its features are
 * both generators' features side by side in the channel axis, and its upsampling upsamples each
 * half with its own generator and mixes the two results, so the {@link Upscaler} still upsamples
 * piece by piece. It owns both upscalers and closes them.
 */
final class MixedGeneratorModel implements GeneratorModel {

    private final Upscaler a;
    private final Upscaler b;
    private final GeneratorModel first;
    private final GeneratorModel second;
    private final float weight;

    MixedGeneratorModel(Upscaler a, GeneratorModel first, Upscaler b, GeneratorModel second, double weight) {
        this.a = a;
        this.b = b;
        this.first = first;
        this.second = second;
        this.weight = (float) weight;
    }

    @Override
    public NDArray forward(NDArray lowRes) {
        NDArray x = first.forward(lowRes);
        try (NDArray y = second.forward(lowRes)) {
            return mix(x, y);
        }
    }

    /**
     * {@code (1 - weight) * x + weight * y}; closes x. Not in place: the generators' outputs may be
     * inference tensors, which PyTorch does not let change outside its inference mode.
     */
    private NDArray mix(NDArray x, NDArray y) {
        try (x;
                NDArray own = x.mul(1 - weight);
                NDArray share = y.mul(weight)) {
            return own.add(share);
        }
    }

    @Override
    public SplitGenerator folded() {
        SplitGenerator f = first.folded();
        SplitGenerator g = second.folded();
        if (f == null || g == null) {
            return null;
        }
        return new SplitGenerator() {
            @Override
            public int scale() {
                return f.scale();
            }

            @Override
            public NDArray features(NDArray lowRes) {
                try (NDArray x = f.features(lowRes);
                        NDArray y = g.features(lowRes)) {
                    return x.concat(y, 1);
                }
            }

            @Override
            public NDArray upsample(NDArray features) {
                long half = features.getShape().get(1) / 2;
                NDArray x;
                try (NDArray own = features.get(new NDIndex(":, :{}", half))) {
                    x = f.upsample(own);
                }
                try (NDArray other = features.get(new NDIndex(":, {}:", half));
                        NDArray y = g.upsample(other)) {
                    return mix(x, y);
                }
            }

            @Override
            public void close() {
                // the two generators' own, closed with them
            }
        };
    }

    @Override
    public Precision precision() {
        return first.precision();
    }

    @Override
    public Device device() {
        return first.device();
    }

    @Override
    public void close() {
        try (Upscaler x = a;
                Upscaler y = b) {
            // both closed
        }
    }
}
