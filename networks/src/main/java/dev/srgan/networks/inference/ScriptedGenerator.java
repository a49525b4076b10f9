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

/**
 * A {@link FoldedGenerator} run by a TorchScript module ({@code scripted-generator.pt}, written by
 * {@code networks/src/main/python/make_scripted_generator.py}) that holds no weights of its own: the
 * same folded convolutions, PReLUs and sub-pixel output conv, in float32 or in bfloat16.
 *
 * <p>In float32 it computes what {@link FoldedGenerator} computes (within 1e-6), 5-15% faster on the
 * CPU: each PReLU is one pass ({@code F.prelu}) where DJL's operators take three, and the residual
 * adds and the tanh run in place, so fewer activations stream through memory.
 *
 * <p>DJL's PyTorch JNI knows no bfloat16 ({@code toType(BFLOAT16)} aborts the JVM), so every cast
 * happens inside the module: it receives the folded float32 weights once and keeps channels-last
 * copies in the precision asked for, and its {@code features} and {@code upsample} take and return
 * float32. In bfloat16 the convolutions run on oneDNN's bfloat16 kernels (AVX512-BF16, AMX) with
 * float32 accumulation; activations between layers are rounded to bfloat16's 8 significant bits.
 *
 * <p>Holds one module per instance; calls must be serialized (the {@link Upscaler} does).
 */
final class ScriptedGenerator implements SplitGenerator {

    /** The module, on the class path next to this class. */
    static final String MODULE = "scripted-generator.pt";

    private final NDManager manager;
    private final PtSymbolBlock module;
    private final int scale;

    private ScriptedGenerator(NDManager manager, PtSymbolBlock module, int scale) {
        this.manager = manager;
        this.module = module;
        this.scale = scale;
    }

    /**
     * Loads the module and hands it a copy of the folded generator's weights in {@code precision}.
     *
     * @param folded the float32 generator (its weights are read, not kept)
     * @param manager owns the module, closed with this object
     * @param precision FLOAT32 or BFLOAT16
     * @return the generator
     */
    static ScriptedGenerator of(FoldedGenerator folded, NDManager manager, Precision precision) {
        try (InputStream in = ScriptedGenerator.class.getResourceAsStream(MODULE)) {
            if (in == null) {
                manager.close();
                throw new IllegalStateException(MODULE + " is missing from the class path");
            }
            return of(folded, manager, precision, in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Like {@link #of(FoldedGenerator, NDManager, Precision)} with another build of the module (to compare two). */
    static ScriptedGenerator of(FoldedGenerator folded, NDManager manager, Precision precision, InputStream in) {
        if (precision != Precision.FLOAT32 && precision != Precision.BFLOAT16) {
            manager.close();
            throw new IllegalArgumentException("a resolved precision, not " + precision);
        }
        try {
            PtSymbolBlock module = JniUtils.loadModule((PtNDManager) manager, in, true, false);
            // copies whose memory PyTorch owns: in float32 the module keeps the tensors it is given
            // (no cast copies them), and arrays DJL made from Java data live in buffers that are
            // freed when their manager closes, which FoldedGenerator's does after this call
            PtNDArray[] arrays = folded.weights().stream()
                    .map(w -> (PtNDArray) w.duplicate())
                    .toArray(PtNDArray[]::new);
            try (IValue list = IValue.listFrom(arrays);
                    IValue blocks = IValue.from((long) folded.residualBlocks());
                    IValue bfloat16 = IValue.from(precision == Precision.BFLOAT16);
                    IValue upsamples = IValueUtils.runMethod(module, "load_weights", list, blocks, bfloat16)) {
                if (1 << upsamples.toLong() != folded.scale()) {
                    throw new IllegalStateException(
                            "the generator module read " + upsamples.toLong() + " upsampling blocks");
                }
            } finally {
                for (PtNDArray a : arrays) {
                    a.close();
                }
            }
            return new ScriptedGenerator(manager, module, folded.scale());
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
