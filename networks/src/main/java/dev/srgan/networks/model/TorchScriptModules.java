package dev.srgan.networks.model;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads TorchScript files (made with {@code torch.jit.trace} or {@code torch.jit.script}). */
public final class TorchScriptModules {

    private TorchScriptModules() {}

    /**
     * Loads a TorchScript module onto the manager's device with frozen parameters.
     *
     * @param manager a PyTorch-engine manager that will own the module
     * @param file the TorchScript file
     * @param differentiable true if gradients must flow through the module (a feature extractor
     *     in a loss): DJL otherwise loads the weights as inference tensors, which autograd refuses
     * @return the module as a DJL block
     * @throws IOException if the file is missing or is no TorchScript module
     */
    public static PtSymbolBlock load(NDManager manager, Path file, boolean differentiable) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("TorchScript file not found: " + file);
        }
        try {
            PtSymbolBlock block = JniUtils.loadModule(
                    (PtNDManager) manager, file, true, new String[0], new String[0], differentiable);
            block.freezeParameters(true);
            return block;
        } catch (RuntimeException e) {
            throw new IOException(file + " is not a TorchScript module: " + e.getMessage(), e);
        }
    }
}
