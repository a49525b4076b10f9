package dev.srgan.networks.inference;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.training.ParameterStore;
import dev.srgan.networks.model.TorchScriptModules;
import java.io.IOException;
import java.nio.file.Path;

/** A generator loaded from a TorchScript file, run in eval mode without autograd. */
final class TorchScriptGeneratorModel implements GeneratorModel {

    private final NDManager manager;
    private final PtSymbolBlock block;
    private final Device device;

    TorchScriptGeneratorModel(Path file, Device device) throws IOException {
        this.device = device;
        manager = NDManager.newBaseManager(device, "PyTorch");
        try {
            block = TorchScriptModules.load(manager, file, false);
        } catch (IOException e) {
            manager.close();
            throw e;
        }
    }

    @Override
    public NDArray forward(NDArray lowRes) {
        // training=false runs module.eval() under a no-grad guard
        ParameterStore store = new ParameterStore(lowRes.getManager(), false);
        return block.forward(store, new NDList(lowRes), false).singletonOrThrow();
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public void close() {
        manager.close();
    }
}
