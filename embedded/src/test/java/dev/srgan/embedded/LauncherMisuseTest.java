package dev.srgan.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The misuse cases of {@code ./srgan}: each is one readable line and exit code 1, never a stack trace. */
class LauncherMisuseTest {

    record Outcome(int exitCode, String output) {
        List<String> lines() {
            return output.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    static Outcome run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(ServicesProcess.command(args[0]));
        cmd.addAll(List.of(args).subList(1, args.length));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("SRGAN_DB_URL");
        pb.environment().remove("SRGAN_KAFKA_BOOTSTRAP");
        Process p = pb.start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher exits");
        return new Outcome(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    static void assertOneLineError(Outcome o, String expected) {
        assertEquals(1, o.exitCode(), o.output());
        assertEquals(1, o.lines().size(), "exactly one line:\n" + o.output());
        assertTrue(o.lines().get(0).startsWith("srgan: "), o.output());
        assertTrue(o.output().contains(expected), "expected '" + expected + "' in:\n" + o.output());
    }

    @Test
    void portAlreadyTakenIsOneLine(@TempDir Path dataDir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Outcome o = run("services", "--data-dir", dataDir.toString(), "--pg-port", String.valueOf(port));
            assertOneLineError(o, "port " + port + " (PostgreSQL) is already in use");
            assertTrue(o.output().contains("--pg-port"), o.output());
        }
    }

    @Test
    void unwritableDataDirIsOneLine(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
        Outcome o = run("services", "--data-dir", file.resolve("data").toString());
        assertOneLineError(o, "is not writable");
    }

    @Test
    void secondStackOnTheSameDataDirIsOneLine(@TempDir Path dataDir) throws Exception {
        try (ServicesProcess first = ServicesProcess.start(dataDir)) {
            Outcome o = run("services", "--data-dir", dataDir.toString(), "--pg-port", "0", "--kafka-port", "0");
            assertOneLineError(o, "another srgan stack is already running on data dir");
            assertTrue(o.output().contains("pid " + first.pid()), o.output());
        }
    }

    @Test
    void badOptionValueIsOneLine(@TempDir Path dataDir) throws Exception {
        Outcome o = run("up", "--workers", "lots", "--data-dir", dataDir.toString());
        assertOneLineError(o, "--workers (SRGAN_WORKERS) must be a whole number");
    }

    @Test
    void badDurabilityValueIsOneLine(@TempDir Path dataDir) throws Exception {
        Outcome o = run(
                "services",
                "--pg-durable",
                "maybe",
                "--pg-port",
                "0",
                "--only",
                "postgres",
                "--data-dir",
                dataDir.toString());
        assertOneLineError(o, "--pg-durable must be true or false, got 'maybe'");
    }

    @Test
    void workerWithoutARunningStackIsOneLine(@TempDir Path dataDir) throws Exception {
        Outcome o = run("worker", "--data-dir", dataDir.toString());
        // either the worker app is not built yet (module order) or no stack runs: both are one line
        assertEquals(1, o.exitCode(), o.output());
        assertEquals(1, o.lines().size(), o.output());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
