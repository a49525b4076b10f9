package dev.srgan.networks.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a deeper generator from a trained shallower one of the same scale (function-preserving
 * deepening, "Net2DeeperNet" of Chen et al. 2016, with the zero-initialized last BatchNorm of
 * Goyal et al. 2017): the input layers, the first residual blocks, the trunk's closing conv/BN and
 * the upsampling take the trained weights; each added residual block keeps its random convolutions
 * but its last BatchNorm starts at gamma = beta = 0, so it adds nothing at first and the grown
 * generator computes exactly what the trained one did. Training then starts from the trained
 * model's quality instead of from noise.
 */
public final class GeneratorGrowth {

    private GeneratorGrowth() {}

    /**
     * Copies {@code trained} into {@code target}, both initialized generators of the same scale,
     * {@code target} with at least as many residual blocks.
     *
     * @throws IllegalArgumentException if the two do not fit
     */
    public static void grow(Block target, Block trained) {
        List<Block> t = children(target);
        List<Block> s = children(trained);
        if (t.size() != 4 || s.size() != 4) {
            throw new IllegalArgumentException("both blocks must be SRGAN generators");
        }
        copy(t.get(0), s.get(0), "the input conv");
        copy(t.get(2), s.get(2), "the upsampling (the two generators' scales differ?)");
        List<Block> targetTrunk = children(((Residual) t.get(1)).body());
        List<Block> trainedTrunk = children(((Residual) s.get(1)).body());
        int targetBlocks = targetTrunk.size() - 2;
        int trainedBlocks = trainedTrunk.size() - 2;
        if (trainedBlocks > targetBlocks) {
            throw new IllegalArgumentException(
                    "cannot grow a generator of " + trainedBlocks + " residual blocks into one of " + targetBlocks);
        }
        for (int i = 0; i < trainedBlocks; i++) {
            copy(targetTrunk.get(i), trainedTrunk.get(i), "residual block " + i);
        }
        for (int i = trainedBlocks; i < targetBlocks; i++) {
            List<Block> body = children(((Residual) targetTrunk.get(i)).body());
            for (Pair<String, Parameter> p : body.get(body.size() - 1).getParameters()) {
                String name = p.getValue().getName();
                if (name.equals("gamma") || name.equals("beta")) {
                    NDArray array = p.getValue().getArray();
                    array.set(FloatBuffer.wrap(new float[Math.toIntExact(array.size())]));
                }
            }
        }
        copy(targetTrunk.get(targetBlocks), trainedTrunk.get(trainedBlocks), "the trunk's closing conv");
        copy(targetTrunk.get(targetBlocks + 1), trainedTrunk.get(trainedBlocks + 1), "the trunk's closing BatchNorm");
    }

    private static List<Block> children(Block block) {
        List<Block> list = new ArrayList<>();
        block.getChildren().forEach(p -> list.add(p.getValue()));
        return list;
    }

    private static void copy(Block target, Block source, String what) {
        List<Parameter> to = new ArrayList<>();
        List<Parameter> from = new ArrayList<>();
        target.getParameters().forEach(p -> to.add(p.getValue()));
        source.getParameters().forEach(p -> from.add(p.getValue()));
        if (to.size() != from.size()) {
            throw new IllegalArgumentException(
                    what + " does not fit: " + to.size() + " vs " + from.size() + " parameters");
        }
        for (int i = 0; i < to.size(); i++) {
            NDArray dst = to.get(i).getArray();
            NDArray src = from.get(i).getArray();
            if (!dst.getShape().equals(src.getShape())) {
                throw new IllegalArgumentException(
                        what + " does not fit: " + to.get(i).getName() + " is " + dst.getShape() + " here and "
                                + src.getShape() + " in the trained generator");
            }
            dst.set(FloatBuffer.wrap(src.toFloatArray()));
        }
    }
}
