package dev.srgan.networks.inference;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;

/** A generator ready for inference: [0, 1] LR batch in, tanh [-1, 1] HR batch out. */
interface GeneratorModel extends AutoCloseable {

    /** Runs the generator without gradients; the result lives in the input's manager. */
    NDArray forward(NDArray lowRes);

    /** Returns the device the parameters live on. */
    Device device();

    @Override
    void close();
}
