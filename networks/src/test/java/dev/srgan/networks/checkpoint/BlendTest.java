package dev.srgan.networks.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.networks.SyntheticImages;
import dev.srgan.networks.export.DjlParameters;
import dev.srgan.networks.inference.Upscaler;
import dev.srgan.networks.training.TrainingConfig;
import dev.srgan.networks.training.TrainingRun;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BlendTest {
    private static Checkpoint a;
    private static Checkpoint b;

    private static TrainingConfig config(int scale, int blocks, long seed, double learningRate) {
        return TrainingConfig.builder()
                .scale(scale)
                .residualBlocks(blocks)
                .batchSize(2)
                .hrCropSize(16)
                .learningRateG(learningRate)
                .pretrainSteps(3)
                .ganSteps(0)
                .seed(seed)
                .build();
    }

    /** A model from random weights, or fine-tuned from {@code from}: a few steps of pixel loss. */
    private static Checkpoint trained(TrainingConfig config, Checkpoint from) throws Exception {
        TrainingRun.Builder builder =
                TrainingRun.builder(config).trainingImages(SyntheticImages.images(2, 32, 32, config.seed()));
        if (from != null) {
            builder.initialGenerator(from);
        }
        try (TrainingRun run = builder.build()) {
            for (int i = 0; i < config.pretrainSteps(); i++) {
                run.step();
            }
            return run.checkpoint();
        }
    }

    private static Checkpoint trained(int scale, int blocks, long seed) throws Exception {
        return trained(config(scale, blocks, seed, 1e-3), null);
    }

    @BeforeAll
    static void aModelAndItsFineTunedVersion() throws Exception {
        a = trained(2, 1, 3);
        b = trained(config(2, 1, 4, 1e-3), a);
    }

    @Test
    void eachParameterIsTheWeightedMeanOfTheTwo() throws Exception {
        Checkpoint blend = Checkpoint.blend(a, b, 0.25);
        List<DjlParameters.Tensor> x = DjlParameters.read(a.inferenceGeneratorParameters());
        List<DjlParameters.Tensor> y = DjlParameters.read(b.inferenceGeneratorParameters());
        List<DjlParameters.Tensor> z = DjlParameters.read(blend.inferenceGeneratorParameters());
        assertEquals(x.size(), z.size());
        int differing = 0;
        for (int i = 0; i < x.size(); i++) {
            assertEquals(x.get(i).name(), z.get(i).name());
            assertArrayEquals(x.get(i).shape(), z.get(i).shape());
            for (int k = 0; k < x.get(i).size(); k++) {
                float expected = 0.75f * x.get(i).data()[k] + 0.25f * y.get(i).data()[k];
                assertEquals(
                        expected,
                        z.get(i).data()[k],
                        1e-6f * (1 + Math.abs(expected)),
                        x.get(i).name());
                differing += x.get(i).data()[k] != y.get(i).data()[k] ? 1 : 0;
            }
        }
        assertTrue(differing > 1000, "the two models differ in " + differing + " values");
        // BatchNorm's running statistics blend too: the blend names every parameter the generator has
        assertTrue(z.stream().anyMatch(t -> t.name().equals("runningVar")));
    }

    @Test
    void theEndsAreTheModelsThemselvesAndTheBlendIsAModelFile() throws Exception {
        assertArrayEquals(
                a.inferenceGeneratorParameters(), Checkpoint.blend(a, b, 0).inferenceGeneratorParameters());
        assertEquals(
                DjlParameters.read(b.inferenceGeneratorParameters()).stream()
                        .map(t -> java.util.Arrays.toString(t.data()))
                        .toList(),
                DjlParameters.read(Checkpoint.blend(a, b, 1).inferenceGeneratorParameters()).stream()
                        .map(t -> java.util.Arrays.toString(t.data()))
                        .toList());

        Checkpoint half = Checkpoint.read(
                new ByteArrayInputStream(Checkpoint.blend(a, b, 0.5).toBytes()));
        assertTrue(half.isGeneratorOnly());
        assertEquals(a.config(), half.config());
        BufferedImage input = SyntheticImages.image(24, 20, 7);
        int[] fromA = upscale(a, input);
        int[] fromB = upscale(b, input);
        assertArrayEquals(fromA, upscale(Checkpoint.blend(a, b, 0), input), "weight 0 upscales as the first model");
        assertArrayEquals(fromB, upscale(Checkpoint.blend(a, b, 1), input), "weight 1 as the second");
        assertEquals(fromA.length, upscale(half, input).length);
    }

    @Test
    void onlyOneNetworkBlendsAndTheWeightIsAShare() throws Exception {
        IllegalArgumentException deeper =
                assertThrows(IllegalArgumentException.class, () -> Checkpoint.blend(a, trained(2, 2, 5), 0.5));
        assertTrue(
                deeper.getMessage()
                        .contains("only models of the same network blend: 2x with 1 residual blocks"
                                + " against 2x with 2"),
                deeper.getMessage());
        IllegalArgumentException scale =
                assertThrows(IllegalArgumentException.class, () -> Checkpoint.blend(a, trained(4, 1, 5), 0.5));
        assertTrue(scale.getMessage().contains("against 4x"), scale.getMessage());
        for (double w : new double[] {-0.1, 1.5, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.blend(a, b, w));
            assertTrue(e.getMessage().contains("from 0 to 1"), e.getMessage());
        }
    }

    @Test
    void modelsTrainedApartDoNotBlend() throws Exception {
        double kin = DjlParameters.kinship(a.inferenceGeneratorParameters(), b.inferenceGeneratorParameters());
        assertTrue(kin > 0.9 && kin < 1, "a model and its fine-tuned version: " + kin);
        assertEquals(
                1, DjlParameters.kinship(a.inferenceGeneratorParameters(), a.inferenceGeneratorParameters()), 1e-9);
        Checkpoint apart = trained(2, 1, 5);
        double unrelated =
                DjlParameters.kinship(a.inferenceGeneratorParameters(), apart.inferenceGeneratorParameters());
        assertTrue(Math.abs(unrelated) < 0.2, "two random initializations: " + unrelated);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Checkpoint.blend(a, apart, 0.5));
        assertTrue(
                e.getMessage().startsWith("these two models were trained apart (their weights' cosine is"),
                e.getMessage());
    }

    private static int[] upscale(Checkpoint model, BufferedImage input) throws Exception {
        try (Upscaler upscaler = Upscaler.fromCheckpoint(model)) {
            BufferedImage out = upscaler.upscale(input);
            return out.getRGB(0, 0, out.getWidth(), out.getHeight(), null, 0, out.getWidth());
        }
    }
}
