package dev.srgan.networks.training;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import dev.srgan.networks.model.Networks;
import java.util.List;

/**
 * An exponential moving average of the generator's weights, as BasicSR's {@code model_ema}: after
 * every step, {@code averaged = decay * averaged + (1 - decay) * current} for every array,
 * BatchNorm running statistics included. Validation and exported models use the averaged copy.
 */
final class Ema {

    private final Block source;
    private final Block averaged;
    private final float decay;
    private final NDManager manager;

    private Ema(Block source, Block averaged, double decay, NDManager manager) {
        this.source = source;
        this.averaged = averaged;
        this.decay = (float) decay;
        this.manager = manager;
    }

    /**
     * Starts (or continues) an average of {@code source}.
     *
     * @param source the trained network
     * @param copy an uninitialized block of the same architecture, to hold the average
     * @param saved the average saved in a checkpoint, or null to start from {@code source}'s weights
     * @param decay the decay, in (0, 1)
     * @param manager holds the averaged arrays and each update's intermediates
     * @return the average
     * @throws MalformedModelException if {@code saved} does not fit the architecture
     */
    static Ema of(Block source, Block copy, byte[] saved, double decay, NDManager manager)
            throws MalformedModelException {
        Networks.loadParameters(copy, manager, saved != null ? saved : Networks.saveParameters(source));
        return new Ema(source, copy, decay, manager);
    }

    /** Moves the average one step towards the source's current weights. */
    void update() {
        List<NDArray> average = Networks.allArrays(averaged);
        List<NDArray> current = Networks.allArrays(source);
        try (NDManager tmp = manager.newSubManager()) {
            for (int i = 0; i < average.size(); i++) {
                NDArray part = current.get(i).mul(1f - decay);
                part.attach(tmp);
                average.get(i).muli(decay).addi(part);
            }
        }
    }

    /** Returns the block holding the averaged weights. */
    Block averaged() {
        return averaged;
    }

    /** Returns the averaged weights in DJL's parameter format, as checkpoints store them. */
    byte[] save() {
        return Networks.saveParameters(averaged);
    }
}
