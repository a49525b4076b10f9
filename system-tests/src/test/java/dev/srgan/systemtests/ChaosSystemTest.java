package dev.srgan.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.tools.bench.LocalCluster;
import dev.srgan.tools.chaos.ChaosCommand;
import dev.srgan.tools.chaos.ChaosRun;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code ./srgan chaos}, bounded for the suite: about a minute of faults (every kind once: a worker
 * frozen past its lease, a worker killed, Kafka restarted, PostgreSQL restarted) while upscales
 * and two training runs go on, then every job checked through the API. The 10-minute run is in
 * docs/reliability.md.
 */
class ChaosSystemTest {

    @Test
    @SuppressWarnings("unchecked")
    void afterAMinuteOfFaultsNothingIsLostAndEverythingHappenedOnce() throws Exception {
        Path home =
                Path.of(System.getProperty("srgan.home", "..")).toAbsolutePath().normalize();
        try (LocalCluster cluster =
                LocalCluster.startSeparate(home, 2, home.resolve("system-tests/target/logs/chaos"), ChaosCommand.ENV)) {
            ChaosRun.Settings settings = new ChaosRun.Settings(
                    Duration.ofSeconds(40),
                    Duration.ofSeconds(6),
                    Duration.ofSeconds(6),
                    Duration.ofSeconds(90),
                    7,
                    1.0,
                    2,
                    60);
            Map<String, Object> report = ChaosRun.run(cluster, settings, System.out);
            if (!Boolean.TRUE.equals(report.get("ok"))) {
                dumpDatabase(cluster);
                dumpThreads(cluster, home);
            }
            Map<String, Integer> faults = (Map<String, Integer>) report.get("faults");
            assertEquals(4, faults.size(), "every kind of fault happened: " + faults);
            assertEquals(0, report.get("lost"), "nothing acknowledged is lost: " + report);
            assertEquals(0, report.get("notTerminal"), "every job is terminal: " + report);
            assertTrue(
                    ((java.util.List<String>) report.get("problems")).isEmpty(),
                    "every check holds: " + report.get("problems"));
            assertTrue((int) report.get("checkpointsLoaded") > 0, "checkpoints were stored and load: " + report);
            assertTrue(
                    (int) report.get("workersScraped") > 0,
                    "the fenced-write counter is read from the workers: " + report);
        }
    }

    /** The job threads of every live worker (jstack), when a check fails. */
    private static void dumpThreads(LocalCluster cluster, Path home) {
        String jstack =
                Path.of(System.getProperty("java.home"), "bin", "jstack").toString();
        for (Process w : cluster.workers()) {
            if (!w.isAlive()) {
                continue;
            }
            try {
                Path out = home.resolve("system-tests/target/logs/chaos/jstack-" + w.pid() + ".txt");
                new ProcessBuilder(jstack, Long.toString(w.pid()))
                        .redirectErrorStream(true)
                        .redirectOutput(out.toFile())
                        .start()
                        .waitFor();
                System.out.println("threads of worker " + w.pid() + " in " + out);
            } catch (Exception e) {
                System.out.println("jstack failed: " + e);
            }
        }
    }

    /** What the database is doing when a check fails: sessions, what they wait for, and the locks on jobs. */
    private static void dumpDatabase(LocalCluster cluster) {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(cluster.jdbcUrl(), cluster.dbUser(), "");
                java.sql.Statement st = c.createStatement()) {
            for (String sql : new String[] {
                "SELECT pid, application_name, state, wait_event_type, wait_event, now() - xact_start AS xact_age, left(query, 200) FROM pg_stat_activity WHERE datname = current_database()",
                "SELECT l.pid, l.mode, l.granted, j.id, j.status, j.type FROM pg_locks l JOIN jobs j ON l.relation = 'jobs'::regclass AND true WHERE l.locktype IN ('relation', 'tuple', 'transactionid') LIMIT 50",
                "SELECT pid, pg_blocking_pids(pid), wait_event, left(query, 200) FROM pg_stat_activity WHERE cardinality(pg_blocking_pids(pid)) > 0",
                "SELECT id, type, status, worker_id, lease_epoch, lease_expires_at, now() AS now, progress_message FROM jobs WHERE status IN ('RUNNING', 'QUEUED') ORDER BY created_at LIMIT 10",
                "SELECT count(*) FROM outbox"
            }) {
                System.out.println("db: " + sql);
                try (java.sql.ResultSet rs = st.executeQuery(sql)) {
                    int n = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        StringBuilder row = new StringBuilder("db:   ");
                        for (int i = 1; i <= n; i++) {
                            row.append(rs.getObject(i)).append(" | ");
                        }
                        System.out.println(row);
                    }
                }
            }
        } catch (Exception e) {
            System.out.println("db: dump failed: " + e);
        }
    }
}
