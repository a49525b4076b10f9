package dev.srgan.worker.ops;

import dev.srgan.networks.NativeAllocator;
import dev.srgan.worker.config.WorkerConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * How many threads PyTorch gives this worker's convolutions. Workers that share a host share its
 * cores: by default each takes the host's cores divided by the workers {@code ./srgan up} started
 * on it ({@code srgan.worker.workers-on-host}), so two workers on two cores run one thread each
 * instead of four threads fighting over two cores. {@code srgan.worker.threads} sets it outright.
 * Set before the engine loads (at the first job), as DJL's {@code ai.djl.pytorch.num_threads}.
 */
@ApplicationScoped
public class ComputeThreads {
    private static final Logger LOG = Logger.getLogger(ComputeThreads.class);
    static final String NUM_THREADS = "ai.djl.pytorch.num_threads";
    static final String INTEROP_THREADS = "ai.djl.pytorch.num_interop_threads";

    @Inject
    WorkerConfig config;

    void onStart(@Observes @Priority(1) StartupEvent event) {
        int cores = Runtime.getRuntime().availableProcessors();
        int n = resolve(config.threads(), cores, config.workersOnHost());
        if (System.getProperty(NUM_THREADS) == null) {
            System.setProperty(NUM_THREADS, Integer.toString(n));
        }
        if (System.getProperty(INTEROP_THREADS) == null) {
            // one job at a time per worker: inter-op parallelism only adds threads to the fight
            System.setProperty(INTEROP_THREADS, "1");
        }
        LOG.infof(
                "compute threads: %s (%d cores, %d worker(s) on this host%s); allocator: %s",
                System.getProperty(NUM_THREADS),
                cores,
                config.workersOnHost(),
                config.threads().isPresent() ? ", set by srgan.worker.threads" : "",
                NativeAllocator.describe());
    }

    /**
     * The threads for one worker: {@code configured} when set, else the cores divided by the
     * workers on the host, at least 1.
     */
    static int resolve(Optional<Integer> configured, int cores, int workersOnHost) {
        if (configured.isPresent()) {
            if (configured.get() < 1) {
                throw new IllegalArgumentException("srgan.worker.threads must be at least 1, got " + configured.get());
            }
            return configured.get();
        }
        return Math.max(1, cores / Math.max(1, workersOnHost));
    }
}
