package dev.srgan.networks.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** A skip connection: {@code body(x) + x}. */
public final class Residual extends AbstractBlock {

    private static final byte VERSION = 1;

    private final Block body;

    /**
     * @param body the residual branch; must keep the input's shape
     */
    public Residual(Block body) {
        super(VERSION);
        this.body = addChildBlock("body", body);
    }

    /** Returns the residual branch. */
    public Block body() {
        return body;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray y = body.forward(parameterStore, inputs, training, params).singletonOrThrow();
        return new NDList(y.add(x));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        body.initialize(manager, dataType, inputShapes);
    }
}
