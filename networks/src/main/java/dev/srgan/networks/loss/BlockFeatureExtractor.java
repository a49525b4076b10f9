package dev.srgan.networks.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;

/**
 * Any initialized DJL block used as a frozen feature extractor (its parameters are frozen here).
 * It runs in inference mode; gradients still flow through it to the input.
 */
public final class BlockFeatureExtractor implements FeatureExtractor {

    private final Block block;
    private final String name;
    private final AutoCloseable owner;

    /**
     * @param block an initialized block mapping (N, 3, H, W) images in [0, 1] to features
     * @param name the name recorded as the content loss
     * @param owner closed with this extractor (e.g. the manager of the block's parameters), or null
     */
    public BlockFeatureExtractor(Block block, String name, AutoCloseable owner) {
        this.block = block;
        this.name = name;
        this.owner = owner;
        block.freezeParameters(true);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public NDArray features(NDArray images) {
        ParameterStore store = new ParameterStore(images.getManager(), false);
        return block.forward(store, new NDList(images), false).singletonOrThrow();
    }

    @Override
    public void close() {
        if (owner != null) {
            try {
                owner.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot close feature extractor " + name, e);
            }
        }
    }
}
