package dev.srgan.networks.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.srgan.networks.NamedTensors;
import dev.srgan.networks.SyntheticImages;
import dev.srgan.networks.model.Networks;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A GAN step's gradients do not depend on when the JVM collects garbage. DJL wraps a number such
 * as the adversarial weight in an array over a Java direct buffer that PyTorch does not own; an
 * autograd graph that kept such an array read freed memory in its backward pass once a collection
 * had run (see {@link Networks#constant}). Here another thread collects garbage and refills freed
 * small blocks of native memory with NaNs, all the time, while the steps run.
 */
class GarbageCollectionTest {

    /** D's gradients, then G's, of one GAN step's backward passes (no update). */
    private static List<float[]> backwardPasses(GanStep step, NDArray lowRes, NDArray highRes) {
        List<float[]> result = new ArrayList<>();
        try (NDArray fake = step.generate(lowRes)) {
            step.discriminatorBackward(highRes, fake);
            result.addAll(GanStepTest.gradients(Networks.trainableParameters(step.discriminator())));
            step.generatorBackward(highRes, fake);
            result.addAll(GanStepTest.gradients(Networks.trainableParameters(step.generator())));
        }
        return result;
    }

    /** Collects garbage and hands freed native blocks back out filled with NaN, until stopped. */
    private static Thread churn(AtomicBoolean running) {
        Thread thread = new Thread(() -> {
            while (running.get()) {
                System.gc();
                List<ByteBuffer> held = new ArrayList<>();
                for (int i = 0; i < 2000; i++) {
                    ByteBuffer b = ByteBuffer.allocateDirect(4 + (i % 4) * 4);
                    while (b.remaining() >= 4) {
                        b.putInt(0x7fc00001);
                    }
                    held.add(b);
                }
            }
        });
        thread.setDaemon(true);
        return thread;
    }

    @Test
    void gradientsAreTheSameWhileTheJvmCollectsGarbage() throws Exception {
        // the perceptual content loss too: its numbers, (x + 1) / 2 and its weight, are recorded
        TrainingConfig config = TrainingRunTest.tiny()
                .pretrainSteps(0)
                .ganSteps(1)
                .featureExtractorPath(NamedTensors.resourcePath("/torchscript/tiny-features.pt")
                        .toString())
                .featureExtractorName("tiny:relu3")
                .build();
        try (TrainingRun run = TrainingRun.builder(config)
                        .trainingImages(SyntheticImages.images(2, 48, 48, 1))
                        .build();
                NDManager manager = NDManager.newBaseManager()) {
            Networks.withoutGradientTracking();
            NDArray lowRes = Networks.channelsLast(manager.randomUniform(0, 1, new Shape(4, 3, 16, 16)));
            NDArray highRes = Networks.channelsLast(manager.randomUniform(-1, 1, new Shape(4, 3, 32, 32)));
            GanStep step = run.ganStep();
            List<float[]> quiet = backwardPasses(step, lowRes, highRes);

            AtomicBoolean running = new AtomicBoolean(true);
            Thread collector = churn(running);
            collector.start();
            try {
                for (int pass = 0; pass < 6; pass++) {
                    List<float[]> busy = backwardPasses(step, lowRes, highRes);
                    for (int i = 0; i < quiet.size(); i++) {
                        assertArrayEquals(quiet.get(i), busy.get(i), "pass " + pass + ", gradient " + i);
                    }
                }
            } finally {
                running.set(false);
                collector.join();
            }
        }
    }
}
