package dev.srgan.networks.inference;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.srgan.networks.model.Networks;

/** A DJL-built generator in eval mode (BatchNorm uses its running statistics). */
final class DjlGeneratorModel implements GeneratorModel {

    private final Block block;
    private final NDManager owner;
    private final Device device;

    /**
     * @param block the initialized generator
     * @param owner the manager holding its parameters, closed with this model; null if the caller
     *     keeps ownership (e.g. validation during training)
     */
    DjlGeneratorModel(Block block, NDManager owner, Device device) {
        this.block = block;
        this.owner = owner;
        this.device = device;
    }

    @Override
    public NDArray forward(NDArray lowRes) {
        Networks.withoutGradientTracking();
        ParameterStore store = new ParameterStore(lowRes.getManager(), false);
        return Networks.inferenceForward(block, lowRes, store);
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public void close() {
        if (owner != null) {
            owner.close();
        }
    }
}
