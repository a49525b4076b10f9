package dev.srgan.networks.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import dev.srgan.networks.NamedTensors;
import dev.srgan.networks.SyntheticImages;
import dev.srgan.networks.model.Networks;
import dev.srgan.networks.model.TorchWeights;
import dev.srgan.networks.training.LossRecord;
import dev.srgan.networks.training.TrainingConfig;
import dev.srgan.networks.training.TrainingRun;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeatureExtractorTest {

    private static final String TINY = "/torchscript/tiny-features.pt";

    @Test
    void torchScriptExtractorReproducesPyTorchsFeatures() throws Exception {
        Map<String, TorchWeights.Tensor> ref = NamedTensors.readResource("/torchscript/tiny-features-reference.bin");
        try (TorchScriptFeatureExtractor extractor = TorchScriptFeatureExtractor.load(
                        NamedTensors.resourcePath(TINY), "tiny:relu3", false, Device.cpu());
                NDManager manager = NDManager.newBaseManager()) {
            TorchWeights.Tensor input = ref.get("input");
            NDArray features = extractor.features(manager.create(input.data(), new Shape(input.shape())));
            assertArrayEquals(ref.get("output").shape(), features.getShape().getShape());
            float[] expected = ref.get("output").data();
            float[] actual = features.toFloatArray();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-5f);
            }
        }
    }

    @Test
    void gradientsFlowThroughTheFrozenTorchScriptExtractorToItsInput() throws Exception {
        try (TorchScriptFeatureExtractor extractor =
                        TorchScriptFeatureExtractor.load(NamedTensors.resourcePath(TINY), "tiny");
                NDManager manager = NDManager.newBaseManager()) {
            Networks.withoutGradientTracking();
            NDArray generated = manager.randomUniform(-1, 1, new Shape(1, 3, 16, 16));
            generated.setRequiresGradient(true);
            NDArray target = manager.randomUniform(-1, 1, new Shape(1, 3, 16, 16));
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray loss = Losses.featureMse(extractor, generated, target);
                collector.backward(loss);
                assertTrue(loss.getFloat() > 0);
            }
            assertTrue(generated.getGradient().abs().sum().getFloat() > 0);
        }
    }

    @Test
    void missingTorchScriptFileIsAClearError() {
        IOException e = assertThrows(
                IOException.class,
                () -> TorchScriptFeatureExtractor.load(Path.of("/nonexistent/vgg19.pt"), "vgg19:relu5_4"));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void configuredTorchScriptExtractorDrivesTheGanContentLoss() throws Exception {
        TrainingConfig config = TrainingConfig.builder()
                .scale(2)
                .residualBlocks(1)
                .batchSize(2)
                .hrCropSize(16)
                .pretrainSteps(1)
                .ganSteps(1)
                .featureExtractorPath(NamedTensors.resourcePath(TINY).toString())
                .featureExtractorName("tiny:relu3")
                .build();
        try (TrainingRun run = TrainingRun.builder(config)
                .trainingImages(SyntheticImages.images(2, 32, 32, 1))
                .build()) {
            run.step();
            LossRecord gan = run.step();
            assertEquals("tiny:relu3", run.contentLoss());
            assertTrue(Double.isFinite(gan.contentLoss()) && gan.contentLoss() > 0);
        }
    }

    @Test
    void ganPhaseUsesTheFeatureExtractorAndRecordsItsName() throws Exception {
        NDManager owner = NDManager.newBaseManager();
        Block convNet = new SequentialBlock()
                .add(Conv2d.builder()
                        .setKernelShape(new Shape(3, 3))
                        .optPadding(new Shape(1, 1))
                        .setFilters(8)
                        .build())
                .add(Activation::relu);
        Networks.initialize(convNet, owner, new Shape(1, 3, 16, 16), 5);
        TrainingConfig config = TrainingConfig.builder()
                .scale(2)
                .residualBlocks(1)
                .batchSize(2)
                .hrCropSize(16)
                .pretrainSteps(1)
                .ganSteps(2)
                .validateEvery(100)
                .build();
        try (TrainingRun run = TrainingRun.builder(config)
                .trainingImages(SyntheticImages.images(2, 32, 32, 1))
                .validationImages(SyntheticImages.images(1, 32, 32, 2))
                .featureExtractor(new BlockFeatureExtractor(convNet, "tiny-conv:relu1", owner))
                .build()) {
            LossRecord pretrain = run.step();
            LossRecord gan = run.step();
            assertEquals("tiny-conv:relu1", run.contentLoss());
            assertEquals("tiny-conv:relu1", run.validate().contentLoss());
            assertTrue(Double.isFinite(gan.contentLoss()) && gan.contentLoss() > 0);
            assertTrue(Double.isFinite(pretrain.contentLoss()));
            assertEquals("tiny-conv:relu1", run.checkpoint().contentLoss());
        }
    }
}
