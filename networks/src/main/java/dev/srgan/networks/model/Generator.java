package dev.srgan.networks.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;

/**
 * The SRGAN generator (Ledig et al. 2017, "Photo-Realistic Single Image Super-Resolution Using a
 * Generative Adversarial Network"), laid out exactly as the PyTorch code of the seed article:
 *
 * <pre>
 * conv9x9(3->64) + PReLU(64)                                      "block_in"
 * B x [conv3x3 -> BN -> PReLU(64) -> conv3x3 -> BN] + input          "blocks"
 * conv3x3 -> BN, + the output of block_in (global skip)            "block_out"
 * log2(scale) x [conv3x3(64->256) -> PixelShuffle(2) -> PReLU(64)]   "upsample"
 * conv9x9(64->3) -> tanh
 * </pre>
 *
 * <p>Value convention, used everywhere in this module: the input is RGB in [0, 1] (N, 3, H, W);
 * the output is tanh in [-1, 1] (N, 3, H*scale, W*scale) and callers map it to [0, 1] with {@code
 * (y + 1) / 2}. At scale 4 with 16 blocks it has 1,550,659 trainable parameters.
 */
public final class Generator {

    /** Feature channels of the body, fixed at 64 by the paper. */
    public static final int CHANNELS = 64;

    private Generator() {}

    /** Returns a builder; defaults are scale 4 and 16 residual blocks. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns how many low-resolution pixels around a pixel can influence its output, rounded up:
     * 4 (conv9x9) + 2 per residual block + 1 (block_out conv) + 1 (first upsampling conv), plus
     * at most 1 for the convolutions at higher resolutions, 2 for the final conv9x9 at scale >= 2
     * and 1 for the sub-pixel rounding. Tiles that keep this much context around their core give
     * exactly the whole-image result.
     *
     * @param residualBlocks the number of residual blocks
     * @return the receptive-field radius in input pixels
     */
    public static int receptiveRadius(int residualBlocks) {
        return 2 * residualBlocks + 10;
    }

    static Block conv(int filters, int kernel) {
        return Conv2d.builder()
                .setKernelShape(new Shape(kernel, kernel))
                .optPadding(new Shape(kernel / 2, kernel / 2))
                .setFilters(filters)
                .build();
    }

    static Block batchNorm() {
        return BatchNorm.builder().optEpsilon(1e-5f).optMomentum(0.9f).build();
    }

    static Block residualBlock() {
        SequentialBlock body = new NormSequential()
                .add(conv(CHANNELS, 3))
                .add(batchNorm())
                .add(new PRelu(CHANNELS))
                .add(conv(CHANNELS, 3))
                .add(batchNorm());
        return skip(body);
    }

    static Block upsampleBlock() {
        return new SequentialBlock()
                .add(conv(CHANNELS * 4, 3))
                .add(new PixelShuffle(2))
                .add(new PRelu(CHANNELS));
    }

    /**
     * Sets whether the generator's BatchNorm layers keep their running statistics in training
     * (normalising with them and never updating them) while their scale and shift, and every other
     * weight, still learn. For fine-tuning a trained generator: see {@link NormSequential}.
     *
     * @param generator a generator from {@link Builder#build()}
     * @param frozen true to keep the statistics; false (the default) for batch statistics
     */
    public static void freezeBatchNormStatistics(Block generator, boolean frozen) {
        if (generator instanceof NormSequential sequential) {
            sequential.freezeStatistics(frozen);
        }
        for (Block child : generator.getChildren().values()) {
            freezeBatchNormStatistics(child, frozen);
        }
    }

    /** Returns {@code body(x) + x}. */
    static Block skip(Block body) {
        return new Residual(body);
    }

    /** Settings of a generator; {@link #build()} validates them. */
    public static final class Builder {
        private int scale = 4;
        private int residualBlocks = 16;

        private Builder() {}

        /**
         * Sets the upscale factor.
         *
         * @param scale 2, 4 or 8
         * @return this builder
         */
        public Builder scale(int scale) {
            this.scale = scale;
            return this;
        }

        /**
         * Sets the number of residual blocks.
         *
         * @param residualBlocks at least 1; the paper uses 16
         * @return this builder
         */
        public Builder residualBlocks(int residualBlocks) {
            this.residualBlocks = residualBlocks;
            return this;
        }

        /**
         * Builds the uninitialized generator block.
         *
         * @return the generator
         * @throws IllegalArgumentException if scale is not 2, 4 or 8, or residualBlocks is below 1
         */
        public Block build() {
            if (scale != 2 && scale != 4 && scale != 8) {
                throw new IllegalArgumentException("scale must be 2, 4 or 8, got " + scale);
            }
            if (residualBlocks < 1) {
                throw new IllegalArgumentException("residualBlocks must be >= 1, got " + residualBlocks);
            }
            SequentialBlock blockIn =
                    new SequentialBlock().add(conv(CHANNELS, 9)).add(new PRelu(CHANNELS));
            SequentialBlock trunk = new NormSequential();
            for (int i = 0; i < residualBlocks; i++) {
                trunk.add(residualBlock());
            }
            trunk.add(conv(CHANNELS, 3)).add(batchNorm());
            SequentialBlock upsample = new SequentialBlock();
            for (int s = scale; s > 1; s /= 2) {
                upsample.add(upsampleBlock());
            }
            upsample.add(conv(3, 9));
            return new SequentialBlock()
                    .add(blockIn)
                    .add(skip(trunk))
                    .add(upsample)
                    .add(LambdaBlock.singleton(x -> x.tanh(), "tanh"));
        }
    }
}
