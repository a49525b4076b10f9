package dev.srgan.networks.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * A {@link FoldedGenerator} run in bfloat16: the same folded convolutions, PReLUs and sub-pixel
 * output conv, computed by a TorchScript module ({@code bf16-generator.pt}, written by
 * {@code networks/src/main/python/make_bf16_generator.py}) that holds no weights of its own.
 *
 * <p>DJL's PyTorch JNI knows no bfloat16 ({@code toType(BFLOAT16)} aborts the JVM), so every cast
 * happens inside the module: it receives the folded float32 weights once and keeps bfloat16
 * channels-last copies, and its {@code features} and {@code upsample} take and return float32.
 * The convolutions run on oneDNN's bfloat16 kernels (AVX512-BF16, AMX) with float32 accumulation;
 * activations between layers are rounded to bfloat16's 8 significant bits.
 *
 * <p>Holds one module per instance; calls must be serialized (the {@link Upscaler} does).
 */
final class Bf16Generator implements SplitGenerator {

    /** The module, on the class path next to this class. */
    static final String MODULE = "bf16-generator.pt";

    private final NDManager manager;
    private final PtSymbolBlock module;
    private final int scale;

    private Bf16Generator(NDManager manager, PtSymbolBlock module, int scale) {
        this.manager = manager;
        this.module = module;
        this.scale = scale;
    }

    /**
     * Loads the module and hands it a copy of the folded generator's weights in bfloat16.
     *
     * @param folded the float32 generator (its weights are read, not kept)
     * @param manager owns the module, closed with this object
     * @return the bfloat16 generator
     */
    static Bf16Generator of(FoldedGenerator folded, NDManager manager) {
        try (InputStream in = Bf16Generator.class.getResourceAsStream(MODULE)) {
            if (in == null) {
                manager.close();
                throw new IllegalStateException(MODULE + " is missing from the class path");
            }
            return of(folded, manager, in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Like {@link #of(FoldedGenerator, NDManager)} with another build of the module (to compare two). */
    static Bf16Generator of(FoldedGenerator folded, NDManager manager, InputStream in) {
        try {
            PtSymbolBlock module = JniUtils.loadModule((PtNDManager) manager, in, true, false);
            List<NDArray> weights = folded.weights();
            PtNDArray[] arrays = weights.toArray(new PtNDArray[0]);
            try (IValue list = IValue.listFrom(arrays);
                    IValue blocks = IValue.from((long) folded.residualBlocks());
                    IValue bfloat16 = IValue.from(true);
                    IValue upsamples = IValueUtils.runMethod(module, "load_weights", list, blocks, bfloat16)) {
                if (1 << upsamples.toLong() != folded.scale()) {
                    throw new IllegalStateException(
                            "bfloat16 module read " + upsamples.toLong() + " upsampling blocks");
                }
            }
            return new Bf16Generator(manager, module, folded.scale());
        } catch (IOException e) {
            manager.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    @Override
    public int scale() {
        return scale;
    }

    @Override
    public NDArray features(NDArray lowRes) {
        return run("features", lowRes);
    }

    @Override
    public NDArray upsample(NDArray features) {
        return run("upsample", features);
    }

    @Override
    public NDArray forward(NDArray lowRes) {
        return run("forward", lowRes);
    }

    /**
     * Runs one convolution {@code times} times on the same input, in bfloat16 or float32
     * (channels-last, as the generators run them), for the bench's per-layer profile: the casts
     * happen once, so timing two counts isolates the convolution.
     */
    NDArray repeatConv(NDArray x, NDArray weight, NDArray bias, boolean bfloat16, int times) {
        try (IValue ix = IValue.from((PtNDArray) x);
                IValue iw = IValue.from((PtNDArray) weight);
                IValue ib = IValue.from((PtNDArray) bias);
                IValue ibf = IValue.from(bfloat16);
                IValue it = IValue.from((long) times);
                IValue out = IValueUtils.runMethod(module, "repeat_conv", ix, iw, ib, ibf, it)) {
            return out.toTensor((PtNDManager) x.getManager());
        }
    }

    private NDArray run(String method, NDArray x) {
        try (IValue in = IValue.from((PtNDArray) x);
                IValue out = IValueUtils.runMethod(module, method, in)) {
            return out.toTensor((PtNDManager) x.getManager());
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
