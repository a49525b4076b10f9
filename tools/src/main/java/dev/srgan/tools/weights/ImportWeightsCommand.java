package dev.srgan.tools.weights;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.srgan.networks.checkpoint.Checkpoint;
import dev.srgan.networks.model.Generator;
import dev.srgan.networks.model.Networks;
import dev.srgan.networks.model.TorchWeights;
import dev.srgan.networks.training.TrainingConfig;
import dev.srgan.tools.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * {@code ./srgan import-weights --weights FILE.bin --scale N [--blocks 16] [--steps N]
 * [--content-loss pixel-l1] [--config FILE.json] --out MODEL.srgan.zip}: turns a generator trained
 * with PyTorch (a named-tensor file of its state_dict, as models/recipes/gpu/train_gpu.py writes)
 * into a model file the cluster serves and `./srgan eval` measures, through {@link TorchWeights}
 * (the mapping SeedEquivalenceTest checks). The model records the scale, the blocks, the steps
 * trained, the content loss and, from --config, the recipe's hyperparameters.
 */
public final class ImportWeightsCommand {

    private ImportWeightsCommand() {}

    private static final String USAGE = "usage: ./srgan import-weights --weights FILE.bin --scale 2|4|8 [--blocks 16]"
            + " [--steps N] [--content-loss pixel-l1] [--config FILE.json] --out MODEL.srgan.zip\n"
            + "   or: ./srgan import-weights --export-from MODEL.srgan.zip --out FILE.bin (the reverse, to continue on a GPU)";

    public static void main(String[] args) throws Exception {
        Path weights = null;
        Path out = null;
        Path configFile = null;
        Integer scale = null;
        int blocks = 16;
        long steps = 0;
        String contentLoss = "pixel-l1";
        Path exportFrom = null;
        try {
            for (int i = 0; i < args.length; i += 2) {
                String v = i + 1 < args.length ? args[i + 1] : null;
                if (v == null) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                switch (args[i]) {
                    case "--weights" -> weights = Path.of(v);
                    case "--out" -> out = Path.of(v);
                    case "--config" -> configFile = Path.of(v);
                    case "--scale" -> scale = Integer.parseInt(v);
                    case "--blocks" -> blocks = Integer.parseInt(v);
                    case "--steps" -> steps = Long.parseLong(v);
                    case "--content-loss" -> contentLoss = v;
                    case "--export-from" -> exportFrom = Path.of(v);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (exportFrom != null && out != null) {
                exportWeights(exportFrom, out);
                return;
            }
            if (weights == null || out == null || scale == null) {
                throw new IllegalArgumentException("--weights, --scale and --out are required");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("srgan import-weights: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
        }
        try {
            TrainingConfig base = configFile == null
                    ? TrainingConfig.defaults()
                    : TrainingConfig.fromJson(Files.readString(configFile));
            TrainingConfig config =
                    base.toBuilder().scale(scale).residualBlocks(blocks).build();
            Checkpoint model = importWeights(weights, config, steps, contentLoss);
            AtomicFiles.write(out, model::write);
            System.out.printf(
                    "wrote %s: %dx generator, %d residual blocks, %d steps, %s%n",
                    out, scale, blocks, steps, contentLoss);
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("srgan import-weights: " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * Builds the generator of {@code config}, sets the weights and returns it as a generator-only
     * checkpoint (what `./srgan train` exports as model.srgan.zip).
     *
     * @throws IOException if the weights file cannot be read
     * @throws IllegalArgumentException if the weights belong to another architecture
     */
    public static Checkpoint importWeights(Path weights, TrainingConfig config, long steps, String contentLoss)
            throws IOException {
        Map<String, TorchWeights.Tensor> tensors;
        try (InputStream in = Files.newInputStream(weights)) {
            tensors = TorchWeights.read(in);
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            Block g = Generator.builder()
                    .scale(config.scale())
                    .residualBlocks(config.residualBlocks())
                    .build();
            Networks.initialize(g, manager, new Shape(1, 3, 16, 16), 0);
            TorchWeights.load(g, tensors);
            return new Checkpoint(
                    config, steps, 0, contentLoss, Instant.now(), Networks.saveParameters(g), null, null, null, null);
        }
    }

    /** Writes a model file's inference generator as named tensors (train_gpu.py --init). */
    static void exportWeights(Path model, Path out) throws IOException, ai.djl.MalformedModelException {
        Checkpoint cp;
        try (InputStream in = Files.newInputStream(model)) {
            cp = Checkpoint.read(in);
        }
        try (NDManager manager = NDManager.newBaseManager();
                OutputStream o = Files.newOutputStream(out)) {
            Block g = Generator.builder()
                    .scale(cp.config().scale())
                    .residualBlocks(cp.config().residualBlocks())
                    .build();
            Networks.loadParameters(g, manager, cp.inferenceGeneratorParameters());
            TorchWeights.write(g, o);
        }
        System.out.println("wrote " + out);
    }
}
