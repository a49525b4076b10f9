package dev.srgan.networks.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchTest {

    @Test
    void generatorFlopsMatchTheLayerByLayerCount() {
        // 128x128 -> 512x512 at 4x with 16 blocks: 72.7 GFLOP (DESIGN.md), almost all of it convolutions
        assertEquals(72.685, Flops.generator(128, 128, 4, 16) / 1e9, 0.001);
        // doubling the side quadruples the work
        assertEquals(4 * Flops.generator(64, 64, 4, 16), Flops.generator(128, 128, 4, 16), 1e-3);
        assertTrue(Flops.discriminator(96) > 0 && Flops.ganStep(16, 96, 4, 16) > 16 * Flops.generator(24, 24, 4, 16) * 3);
    }

    @Test
    @SuppressWarnings("unchecked")
    void quickBenchMeasuresEveryRowAgainstTheCeiling() throws Exception {
        Map<String, Object> report = Bench.run(true);
        double ceiling = (double) report.get("ceilingGflops");
        assertTrue(ceiling > 0);
        List<Bench.Row> rows = (List<Bench.Row>) report.get("rows");
        assertEquals(4, rows.size(), rows.toString());
        for (Bench.Row r : rows) {
            assertTrue(r.medianMs() > 0 && r.gflops() > 0, r.toString());
            assertEquals(r.gflops() / ceiling, r.ratio(), 1e-9);
        }
        assertTrue(Bench.table(report).contains("training D+G step"));
    }
}
