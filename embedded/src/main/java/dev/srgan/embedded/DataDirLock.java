package dev.srgan.embedded;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive OS file lock on {@code <data dir>/srgan.lock}, held while a stack runs on that data
 * dir, so a second {@code ./srgan up} on the same data fails at once instead of corrupting it.
 * The OS drops the lock when the process dies, however it dies.
 */
public final class DataDirLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock or throws a {@link LaunchException} naming the process that holds it. */
    public static DataDirLock acquire(Path dataDir) {
        Path file = dataDir.resolve("srgan.lock");
        try {
            FileChannel channel = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                String holder = Files.readString(file, StandardCharsets.UTF_8).trim();
                channel.close();
                throw new LaunchException("another srgan stack is already running on data dir " + dataDir
                        + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                        + "; stop it first, or use another --data-dir");
            }
            channel.truncate(0);
            channel.write(java.nio.ByteBuffer.wrap(
                    String.valueOf(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)));
            channel.force(true);
            return new DataDirLock(channel, lock);
        } catch (IOException e) {
            throw new LaunchException("cannot lock data dir " + dataDir + ": " + Preflight.describe(e), e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // the OS releases the lock with the process anyway
        }
    }
}
