package dev.srgan.networks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The malloc this process runs with. PyTorch allocates each layer's output anew and frees its input:
 * blocks of megabytes to hundreds of megabytes. glibc's malloc serves blocks that large from fresh
 * memory maps and unmaps them when freed, so every layer faults its output's pages in again;
 * tcmalloc keeps freed blocks for the next layer. With it, inference ran 3-24% faster and a
 * training step 18% faster on 2 cores (docs/benchmarks.md). {@code ./srgan} preloads it
 * ({@code LD_PRELOAD}) into the processes that compute (workers, bench, train, upscale, eval).
 */
public final class NativeAllocator {
    private static final List<String> KNOWN = List.of("tcmalloc", "jemalloc", "mimalloc");

    private NativeAllocator() {}

    /**
     * Returns the allocator library mapped into this process ("tcmalloc
     * (/usr/lib/.../libtcmalloc_minimal.so.4)"), or "glibc malloc" where none is, or "unknown" where
     * {@code /proc/self/maps} cannot be read.
     */
    public static String describe() {
        try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
            return maps.map(NativeAllocator::library)
                    .flatMap(Optional::stream)
                    .findFirst()
                    .orElse("glibc malloc");
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** The allocator a line of /proc/self/maps maps, if it is one. */
    static Optional<String> library(String mapsLine) {
        int slash = mapsLine.indexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        String path = mapsLine.substring(slash).trim();
        String file = path.substring(path.lastIndexOf('/') + 1);
        for (String name : KNOWN) {
            if (file.startsWith("lib" + name)) {
                return Optional.of(name + " (" + path + ")");
            }
        }
        return Optional.empty();
    }
}
