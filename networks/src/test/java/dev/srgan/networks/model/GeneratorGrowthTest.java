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
import org.junit.jupiter.api.Test;

class GeneratorGrowthTest {

    private static NDArray run(Block g, NDArray x, boolean training) {
        return g.forward(new ParameterStore(x.getManager(), false), new NDList(x), training)
                .singletonOrThrow();
    }

    @Test
    void aGrownGeneratorComputesWhatTheTrainedOneDid() {
        for (int scale : new int[] {2, 4}) {
            try (NDManager manager = NDManager.newBaseManager()) {
                Block trained =
                        Generator.builder().scale(scale).residualBlocks(2).build();
                Networks.initialize(trained, manager, new Shape(1, 3, 12, 12), 3);
                Block grown = Generator.builder().scale(scale).residualBlocks(5).build();
                Networks.initialize(grown, manager, new Shape(1, 3, 12, 12), 4);
                NDArray x = manager.randomUniform(0, 1, new Shape(2, 3, 12, 10));
                NDArray before = run(grown, x, false);
                assertTrue(
                        before.sub(run(trained, x, false)).abs().max().getFloat() > 1e-3,
                        "a differently seeded generator differs before growing");

                GeneratorGrowth.grow(grown, trained);

                // eval mode (running statistics) and training mode (batch statistics) alike
                assertEquals(
                        0f,
                        run(grown, x, false)
                                .sub(run(trained, x, false))
                                .abs()
                                .max()
                                .getFloat(),
                        1e-5f);
                assertEquals(
                        0f,
                        run(grown, x, true)
                                .sub(run(trained, x, true))
                                .abs()
                                .max()
                                .getFloat(),
                        1e-5f);
            }
        }
    }

    @Test
    void refusesAnotherScaleOrADeeperSource() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block x2 = Generator.builder().scale(2).residualBlocks(2).build();
            Networks.initialize(x2, manager, new Shape(1, 3, 8, 8), 1);
            Block x4 = Generator.builder().scale(4).residualBlocks(3).build();
            Networks.initialize(x4, manager, new Shape(1, 3, 8, 8), 1);
            Block x4Deep = Generator.builder().scale(4).residualBlocks(4).build();
            Networks.initialize(x4Deep, manager, new Shape(1, 3, 8, 8), 1);
            assertThrows(IllegalArgumentException.class, () -> GeneratorGrowth.grow(x4, x2));
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> GeneratorGrowth.grow(x4, x4Deep));
            assertTrue(
                    e.getMessage().contains("cannot grow a generator of 4 residual blocks into one of 3"),
                    e.getMessage());
        }
    }
}
