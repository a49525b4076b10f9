package dev.srgan.networks.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;

/**
 * The SRGAN discriminator (Ledig et al. 2017) as in the seed article: conv3x3(3->64) + LeakyReLU
 * 0.2, seven conv3x3 + BN + LeakyReLU 0.2 with channels 64 (stride 2), 128, 128 (s2), 256, 256
 * (s2), 512, 512 (s2), global average pooling, conv1x1(512->1024) + LeakyReLU 0.2,
 * conv1x1(1024->1). 5,215,425 trainable parameters; any input size of at least 16x16 works.
 *
 * <p>Input: images in the generator's output range [-1, 1], (N, 3, H, W). Output: one
 * <em>logit</em> per image, shape (N). The seed applies the sigmoid inside the network; here the
 * losses apply it (binary cross-entropy on logits is numerically stable), and {@code
 * sigmoid(logit)} is the probability that the image is a real high-resolution one.
 */
public final class Discriminator {

    private static final float SLOPE = 0.2f;

    private Discriminator() {}

    /** Returns a builder. */
    public static Builder builder() {
        return new Builder();
    }

    private static Block conv(int filters, int kernel, int stride) {
        return Conv2d.builder()
                .setKernelShape(new Shape(kernel, kernel))
                .optPadding(new Shape(kernel / 2, kernel / 2))
                .optStride(new Shape(stride, stride))
                .setFilters(filters)
                .build();
    }

    private static Block leakyRelu() {
        return LambdaBlock.singleton(x -> x.getNDArrayInternal().leakyRelu(SLOPE), "leakyRelu");
    }

    private static NDArray globalAveragePool(NDArray x) {
        // mean over several axes is not supported on the PyTorch engine: flatten H*W first
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), -1).mean(new int[] {2}).reshape(s.get(0), s.get(1), 1, 1);
    }

    /** Builder of the discriminator; it has no settings yet. */
    public static final class Builder {
        private Builder() {}

        /** Builds the uninitialized discriminator block. */
        public Block build() {
            SequentialBlock net = new SequentialBlock().add(conv(64, 3, 1)).add(leakyRelu());
            int[][] layers = {{64, 2}, {128, 1}, {128, 2}, {256, 1}, {256, 2}, {512, 1}, {512, 2}};
            for (int[] layer : layers) {
                net.add(conv(layer[0], 3, layer[1])).add(Generator.batchNorm()).add(leakyRelu());
            }
            return net.add(LambdaBlock.singleton(Discriminator::globalAveragePool, "globalAvgPool"))
                    .add(conv(1024, 1, 1))
                    .add(leakyRelu())
                    .add(conv(1, 1, 1))
                    .add(LambdaBlock.singleton(x -> x.reshape(x.getShape().get(0)), "flatten"));
        }
    }
}
