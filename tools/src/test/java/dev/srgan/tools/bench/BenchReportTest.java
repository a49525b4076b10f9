package dev.srgan.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.srgan.tools.Api;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class BenchReportTest {

    private static JsonNode report() throws Exception {
        return Api.JSON.readTree("""
                {"at": "2026-11-30T00:00:00Z", "quick": false,
                 "compute": {"engine": "PyTorch 2.5.1", "device": "cpu()", "cores": 2, "threads": "2",
                   "ceilingGflops": 200.0, "ceilingNote": "matmul",
                   "rows": [
                     {"name": "generator 4x 128x128", "medianMs": 400, "gflop": 72.69, "gflops": 181, "ratio": 0.91, "peakRssMb": 600},
                     {"name": "generator 4x 128x128 bf16", "medianMs": 200, "gflop": 72.69, "gflops": 362, "ratio": 1.82, "peakRssMb": 600},
                     {"name": "generator 4x 256x256", "medianMs": 2000, "gflop": 290.74, "gflops": 145, "ratio": 0.79, "peakRssMb": 700},
                     {"name": "generator 4x 1024x1024 tiled", "medianMs": 33000, "gflop": 4651.85, "gflops": 141, "ratio": 0.705, "peakRssMb": 1400},
                     {"name": "training D+G step, batch 16, 96x96 HR", "medianMs": 2600, "gflop": 344.3, "gflops": 132, "ratio": 0.66, "peakRssMb": 2700}],
                   "bfloat16": [{"size": 128, "tiled": false, "speedUp": 1.99}]},
                 "queue": {
                   "latency": {"name": "upscale 256x256", "runs": 9, "endToEndMs": 1050, "modelMs": 950, "workerTotalMs": 990, "overheadMs": 100, "overheadPercent": 10.5},
                   "latency128": {"name": "upscale 128x128", "runs": 9, "endToEndMs": 500, "modelMs": 420, "workerTotalMs": 440, "overheadMs": 80, "overheadPercent": 19, "gflop": 72.69, "precision": "float32"},
                   "trivial2Workers": {"jobsPerSecond": 120}}}
                """);
    }

    @Test
    void targetsAreIssue18sRatiosToTheRunsOwnCeiling() throws Exception {
        Map<String, BenchReport.Target> t =
                BenchReport.targets(report()).stream().collect(Collectors.toMap(BenchReport.Target::what, x -> x));
        assertEquals(true, t.get("generator inference 128x128").met());
        assertEquals(false, t.get("generator inference 256x256").met(), "79% is under 80%");
        assertEquals(18, t.get("generator inference 256x256").issue());
        assertEquals(true, t.get("tiled 1024x1024").met());
        assertEquals(true, t.get("training D+G step").met());
        // 72.69 GFLOP at 200 GFLOP/s is 363 ms; the job took 500: 0.73 of its floor
        BenchReport.Target job = t.get("128x128 upscale job, end to end (float32)");
        assertEquals("0.73", job.measured());
        assertEquals(true, job.met());
        assertEquals(
                false,
                t.get("bfloat16 inference 128x128 (CPU with bfloat16; PSNR: see below)")
                        .met());
        assertEquals(false, t.get("queue overhead, 256x256 upscale").met());
        assertEquals(7, t.get("queue overhead, 256x256 upscale").issue());
    }

    @Test
    void theTableShowsTheFloorAndEveryTarget() throws Exception {
        String md = BenchReport.markdown(report());
        assertTrue(md.contains("**0.73 of the floor**"), md);
        List<BenchReport.Target> targets = BenchReport.targets(report());
        for (BenchReport.Target t : targets) {
            assertTrue(md.contains("| " + t.what() + " | " + t.issue() + " | "), t.what());
        }
    }
}
