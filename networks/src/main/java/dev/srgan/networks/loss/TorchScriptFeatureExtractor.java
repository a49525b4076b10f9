package dev.srgan.networks.loss;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.srgan.networks.model.TorchScriptModules;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A feature extractor loaded from a TorchScript file the user provides, typically VGG19's {@code
 * features} truncated after the chosen layer and traced in eval mode, e.g. in Python: {@code
 * torch.jit.trace(torchvision.models.vgg19(weights="IMAGENET1K_V1").features[:36].eval(),
 * torch.rand(1, 3, 96, 96)).save("vgg19_relu5_4.pt")}. No weights ship with this project.
 *
 * <p>Input images in [0, 1] are normalized with ImageNet's mean and standard deviation first
 * (torchvision's VGG expects that) unless disabled. The module is kept in eval mode, its
 * parameters frozen, and autograd stays on so the generator receives gradients through it.
 */
public final class TorchScriptFeatureExtractor implements FeatureExtractor {

    private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] STD = {0.229f, 0.224f, 0.225f};

    private final NDManager manager;
    private final PtSymbolBlock block;
    private final String name;
    private final boolean normalize;

    private TorchScriptFeatureExtractor(NDManager manager, PtSymbolBlock block, String name, boolean normalize) {
        this.manager = manager;
        this.block = block;
        this.name = name;
        this.normalize = normalize;
    }

    /**
     * Loads a TorchScript feature extractor with ImageNet normalization.
     *
     * @param file the TorchScript file
     * @param name the content-loss name to record, e.g. {@code "vgg19:relu5_4"}
     * @return the extractor
     * @throws IOException if the file cannot be loaded
     */
    public static TorchScriptFeatureExtractor load(Path file, String name) throws IOException {
        return load(file, name, true, ai.djl.engine.Engine.getInstance().defaultDevice());
    }

    /**
     * Loads a TorchScript feature extractor.
     *
     * @param file the TorchScript file
     * @param name the content-loss name to record
     * @param imagenetNormalization whether to normalize inputs with ImageNet mean/std first
     * @param device where to run it
     * @return the extractor
     * @throws IOException if the file cannot be loaded
     */
    public static TorchScriptFeatureExtractor load(Path file, String name, boolean imagenetNormalization, Device device)
            throws IOException {
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        try {
            PtSymbolBlock block = TorchScriptModules.load(manager, file, true);
            // DJL's forward(training=false) disables autograd; forward(training=true) keeps it and,
            // since the block starts in "training" state, never calls module.train(): so force
            // eval once here and always forward with training=true.
            JniUtils.enableInferenceMode(block);
            return new TorchScriptFeatureExtractor(manager, block, name, imagenetNormalization);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public NDArray features(NDArray images) {
        NDArray x = images;
        if (normalize) {
            NDManager m = images.getManager();
            NDArray mean = m.create(MEAN, new Shape(1, 3, 1, 1)).toDevice(images.getDevice(), false);
            NDArray std = m.create(STD, new Shape(1, 3, 1, 1)).toDevice(images.getDevice(), false);
            x = images.sub(mean).div(std);
        }
        ParameterStore store = new ParameterStore(images.getManager(), false);
        return block.forward(store, new NDList(x), true).singletonOrThrow();
    }

    @Override
    public void close() {
        manager.close();
    }
}
