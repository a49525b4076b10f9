package dev.srgan.networks.inference;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;

/** A generator ready for inference: [0, 1] LR batch in, tanh [-1, 1] HR batch out. */
interface GeneratorModel extends AutoCloseable {

    /** Runs the generator without gradients; the result lives in the input's manager. */
    NDArray forward(NDArray lowRes);

    /**
     * Returns the generator split in features and upsampling ({@link FoldedGenerator} or {@link
     * ScriptedGenerator}), current with the generator's parameters, or null where the model is opaque.
     * Called under the model's lock before each batch, on the thread that runs it.
     */
    default SplitGenerator folded() {
        return null;
    }

    /** Returns the precision the generator computes in (FLOAT32 or BFLOAT16). */
    default Precision precision() {
        return Precision.FLOAT32;
    }

    /** Returns the device the parameters live on. */
    Device device();

    @Override
    void close();
}
