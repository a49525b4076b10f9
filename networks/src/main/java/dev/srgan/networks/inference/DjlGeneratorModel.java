package dev.srgan.networks.inference;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.srgan.networks.model.Networks;

/**
 * A DJL-built generator in eval mode (BatchNorm uses its running statistics), run as a {@link
 * FoldedGenerator}. When this model owns the parameters it folds them once and runs them through
 * the TorchScript module ({@link ScriptedGenerator}): on the CPU in float32 or bfloat16, on a GPU in
 * bfloat16 only (its float32 runs the folded generator's DJL operators, as measured there). When
 * the caller keeps them (validation during training, where they change between calls) it folds
 * them again for every batch, which costs a few milliseconds, and runs the folded generator in
 * float32.
 */
final class DjlGeneratorModel implements GeneratorModel {

    private final Block block;
    private final NDManager owner;
    private final Device device;
    private final Precision precision;
    private boolean foldable;
    private SplitGenerator folded;

    /**
     * @param block the initialized generator
     * @param owner the manager holding its parameters, closed with this model; null if the caller
     *     keeps ownership (e.g. validation during training)
     * @param precision FLOAT32 or BFLOAT16 (resolved); BFLOAT16 applies only when this model owns
     *     the parameters and the generator folds
     */
    DjlGeneratorModel(Block block, NDManager owner, Device device, Precision precision) {
        this.block = block;
        this.owner = owner;
        this.device = device;
        Networks.withoutGradientTracking();
        FoldedGenerator f;
        try {
            f = FoldedGenerator.fold(block, NDManager.newBaseManager(device, "PyTorch"));
            foldable = true;
        } catch (IllegalArgumentException e) {
            // another layout than Generator's: run the block itself
            foldable = false;
            this.precision = Precision.FLOAT32;
            return;
        }
        if (owner == null) {
            // folded again at each use: the caller may change the parameters in between
            f.close();
            this.precision = Precision.FLOAT32;
        } else if (precision == Precision.BFLOAT16 || !device.isGpu()) {
            // float32 on the CPU too: the module's one-pass PReLUs and in-place adds save 5-15%
            try (f) {
                folded = ScriptedGenerator.of(f, NDManager.newBaseManager(device, "PyTorch"), precision);
            }
            this.precision = precision;
        } else {
            folded = f;
            this.precision = Precision.FLOAT32;
        }
    }

    @Override
    public NDArray forward(NDArray lowRes) {
        SplitGenerator g = folded();
        if (g != null) {
            return g.forward(lowRes);
        }
        ParameterStore store = new ParameterStore(lowRes.getManager(), false);
        return Networks.inferenceForward(block, lowRes, store);
    }

    @Override
    public SplitGenerator folded() {
        Networks.withoutGradientTracking();
        if (!foldable) {
            return null;
        }
        if (owner == null || folded == null) {
            if (folded != null) {
                folded.close();
            }
            folded = FoldedGenerator.fold(block, NDManager.newBaseManager(device, "PyTorch"));
        }
        return folded;
    }

    @Override
    public Precision precision() {
        return precision;
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public void close() {
        if (folded != null) {
            folded.close();
            folded = null;
        }
        if (owner != null) {
            owner.close();
        }
    }
}
