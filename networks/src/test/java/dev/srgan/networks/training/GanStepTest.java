package dev.srgan.networks.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.srgan.networks.SyntheticImages;
import dev.srgan.networks.model.Networks;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GanStepTest {

    private static List<float[]> gradients(List<Parameter> parameters) {
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
    void gradientsLeftOnDiscriminatorByGeneratorStepAreClearedBeforeNextDiscriminatorStep() throws Exception {
        TrainingConfig config = TrainingRunTest.tiny().pretrainSteps(0).ganSteps(2).build();
        try (TrainingRun run = TrainingRun.builder(config)
                        .trainingImages(SyntheticImages.images(2, 48, 48, 1))
                        .build();
                NDManager manager = NDManager.newBaseManager()) {
            Networks.withoutGradientTracking();
            NDArray lowRes = manager.randomUniform(0, 1, new Shape(2, 3, 16, 16));
            NDArray highRes = manager.randomUniform(-1, 1, new Shape(2, 3, 32, 32));
            List<Parameter> d = Networks.trainableParameters(run.discriminator());

            // what D's backward pass gives on clean gradients
            NDArray fake = run.generate(lowRes);
            run.discriminatorBackward(highRes, fake);
            List<float[]> clean = gradients(d);

            // G's backward pass goes through D and leaves gradients there
            run.generatorBackward(highRes, fake);
            List<float[]> leftByG = gradients(d);
            assertTrue(absSum(leftByG) > 0, "G's step leaves gradients on D");

            // D's next backward pass must not add onto them
            run.discriminatorBackward(highRes, fake);
            List<float[]> after = gradients(d);
            for (int i = 0; i < clean.size(); i++) {
                assertArrayEquals(clean.get(i), after.get(i), 1e-6f, "parameter " + i);
            }
        }
    }
}
