package dev.srgan.embedded;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/** Checks that turn the usual start-up failures into one readable line before anything starts. */
public final class Preflight {
    private Preflight() {}

    /** Fails with a {@link LaunchException} naming the port and the option to change it when it is taken. */
    public static void requirePortFree(int port, String what, String option) {
        try (ServerSocket socket = new ServerSocket()) {
            // SO_REUSEADDR: a port left in TIME_WAIT by a stopped server is free to restart on (the servers bind
            // with it too); a port another process listens on still fails
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new LaunchException("port " + port + " (" + what
                    + ") is already in use; stop what uses it or choose another with " + option);
        }
    }

    /** Creates the directory if needed and proves it is writable by writing a file into it. */
    public static Path requireWritableDir(Path dir, String what) {
        try {
            Files.createDirectories(dir);
            Path probe = dir.resolve(".write-probe-" + UUID.randomUUID());
            Files.writeString(probe, "ok");
            Files.delete(probe);
            return dir.toAbsolutePath().normalize();
        } catch (IOException | RuntimeException e) {
            throw new LaunchException(what + " " + dir.toAbsolutePath() + " is not writable (" + describe(e)
                    + "); choose another with --data-dir or SRGAN_DATA_DIR");
        }
    }

    /** A free ephemeral port on loopback. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new LaunchException("no free port on loopback: " + e.getMessage(), e);
        }
    }

    /**
     * A free port on loopback for a service that must keep its port across restarts (tests restart
     * PostgreSQL and Kafka on the same port and data), with the port after it free too (Kafka's
     * controller takes it by default). Chosen below the kernel's ephemeral range (32768 and up on
     * Linux), where the operating system never hands out ports to outgoing connections, so a
     * client socket of another process cannot take it between the pick and the bind.
     */
    public static int freeServicePort() {
        java.util.Random random = new java.util.Random();
        for (int attempt = 0; attempt < 500; attempt++) {
            int port = 20_000 + random.nextInt(12_000);
            try (ServerSocket a = new ServerSocket(port, 0, InetAddress.getLoopbackAddress());
                    ServerSocket b = new ServerSocket(port + 1, 0, InetAddress.getLoopbackAddress())) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        return freePort();
    }

    static String describe(Throwable e) {
        String name = e.getClass().getSimpleName();
        return e.getMessage() == null ? name : name + ": " + e.getMessage();
    }
}
