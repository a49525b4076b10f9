package dev.srgan.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.tools.Api;
import dev.srgan.tools.TrivialModel;
import dev.srgan.tools.bench.QueueBench;
import dev.srgan.tools.load.LoadReport;
import dev.srgan.tools.load.LoadTest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The load script and the queue benchmark, bounded for the suite: {@code ./srgan load}'s code at
 * 25 submissions/s for 6 s against the packaged api and 2 workers, every job checked through the
 * API; and the queue bench's two measurements on the same cluster. The full 200/s for 60 s run
 * and the bench are documented in docs/load.md and docs/benchmarks.md.
 */
class LoadSystemTest {
    static Cluster cluster;

    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension(2, c -> cluster = c);

    static Api api;

    @BeforeAll
    static void start() throws Exception {
        api = new Api(cluster.url("/"), Cluster.ADMIN_TOKEN, null);
    }

    @Test
    @SuppressWarnings("unchecked")
    void boundedLoadEveryJobSucceedsExactlyOnce() throws Exception {
        String model = TrivialModel.upload(api, "trivial 2x");
        Map<String, Object> report =
                LoadTest.run(api, model, new LoadTest.Settings(25, 6, 8, Duration.ofMinutes(3)), System.out);
        System.out.print(LoadReport.markdown(report));
        Map<String, Object> submissions = (Map<String, Object>) report.get("submissions");
        Map<String, Object> check = (Map<String, Object>) report.get("check");
        assertEquals(150, submissions.get("planned"));
        assertEquals(150, submissions.get("accepted"), "every submission accepted: " + submissions);
        assertEquals(150, check.get("succeeded"), "check: " + check);
        assertEquals(0, check.get("ranMoreThanOnce"));
        assertEquals(0, check.get("lost"));
        assertEquals(Boolean.TRUE, check.get("everyJobSucceededExactlyOnce"));
        Map<String, Double> latency = (Map<String, Double>) submissions.get("latencyMs");
        assertTrue(latency.get("p50") > 0 && latency.get("p50") <= latency.get("p99"), "percentiles: " + latency);
        assertEquals(150L, countResults(), "one stored result per job");
    }

    @Test
    void queueBenchMeasuresOverheadAndThroughput() throws Exception {
        Map<String, Object> latency = QueueBench.latency(api, 2, 32, System.out);
        assertTrue((double) latency.get("modelMs") > 0, "the worker reports the model time: " + latency);
        assertTrue(
                (double) latency.get("endToEndMs") >= (double) latency.get("modelMs"),
                "end to end includes the model: " + latency);
        String model = TrivialModel.upload(api, "trivial 2x (bench)");
        Map<String, Object> t = QueueBench.throughput(api, model, 40, System.out);
        assertEquals(0, t.get("failed"));
        assertTrue((double) t.get("jobsPerSecond") > 0, "throughput: " + t);
    }

    private static long countResults() throws Exception {
        try (var c = cluster.db();
                var s = c.createStatement();
                var rs = s.executeQuery(
                        "SELECT count(*) FROM results r JOIN jobs j ON j.id = r.job_id JOIN models m ON m.id = j.model_id "
                                + "WHERE m.name = 'trivial 2x'")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
