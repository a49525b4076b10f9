package dev.srgan.networks.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.srgan.networks.SyntheticImages;
import dev.srgan.networks.loss.Losses;
import dev.srgan.networks.model.Networks;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GanStepTest {

    /** A tiny run in its GAN phase, on two synthetic 48x48 images. */
    private static TrainingRun tinyGanRun() throws Exception {
        TrainingConfig config =
                TrainingRunTest.tiny().pretrainSteps(0).ganSteps(2).build();
        return TrainingRun.builder(config)
                .trainingImages(SyntheticImages.images(2, 48, 48, 1))
                .build();
    }

    /** Each parameter's gradient, copied out. */
    static List<float[]> gradients(List<Parameter> parameters) {
        List<float[]> result = new ArrayList<>();
        for (Parameter p : parameters) {
            try (NDArray g = p.getArray().getGradient()) {
                result.add(g.toFloatArray());
            }
        }
        return result;
    }

    private static double absSum(List<float[]> gradients) {
        double sum = 0;
        for (float[] g : gradients) {
            for (float v : g) {
                sum += Math.abs(v);
            }
        }
        return sum;
    }

    @Test
    void generatorStepLeavesDiscriminatorGradientsAloneAndNextDiscriminatorStepStartsClean() throws Exception {
        try (TrainingRun run = tinyGanRun();
                NDManager manager = NDManager.newBaseManager()) {
            Networks.withoutGradientTracking();
            NDArray lowRes = manager.randomUniform(0, 1, new Shape(2, 3, 16, 16));
            NDArray highRes = manager.randomUniform(-1, 1, new Shape(2, 3, 32, 32));
            GanStep step = run.ganStep();
            List<Parameter> d = Networks.trainableParameters(step.discriminator());

            // what D's backward pass gives on clean gradients
            NDArray fake = step.generate(lowRes);
            step.discriminatorBackward(highRes, fake);
            List<float[]> clean = gradients(d);
            assertTrue(absSum(clean) > 0);

            // G's backward pass goes through D without touching D's gradients
            step.generatorBackward(highRes, fake);
            List<float[]> afterG = gradients(d);
            for (int i = 0; i < clean.size(); i++) {
                assertArrayEquals(clean.get(i), afterG.get(i), 0f, "parameter " + i);
            }

            // D's next backward pass must not add onto earlier gradients
            step.discriminatorBackward(highRes, fake);
            List<float[]> after = gradients(d);
            for (int i = 0; i < clean.size(); i++) {
                assertArrayEquals(clean.get(i), after.get(i), 1e-6f, "parameter " + i);
            }
        }
    }

    @Test
    void generatorGradientsThroughDiscriminatorAreThoseOfTheFullBackwardPass() throws Exception {
        try (TrainingRun run = tinyGanRun();
                NDManager manager = NDManager.newBaseManager()) {
            Networks.withoutGradientTracking();
            NDArray lowRes = manager.randomUniform(0, 1, new Shape(2, 3, 16, 16));
            NDArray highRes = manager.randomUniform(-1, 1, new Shape(2, 3, 32, 32));
            GanStep step = run.ganStep();
            List<Parameter> g = Networks.trainableParameters(step.generator());

            step.generatorBackward(highRes, step.generate(lowRes));
            List<float[]> withoutDiscriminatorGradients = gradients(g);

            // the same loss with D's parameters requiring gradients, as a plain backward pass does
            Networks.zeroGradients(step.generator());
            NDArray fake = step.generate(lowRes);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = step.discriminator()
                        .forward(new ParameterStore(manager, false), new NDList(fake), true)
                        .singletonOrThrow();
                NDArray adversarial = Losses.bceWithLogits(logits, 1f);
                NDArray loss = Losses.pixelMse(fake, highRes).add(adversarial.mul(Networks.constant(adversarial, (float)
                        run.config().adversarialWeight())));
                collector.backward(loss);
            }
            List<float[]> full = gradients(g);
            assertTrue(absSum(full) > 0);
            for (int i = 0; i < full.size(); i++) {
                assertArrayEquals(full.get(i), withoutDiscriminatorGradients.get(i), 1e-6f, "parameter " + i);
            }
        }
    }
}
