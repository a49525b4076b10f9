package dev.srgan.tools;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Files the commands write (results, model files, checkpoints) appear whole or not at all: written
 * beside the target as {@code NAME.tmp}, then moved over it in one step, so a command stopped
 * midway never leaves half a file under the real name.
 */
public final class AtomicFiles {

    /** What writes the file's bytes. */
    @FunctionalInterface
    public interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFiles() {}

    /** Writes {@code target} with {@code writer}, replacing any file there only once it is complete. */
    public static void write(Path target, Writer writer) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            writer.writeTo(out);
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
