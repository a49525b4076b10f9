package dev.srgan.networks.inference;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.srgan.networks.model.Networks;

/**
 * A DJL-built generator in eval mode (BatchNorm uses its running statistics), run as a {@link
 * FoldedGenerator}. When this model owns the parameters it folds them once; when the caller keeps
 * them (validation during training, where they change between calls) it folds them again for
 * every batch, which costs a few milliseconds.
 */
final class DjlGeneratorModel implements GeneratorModel {

    private final Block block;
    private final NDManager owner;
    private final Device device;
    private boolean foldable;
    private FoldedGenerator folded;

    /**
     * @param block the initialized generator
     * @param owner the manager holding its parameters, closed with this model; null if the caller
     *     keeps ownership (e.g. validation during training)
     */
    DjlGeneratorModel(Block block, NDManager owner, Device device) {
        this.block = block;
        this.owner = owner;
        this.device = device;
        Networks.withoutGradientTracking();
        try {
            folded = FoldedGenerator.fold(block, NDManager.newBaseManager(device, "PyTorch"));
            foldable = true;
            if (owner == null) {
                // folded again at each use: the caller may change the parameters in between
                folded.close();
                folded = null;
            }
        } catch (IllegalArgumentException e) {
            // another layout than Generator's: run the block itself
            foldable = false;
        }
    }

    @Override
    public NDArray forward(NDArray lowRes) {
        FoldedGenerator g = folded();
        if (g != null) {
            return g.forward(lowRes);
        }
        ParameterStore store = new ParameterStore(lowRes.getManager(), false);
        return Networks.inferenceForward(block, lowRes, store);
    }

    @Override
    public FoldedGenerator folded() {
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
