package dev.srgan.worker.upscale;

import ai.djl.Device;
import dev.srgan.domain.images.ModelBlend;
import dev.srgan.networks.checkpoint.Checkpoint;
import dev.srgan.networks.inference.Precision;
import dev.srgan.networks.inference.Upscaler;
import dev.srgan.worker.blobs.BlobInputStream;
import dev.srgan.worker.config.WorkerConfig;
import dev.srgan.worker.jobs.ScratchSpace;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Keeps the generators of the last few models used loaded, so that a stream of upscale jobs on the
 * same model pays the load (a checkpoint parse, a TorchScript load) once. A model blended with
 * another ({@link Model#blendedWith}) is a generator of its own, known by both models and the weight. Least recently used
 * models are closed when more than {@code srgan.worker.model-cache-size} are loaded. Checkpoint
 * generators compute in {@code srgan.worker.precision} (auto: bfloat16 where the CPU has bfloat16
 * instructions, about twice float32's speed for 0.01 dB of PSNR at most; see docs/benchmarks.md),
 * for upscale and evaluate jobs alike; TorchScript models run as saved.
 *
 * <p>An entry is handed out to one thread at a time ({@link #acquire}): a tiled upscale keeps the
 * native generator busy for its whole length and the networks module forbids sharing one
 * {@link Upscaler} between concurrent callers. A second job on the same model waits for the first.
 */
@ApplicationScoped
public class ModelCache {
    private static final Logger LOG = Logger.getLogger(ModelCache.class);

    @Inject
    WorkerConfig config;

    /** A model row, as the api stored it, and the model an upscale blends it with, if any. */
    public record Model(UUID id, String format, int scale, Integer residualBlocks, UUID blobId, Blend blend) {
        public Model(UUID id, String format, int scale, Integer residualBlocks, UUID blobId) {
            this(id, format, scale, residualBlocks, blobId, null);
        }

        /**
         * This model blended with {@code other}: every weight {@code (1 - weight) * this + weight *
         * other} ({@link Checkpoint#blend}), or every output pixel ({@link Upscaler#mix}).
         */
        public Model blendedWith(Model other, double weight, ModelBlend.Mode mode) {
            return new Model(id, format, scale, residualBlocks, blobId, new Blend(other, weight, mode));
        }

        /** This model without its blend. */
        Model alone() {
            return new Model(id, format, scale, residualBlocks, blobId);
        }

        /** What the cache knows a loaded generator by: the model, and the blend when there is one. */
        Key key() {
            return blend == null
                    ? new Key(id, null, 0, null)
                    : new Key(id, blend.model().id(), blend.weight(), blend.mode());
        }

        @Override
        public String toString() {
            return id
                    + (blend == null
                            ? ""
                            : " blended " + blend.weight() + " with "
                                    + blend.model().id() + " (" + blend.mode().id() + ")");
        }
    }

    /** The second model of a blend, its share, and how the two are blended. */
    public record Blend(Model model, double weight, ModelBlend.Mode mode) {}

    private record Key(UUID model, UUID blendModel, double weight, ModelBlend.Mode mode) {}

    /** Exclusive use of a loaded model; close it to hand the model back. */
    public interface Lease extends AutoCloseable {
        Upscaler upscaler();

        @Override
        void close();
    }

    @Inject
    DataSource dataSource;

    @Inject
    ScratchSpace scratch;

    private volatile Precision precision;

    private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);

    private static final class Entry {
        final Semaphore inUse = new Semaphore(1);
        Upscaler base;
        Upscaler tiled;
        boolean evicted;

        /** Closes the loaded generator; called with the entry's permit held or on an evicted, idle entry. */
        void unload() {
            if (tiled != null && tiled != base) {
                tiled.close();
            }
            if (base != null) {
                base.close();
            }
            tiled = null;
            base = null;
        }
    }

    /**
     * Returns exclusive use of the model's upscaler, loading it first if needed.
     *
     * @throws IOException if the model's blob cannot be read or is no loadable model
     * @throws InterruptedException if interrupted while another job uses the model
     */
    public Lease acquire(Model model) throws IOException, InterruptedException {
        Entry entry;
        List<Entry> evicted = new ArrayList<>();
        synchronized (entries) {
            entry = entries.computeIfAbsent(model.key(), key -> new Entry());
            Iterator<Map.Entry<Key, Entry>> it = entries.entrySet().iterator();
            while (entries.size() > Math.max(1, config.modelCacheSize()) && it.hasNext()) {
                Map.Entry<Key, Entry> eldest = it.next();
                if (eldest.getValue() != entry) {
                    it.remove();
                    evicted.add(eldest.getValue());
                }
            }
        }
        evicted.forEach(ModelCache::evict);
        entry.inUse.acquire();
        try {
            if (entry.base == null) {
                long start = System.nanoTime();
                entry.base = load(model);
                int size = config.tileSize().orElse(entry.base.tileSize());
                int perBatch = config.tilesPerBatch().orElse(entry.base.tilesPerBatch());
                entry.tiled = size == entry.base.tileSize() && perBatch == entry.base.tilesPerBatch()
                        ? entry.base
                        : entry.base.withTiling(size, perBatch, entry.base.context());
                LOG.infof(
                        "model %s (%s, x%d, %s) loaded in %d ms",
                        model,
                        model.format(),
                        model.scale(),
                        entry.base.precision(),
                        (System.nanoTime() - start) / 1_000_000);
            }
        } catch (IOException | RuntimeException e) {
            entry.inUse.release();
            synchronized (entries) {
                entries.remove(model.key(), entry);
            }
            throw e;
        }
        Entry held = entry;
        return new Lease() {
            private boolean closed;

            @Override
            public Upscaler upscaler() {
                return held.tiled;
            }

            @Override
            public void close() {
                if (closed) {
                    return;
                }
                closed = true;
                synchronized (held) {
                    if (held.evicted) {
                        held.unload();
                    }
                    held.inUse.release();
                }
            }
        };
    }

    /** Closes an evicted entry now if idle, else when its current user hands it back. */
    private static void evict(Entry entry) {
        synchronized (entry) {
            entry.evicted = true;
            if (entry.inUse.tryAcquire()) {
                entry.unload();
                entry.inUse.release();
            }
        }
    }

    private Upscaler load(Model model) throws IOException {
        if (model.blend() != null && model.blend().mode() == ModelBlend.Mode.PIXELS) {
            Upscaler first = load(model.alone());
            Upscaler second;
            try {
                second = load(model.blend().model());
            } catch (IOException | RuntimeException e) {
                first.close();
                throw e;
            }
            try {
                return Upscaler.mix(first, second, model.blend().weight());
            } catch (IllegalArgumentException e) {
                throw new IOException("the models do not blend: " + e.getMessage(), e);
            }
        }
        if (model.blend() != null) {
            Checkpoint blended;
            try {
                blended = Checkpoint.blend(
                        checkpoint(model),
                        checkpoint(model.blend().model()),
                        model.blend().weight());
            } catch (IllegalArgumentException e) {
                throw new IOException("the models do not blend: " + e.getMessage(), e);
            }
            return Upscaler.fromCheckpoint(blended, precision());
        }
        switch (model.format()) {
            case "CHECKPOINT" -> {
                return Upscaler.fromCheckpoint(checkpoint(model), precision());
            }
            case "TORCHSCRIPT" -> {
                // PyTorch loads TorchScript from a file only; the file is not needed once loaded
                Path file = scratch.newFile("srgan-model-", ".pt");
                try {
                    try (InputStream in = BlobInputStream.open(dataSource, model.blobId())) {
                        Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                    }
                    return Upscaler.fromTorchScript(file, model.scale());
                } finally {
                    ScratchSpace.delete(file);
                }
            }
            default -> throw new IOException("unknown model format " + model.format());
        }
    }

    private Checkpoint checkpoint(Model model) throws IOException {
        if (!model.format().equals("CHECKPOINT")) {
            throw new IOException("model " + model.id() + " is a " + model.format() + " file; only checkpoints blend");
        }
        try (InputStream in = BlobInputStream.open(dataSource, model.blobId())) {
            return Checkpoint.read(in);
        }
    }

    /** The precision checkpoint generators run in: FLOAT32 or BFLOAT16, resolved once. */
    Precision precision() {
        Precision p = precision;
        if (p == null) {
            // from the setting, not the engine: the engine must not load before ComputeThreads has set its threads
            p = Precision.parse(config.precision())
                    .resolve(config.device().startsWith("cpu") ? Device.cpu() : Device.gpu());
            precision = p;
        }
        return p;
    }

    void onStart(@Observes StartupEvent event) {
        // a wrong setting, or bfloat16 asked of a CPU without it, stops the worker here with the reason
        LOG.infof("upscale precision: %s (srgan.worker.precision=%s)", precision(), config.precision());
    }

    void onStop(@Observes ShutdownEvent event) {
        List<Entry> all;
        synchronized (entries) {
            all = new ArrayList<>(entries.values());
            entries.clear();
        }
        all.forEach(ModelCache::evict);
    }
}
