package dev.srgan.networks.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.networks.inference.Precision;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchTest {

    @Test
    void generatorFlopsMatchTheLayerByLayerCount() {
        // 128x128 -> 512x512 at 4x with 16 blocks: 72.7 GFLOP (DESIGN.md), almost all of it convolutions
        assertEquals(72.685, Flops.generator(128, 128, 4, 16) / 1e9, 0.001);
        // doubling the side quadruples the work
        assertEquals(4 * Flops.generator(64, 64, 4, 16), Flops.generator(128, 128, 4, 16), 1e-3);
        assertTrue(
                Flops.discriminator(96) > 0 && Flops.ganStep(16, 96, 4, 16) > 16 * Flops.generator(24, 24, 4, 16) * 3);
    }

    @Test
    @SuppressWarnings("unchecked")
    void quickBenchMeasuresEveryRowAgainstTheCeiling() throws Exception {
        Map<String, Object> report = Bench.run(true, true);
        double ceiling = (double) report.get("ceilingGflops");
        assertTrue(ceiling > 0);
        List<Bench.Row> rows = (List<Bench.Row>) report.get("rows");
        boolean bfloat16 = Precision.cpuHasBfloat16();
        // where the CPU has bfloat16: a bfloat16 row per whole-image size (32 in a quick run) and one tiled
        assertEquals(bfloat16 ? 7 : 5, rows.size(), rows.toString());
        for (Bench.Row r : rows) {
            assertTrue(r.medianMs() > 0 && r.gflops() > 0, r.toString());
            // each row against the run's fastest sample; the sample beside it is recorded too
            assertEquals(r.gflops() / ceiling, r.ratio(), 1e-9);
            assertTrue(r.ceilingGflops() > 0 && r.ceilingGflops() <= ceiling, r.toString());
        }
        assertTrue(Bench.table(report).contains("training D+G step"));
        assertTrue(rows.stream().anyMatch(r -> r.name().startsWith("training SRResNet step")), rows.toString());
        // --profile for training: the GAN step's parts, what is left, and the whole
        List<Bench.Layer> parts = (List<Bench.Layer>) report.get("trainingProfile");
        assertEquals(6, parts.size(), parts.toString());
        for (Bench.Layer p : parts.subList(0, 3)) {
            assertTrue(p.medianMs() > 0 && p.gflop() > 0, p.toString());
            assertRatioToCeiling(p, ceiling);
        }
        double stepShares =
                parts.subList(0, 5).stream().mapToDouble(Bench.Layer::share).sum();
        assertEquals(1.0, stepShares, 0.01, "the parts and the rest add up to the step");
        assertEquals(
                Flops.ganStep(2, 32, 4, 16) / 1e9,
                parts.subList(0, 4).stream().mapToDouble(Bench.Layer::gflop).sum(),
                1e-9,
                "the parts' FLOP are the step's");
        // --profile: every convolution shape of the 4x generator, what is left, and the whole, against the same ceiling
        List<Bench.Layer> layers = (List<Bench.Layer>) report.get("profile");
        assertEquals(7, layers.size(), layers.toString());
        assertEquals(33, layers.get(1).count(), "2 x 16 residual-block convolutions and the trunk's");
        for (Bench.Layer l : layers.subList(0, 5)) {
            assertTrue(l.medianMs() > 0 && l.gflops() > 0 && l.share() > 0, l.toString());
            assertRatioToCeiling(l, ceiling);
        }
        double shares =
                layers.subList(0, 6).stream().mapToDouble(Bench.Layer::share).sum();
        assertTrue(shares >= 0.99, "the layers and the rest add up to the whole: " + shares);
        assertTrue(Bench.table(report).contains("conv 3x3 64->64"));
        assertTrue(
                report.get("cpu") instanceof String && report.get("cpuFlags") instanceof List, "the CPU is recorded");
        assertTrue(report.get("allocator") instanceof String, "the allocator is recorded");
        if (bfloat16) {
            Map<String, Object> speed = ((List<Map<String, Object>>) report.get("bfloat16")).get(0);
            assertTrue((double) speed.get("speedUp") > 0, speed.toString());
            assertTrue(rows.stream().anyMatch(r -> r.name().equals("generator 4x 32x32 bf16")), rows.toString());
            assertTrue(rows.stream().anyMatch(r -> r.name().equals("generator 4x 48x48 tiled bf16")), rows.toString());
            List<Map<String, Object>> perLayer = (List<Map<String, Object>>) report.get("profileBfloat16");
            assertEquals(5, perLayer.size(), perLayer.toString());
            assertTrue(Bench.table(report).contains("float32 vs bfloat16"));
        } else {
            assertEquals(null, report.get("bfloat16"), "no bfloat16 rows without bfloat16 instructions");
        }
    }

    /** A layer's ratio is to the run's ceiling. */
    private static void assertRatioToCeiling(Bench.Layer l, double ceiling) {
        assertEquals(l.gflops() / ceiling, l.ratio(), 1e-9);
    }
}
