package dev.srgan.networks.model;

import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A {@link SequentialBlock} whose BatchNorm layers can keep their statistics while the rest
 * trains: with {@link #freezeStatistics} set they normalise with their running mean and variance
 * in training too, and leave them as they are, while their scale and shift still learn (a
 * PyTorch module with its BatchNorm layers in {@code eval()}). Fine-tuning a trained generator on
 * a few small batches needs this: batch statistics of 4 crops pull the running statistics away
 * from what the model was trained with within a few steps. Parameters and their names are a
 * SequentialBlock's, so checkpoints do not change.
 */
final class NormSequential extends SequentialBlock {

    private boolean frozenStatistics;

    /**
     * Sets whether the BatchNorm children keep their running statistics in training.
     *
     * @param frozen true to normalise with the running statistics and never update them
     */
    void freezeStatistics(boolean frozen) {
        this.frozenStatistics = frozen;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList current = inputs;
        for (Block block : getChildren().values()) {
            boolean batchStatistics = training && !(frozenStatistics && block instanceof BatchNorm);
            current = block.forward(parameterStore, current, batchStatistics);
        }
        return current;
    }
}
