package dev.srgan.networks.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.util.Pair;
import dev.srgan.networks.model.Generator;
import dev.srgan.networks.model.Networks;
import dev.srgan.networks.model.PRelu;
import dev.srgan.networks.model.PixelShuffle;
import dev.srgan.networks.model.Residual;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An inference-only copy of a {@link Generator}, computing the same function with less work:
 *
 * <ul>
 *   <li>each BatchNorm (running statistics) is folded into the convolution before it: {@code w' =
 *       w * s}, {@code b' = (b - mean) * s + beta} with {@code s = gamma / sqrt(var + eps)};
 *   <li>the PReLU after each pixel shuffle runs before it, on the convolution's output (it is per
 *       channel, and the shuffle only moves the values of a channel around);
 *   <li>the last conv9x9 (64 to 3 channels at the output resolution, which runs at a fraction of
 *       the machine's speed with so few outputs) is rewritten as the equivalent conv5x5 from the
 *       256 channels before the last shuffle to 3 x 4 sub-pixel channels, shuffled afterwards; and
 *       the last shuffle of 64 channels disappears;
 *   <li>activations are stored channels-last ({@link Networks#channelsLast}), which oneDNN's
 *       convolutions use without reordering;
 *   <li>every intermediate is freed as soon as the next layer has consumed it, and element-wise
 *       steps work in place.
 * </ul>
 *
 * <p>The forward pass is split in two: {@link #features} (conv9x9 head, residual blocks, global
 * skip: low resolution, 64 channels) and {@link #upsample} (sub-pixel upsampling and the output
 * conv, tanh), so that a caller can upsample a features map piece by piece. Upsampling needs
 * {@link #UPSAMPLE_RADIUS} features pixels around a piece for its output to be exact.
 *
 * <p>The folded weights are a snapshot: rebuild it after the generator's parameters change. It
 * must run with autograd off.
 */
final class FoldedGenerator implements SplitGenerator {

    /**
     * Features pixels around a piece that its upsampled output depends on: 1 (conv3x3 at 1x) + 1/2
     * (conv3x3 at 2x) + 1/4 (conv3x3 at 4x) ... + 1 (the output conv9x9 at the final scale),
     * rounded up with the sub-pixel position.
     */
    static final int UPSAMPLE_RADIUS = 3;

    private static final float BATCH_NORM_EPSILON = 1e-5f;

    private final NDManager manager;
    private final Conv head;
    private final NDArray headAlpha;
    private final List<ResidualWeights> blocks;
    private final Conv trunkOut;
    private final List<Conv> upsampleConvs;
    private final List<NDArray> upsampleAlphas;
    private final Conv output;
    private final int scale;

    /** A convolution's weight (O, I, k, k), bias and padding. */
    private record Conv(NDArray weight, NDArray bias, int padding) {
        NDArray apply(NDArray x) {
            return Conv2d.conv2d(x, weight, bias, new Shape(1, 1), new Shape(padding, padding), new Shape(1, 1), 1)
                    .singletonOrThrow();
        }
    }

    /** A residual block: conv, PReLU (its slopes minus one), conv. */
    private record ResidualWeights(Conv first, NDArray alphaMinusOne, Conv second) {}

    private FoldedGenerator(NDManager manager, Block generator) {
        this.manager = manager;
        List<Block> top = children(generator, 4);
        List<Block> in = children(top.get(0), 2);
        head = conv(in.get(0), null);
        headAlpha = alpha(in.get(1), 1);
        List<Block> trunk = children(as(top.get(1), Residual.class).body(), -1);
        if (trunk.size() < 3) {
            throw notAGenerator("no residual block");
        }
        blocks = new ArrayList<>();
        for (Block residual : trunk.subList(0, trunk.size() - 2)) {
            List<Block> body = children(as(residual, Residual.class).body(), 5);
            blocks.add(new ResidualWeights(
                    conv(body.get(0), body.get(1)), alpha(body.get(2), 1), conv(body.get(3), body.get(4))));
        }
        trunkOut = conv(trunk.get(trunk.size() - 2), trunk.get(trunk.size() - 1));
        List<Block> upsampling = children(top.get(2), -1);
        if (upsampling.size() < 2) {
            throw notAGenerator("no upsampling block");
        }
        upsampleConvs = new ArrayList<>();
        upsampleAlphas = new ArrayList<>();
        for (Block upsample : upsampling.subList(0, upsampling.size() - 1)) {
            List<Block> layers = children(upsample, 3);
            if (as(layers.get(1), PixelShuffle.class).factor() != 2) {
                throw notAGenerator("pixel shuffle factor is not 2");
            }
            upsampleConvs.add(conv(layers.get(0), null));
            upsampleAlphas.add(alpha(layers.get(2), 4));
        }
        scale = 1 << upsampleConvs.size();
        output = subPixelOutputConv(upsampling.get(upsampling.size() - 1));
        as(top.get(3), LambdaBlock.class);
    }

    /**
     * Folds an initialized generator built by {@link Generator}.
     *
     * @param generator the generator (its parameters are read, not kept)
     * @param manager the manager that will own the folded weights, closed with this object
     * @return the folded generator
     * @throws IllegalArgumentException if the block is not laid out as {@link Generator} builds it
     */
    static FoldedGenerator fold(Block generator, NDManager manager) {
        try {
            return new FoldedGenerator(manager, generator);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static IllegalArgumentException notAGenerator(String why) {
        return new IllegalArgumentException("not laid out as Generator builds it: " + why);
    }

    private static <T extends Block> T as(Block block, Class<T> type) {
        if (!type.isInstance(block)) {
            throw notAGenerator("expected " + type.getSimpleName() + ", found "
                    + block.getClass().getSimpleName());
        }
        return type.cast(block);
    }

    /** The children of a SequentialBlock; {@code count} of them unless it is -1. */
    private static List<Block> children(Block block, int count) {
        List<Block> result = as(block, SequentialBlock.class).getChildren().values();
        if (count >= 0 && result.size() != count) {
            throw notAGenerator("expected " + count + " layers, found " + result.size());
        }
        return result;
    }

    /** Reads a conv, folding the BatchNorm {@code batchNorm} into it when not null. */
    private Conv conv(Block block, Block batchNorm) {
        Conv2d conv = as(block, Conv2d.class);
        Map<String, float[]> p = values(conv);
        float[] w = p.get("weight");
        Shape shape = conv.getParameters().get("weight").getArray().getShape();
        int out = (int) shape.get(0);
        float[] b = p.containsKey("bias") ? p.get("bias") : new float[out];
        if (batchNorm != null) {
            Map<String, float[]> n = values(as(batchNorm, BatchNorm.class));
            float[] gamma = n.get("gamma");
            float[] beta = n.get("beta");
            float[] mean = n.get("runningMean");
            float[] var = n.get("runningVar");
            int perOutput = w.length / out;
            for (int o = 0; o < out; o++) {
                double s = gamma[o] / Math.sqrt((double) var[o] + BATCH_NORM_EPSILON);
                for (int i = 0; i < perOutput; i++) {
                    w[o * perOutput + i] = (float) (w[o * perOutput + i] * s);
                }
                b[o] = (float) ((b[o] - (double) mean[o]) * s + beta[o]);
            }
        }
        try (NDArray weight = manager.create(w, shape)) {
            return new Conv(Networks.channelsLast(weight), manager.create(b), (int) shape.get(2) / 2);
        }
    }

    /**
     * Reads the output conv (k x k, C to 3 channels, after the last shuffle) and returns it as a
     * conv on the 4C channels before that shuffle: output channel {@code o*4 + p*2 + q} is output
     * pixel (2h + p, 2w + q) of channel o, and input channel {@code c*4 + i*2 + j} is pixel (2h +
     * i, 2w + j) of channel c, so the tap at offset {@code s = p + ky - k/2} output pixels lands on
     * input channel row {@code i = s mod 2} at offset {@code floor(s / 2)}.
     */
    private Conv subPixelOutputConv(Block block) {
        Conv2d conv = as(block, Conv2d.class);
        Map<String, float[]> p = values(conv);
        float[] w = p.get("weight");
        Shape shape = conv.getParameters().get("weight").getArray().getShape();
        int out = (int) shape.get(0);
        int in = (int) shape.get(1);
        int k = (int) shape.get(2);
        int pad = k / 2;
        int radius = Math.max(Math.floorDiv(1 + pad, 2), -Math.floorDiv(-pad, 2));
        int k2 = 2 * radius + 1;
        float[] w2 = new float[out * 4 * in * 4 * k2 * k2];
        for (int o = 0; o < out; o++) {
            for (int py = 0; py < 2; py++) {
                for (int px = 0; px < 2; px++) {
                    int o2 = o * 4 + py * 2 + px;
                    for (int c = 0; c < in; c++) {
                        for (int ky = 0; ky < k; ky++) {
                            int sy = py + ky - pad;
                            for (int kx = 0; kx < k; kx++) {
                                int sx = px + kx - pad;
                                int c2 = c * 4 + Math.floorMod(sy, 2) * 2 + Math.floorMod(sx, 2);
                                int y2 = Math.floorDiv(sy, 2) + radius;
                                int x2 = Math.floorDiv(sx, 2) + radius;
                                w2[((o2 * in * 4 + c2) * k2 + y2) * k2 + x2] = w[((o * in + c) * k + ky) * k + kx];
                            }
                        }
                    }
                }
            }
        }
        float[] b = p.containsKey("bias") ? p.get("bias") : new float[out];
        float[] b2 = new float[out * 4];
        for (int o = 0; o < b2.length; o++) {
            b2[o] = b[o / 4];
        }
        try (NDArray weight = manager.create(w2, new Shape(out * 4, in * 4, k2, k2))) {
            return new Conv(Networks.channelsLast(weight), manager.create(b2), radius);
        }
    }

    /** Reads a PReLU's slopes minus one, each repeated {@code repeat} times, as (1, C, 1, 1). */
    private NDArray alpha(Block block, int repeat) {
        float[] a = values(as(block, PRelu.class)).get("alpha");
        float[] minusOne = new float[a.length * repeat];
        for (int i = 0; i < minusOne.length; i++) {
            minusOne[i] = a[i / repeat] - 1f;
        }
        return manager.create(minusOne, new Shape(1, minusOne.length, 1, 1));
    }

    private static Map<String, float[]> values(Block block) {
        Map<String, float[]> result = new HashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            result.put(p.getKey(), p.getValue().getArray().toFloatArray());
        }
        return result;
    }

    @Override
    public int scale() {
        return scale;
    }

    /** Returns the number of residual blocks. */
    int residualBlocks() {
        return blocks.size();
    }

    /**
     * Returns the folded weights, still owned by this object, in the order {@link ScriptedGenerator}'s
     * module takes them: head (weight, bias, PReLU slopes minus one), each residual block (weight,
     * bias, slopes minus one, weight, bias), the trunk's last conv (weight, bias), each upsampling
     * block (weight, bias, slopes minus one, repeated per sub-pixel), the sub-pixel output conv
     * (weight, bias).
     */
    List<NDArray> weights() {
        List<NDArray> w = new ArrayList<>(List.of(head.weight, head.bias, headAlpha));
        for (ResidualWeights b : blocks) {
            w.addAll(List.of(b.first.weight, b.first.bias, b.alphaMinusOne, b.second.weight, b.second.bias));
        }
        w.addAll(List.of(trunkOut.weight, trunkOut.bias));
        for (int i = 0; i < upsampleConvs.size(); i++) {
            w.addAll(List.of(upsampleConvs.get(i).weight, upsampleConvs.get(i).bias, upsampleAlphas.get(i)));
        }
        w.addAll(List.of(output.weight, output.bias));
        return w;
    }

    /**
     * Head, residual blocks and global skip.
     *
     * @param lowRes (N, 3, H, W) in [0, 1]; not closed
     * @return (N, 64, H, W) features, in the input's manager
     */
    @Override
    public NDArray features(NDArray lowRes) {
        NDArray in = Networks.channelsLast(lowRes);
        NDArray x0 = head.apply(in);
        in.close();
        prelu(x0, headAlpha);
        NDArray x = x0;
        for (ResidualWeights block : blocks) {
            NDArray t = block.first.apply(x);
            prelu(t, block.alphaMinusOne);
            NDArray y = block.second.apply(t);
            t.close();
            y.addi(x);
            if (x != x0) {
                x.close();
            }
            x = y;
        }
        NDArray out = trunkOut.apply(x);
        if (x != x0) {
            x.close();
        }
        out.addi(x0);
        x0.close();
        return out;
    }

    /**
     * Upsampling blocks, output convolution and tanh.
     *
     * @param features (N, 64, H, W) from {@link #features}; not closed
     * @return (N, 3, H * scale, W * scale) in [-1, 1], in the input's manager
     */
    @Override
    public NDArray upsample(NDArray features) {
        NDArray x = features;
        for (int i = 0; i < upsampleConvs.size(); i++) {
            NDArray y = upsampleConvs.get(i).apply(x);
            if (x != features) {
                x.close();
            }
            prelu(y, upsampleAlphas.get(i));
            if (i == upsampleConvs.size() - 1) {
                x = y;
            } else {
                x = PixelShuffle.apply(y, 2);
                y.close();
            }
        }
        NDArray subPixels = output.apply(x);
        if (x != features) {
            x.close();
        }
        NDArray tanh = subPixels.tanh();
        subPixels.close();
        NDArray image = PixelShuffle.apply(tanh, 2);
        tanh.close();
        return image;
    }

    /** The whole generator: {@code upsample(features(lowRes))}. */
    @Override
    public NDArray forward(NDArray lowRes) {
        NDArray f = features(lowRes);
        NDArray y = upsample(f);
        f.close();
        return y;
    }

    /** PReLU in place, as {@code x += (alpha - 1) * min(x, 0)}: one temporary instead of three. */
    private static void prelu(NDArray x, NDArray alphaMinusOne) {
        NDArray negative = x.minimum(0f);
        negative.muli(alphaMinusOne);
        x.addi(negative);
        negative.close();
    }

    @Override
    public void close() {
        manager.close();
    }
}
