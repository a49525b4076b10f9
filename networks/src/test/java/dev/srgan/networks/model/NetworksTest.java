package dev.srgan.networks.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NetworksTest {

    @Test
    void generatorAtScale4With16BlocksHasThePapersParameterCount() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block g = Generator.builder().scale(4).residualBlocks(16).build();
            Networks.initialize(g, manager, new Shape(1, 3, 8, 8), 1);
            assertEquals(1_550_659L, Networks.trainableParameterCount(g));
        }
    }

    @Test
    void discriminatorHasThePapersParameterCount() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block d = Discriminator.builder().build();
            Networks.initialize(d, manager, new Shape(1, 3, 32, 32), 1);
            assertEquals(5_215_425L, Networks.trainableParameterCount(d));
        }
    }

    @Test
    void generatorUpscalesByItsScaleIntoTanhRange() {
        for (int scale : new int[] {2, 4, 8}) {
            try (NDManager manager = NDManager.newBaseManager()) {
                Block g = Generator.builder().scale(scale).residualBlocks(1).build();
                Networks.initialize(g, manager, new Shape(1, 3, 6, 5), 7);
                NDArray x = manager.randomUniform(0, 1, new Shape(2, 3, 6, 5));
                NDArray y = g.forward(new ParameterStore(manager, false), new NDList(x), false)
                        .singletonOrThrow();
                assertEquals(new Shape(2, 3, 6 * scale, 5 * scale), y.getShape());
                float max = y.abs().max().getFloat();
                assertTrue(max <= 1f, "tanh keeps the output in [-1, 1]: " + max);
                assertTrue(y.sub(y.mean()).abs().max().getFloat() > 1e-4f, "the output depends on the input");
            }
        }
    }

    @Test
    void discriminatorGivesOneLogitPerImage() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block d = Discriminator.builder().build();
            Networks.initialize(d, manager, new Shape(1, 3, 24, 24), 3);
            NDArray x = manager.randomUniform(-1, 1, new Shape(3, 3, 24, 24));
            NDArray y = d.forward(new ParameterStore(manager, false), new NDList(x), true)
                    .singletonOrThrow();
            assertEquals(new Shape(3), y.getShape());
        }
    }

    @Test
    void builderRejectsUnsupportedSettings() {
        assertThrows(
                IllegalArgumentException.class,
                () -> Generator.builder().scale(3).build());
        assertThrows(
                IllegalArgumentException.class,
                () -> Generator.builder().residualBlocks(0).build());
    }

    @Test
    void sameSeedGivesSameInitialWeights() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block a = Generator.builder().scale(2).residualBlocks(1).build();
            Block b = Generator.builder().scale(2).residualBlocks(1).build();
            Networks.initialize(a, manager, new Shape(1, 3, 8, 8), 42);
            Networks.initialize(b, manager, new Shape(1, 3, 8, 8), 42);
            var pa = Networks.allArrays(a);
            var pb = Networks.allArrays(b);
            for (int i = 0; i < pa.size(); i++) {
                assertEquals(0f, pa.get(i).sub(pb.get(i)).abs().sum().getFloat());
            }
        }
    }

    @Test
    void preluMatchesItsDefinitionPerChannel() {
        Random random = new Random(5);
        int n = 2, c = 4, h = 3, w = 5;
        float[] x = new float[n * c * h * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        float[] alpha = {0.25f, -0.5f, 0.1f, 2f};
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] y = PRelu.apply(manager.create(x, new Shape(n, c, h, w)), manager.create(alpha))
                    .toFloatArray();
            for (int i = 0; i < x.length; i++) {
                int channel = (i / (h * w)) % c;
                float expected = x[i] >= 0 ? x[i] : alpha[channel] * x[i];
                assertEquals(expected, y[i], 1e-6f);
            }
        }
    }

    @Test
    void pixelShuffleMatchesItsDefinition() {
        Random random = new Random(9);
        int n = 2, c = 3, r = 2, h = 4, w = 5;
        float[] x = new float[n * c * r * r * h * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat();
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray in = manager.create(x, new Shape(n, c * r * r, h, w));
            NDArray out = PixelShuffle.apply(in, r);
            assertEquals(new Shape(n, c, h * r, w * r), out.getShape());
            float[] y = out.toFloatArray();
            int oh = h * r, ow = w * r;
            for (int b = 0; b < n; b++) {
                for (int ch = 0; ch < c; ch++) {
                    for (int oy = 0; oy < oh; oy++) {
                        for (int ox = 0; ox < ow; ox++) {
                            int inChannel = ch * r * r + (oy % r) * r + (ox % r);
                            float expected = x[((b * c * r * r + inChannel) * h + oy / r) * w + ox / r];
                            assertEquals(expected, y[((b * c + ch) * oh + oy) * ow + ox]);
                        }
                    }
                }
            }
        }
    }
}
