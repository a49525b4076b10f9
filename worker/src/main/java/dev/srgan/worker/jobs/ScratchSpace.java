package dev.srgan.worker.jobs;

import dev.srgan.worker.config.WorkerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Where jobs put files they need only while they run (an extracted dataset, a TorchScript model;
 * checkpoints stream straight into the database): {@code srgan.worker.temp-dir}, or the JVM's
 * temporary directory. In a container this should be a volume sized for the largest dataset.
 */
@ApplicationScoped
public class ScratchSpace {
    private static final Logger LOG = Logger.getLogger(ScratchSpace.class);

    @Inject
    WorkerConfig config;

    private Path root() throws IOException {
        return config.tempDir().isPresent()
                ? Files.createDirectories(config.tempDir().get())
                : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** Creates a new empty directory; the caller deletes it with {@link #delete(Path)}. */
    public Path newDirectory(String prefix) throws IOException {
        return Files.createTempDirectory(root(), prefix);
    }

    /** Creates a new empty file; the caller deletes it with {@link #delete(Path)}. */
    public Path newFile(String prefix, String suffix) throws IOException {
        return Files.createTempFile(root(), prefix, suffix);
    }

    /** Deletes a file or a directory tree, logging (not throwing) what cannot be deleted. */
    public static void delete(Path path) {
        if (path == null || !Files.exists(path)) {
            return;
        }
        try (Stream<Path> all = Files.walk(path)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            LOG.warnf("could not delete %s: %s", path, e.getMessage());
        }
    }
}
