package dev.srgan.networks.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srgan.networks.export.DjlParameters;
import dev.srgan.networks.training.Phase;
import dev.srgan.networks.training.TrainingConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A self-describing training checkpoint: both networks' parameters (with BatchNorm running
 * statistics), both Adam states, the optional EMA generator, the step, the sampler's random
 * state, the content loss in use and the full config. It is one zip file, streamed to and from
 * any byte stream; see CHECKPOINT-FORMAT.md for the layout.
 */
public final class Checkpoint {

    /** Value of manifest.json's "format". */
    public static final String FORMAT = "srgan-checkpoint";
    /** Version of the layout written by this code. */
    public static final int FORMAT_VERSION = 1;

    static final String MANIFEST = "manifest.json";
    static final String GENERATOR = "generator.params";
    static final String DISCRIMINATOR = "discriminator.params";
    static final String GENERATOR_EMA = "generator-ema.params";
    static final String OPTIMIZER_G = "optimizer-generator.bin";
    static final String OPTIMIZER_D = "optimizer-discriminator.bin";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The least {@link DjlParameters#kinship} two models {@link #blend} at: fine-tuned models are
     * above 0.99, models trained apart near 0.
     */
    public static final double MIN_BLEND_KINSHIP = 0.5;

    private final TrainingConfig config;
    private final long step;
    private final long rngState;
    private final String contentLoss;
    private final Instant createdAt;
    private final byte[] generator;
    private final byte[] discriminator;
    private final byte[] generatorEma;
    private final byte[] optimizerG;
    private final byte[] optimizerD;

    /**
     * Creates a checkpoint from its parts (the training loop does this).
     *
     * @param config the run's config
     * @param step the last completed global step
     * @param rngState the crop/flip sampler's state after that step
     * @param contentLoss "pixel-mse" or the feature extractor's name
     * @param createdAt when it was taken
     * @param generator the generator's parameters, DJL format
     * @param discriminator the discriminator's parameters, DJL format
     * @param generatorEma the EMA generator's parameters, or null
     * @param optimizerG the generator's Adam state
     * @param optimizerD the discriminator's Adam state
     */
    public Checkpoint(
            TrainingConfig config,
            long step,
            long rngState,
            String contentLoss,
            Instant createdAt,
            byte[] generator,
            byte[] discriminator,
            byte[] generatorEma,
            byte[] optimizerG,
            byte[] optimizerD) {
        this.config = config;
        this.step = step;
        this.rngState = rngState;
        this.contentLoss = contentLoss;
        this.createdAt = createdAt;
        this.generator = generator;
        this.discriminator = discriminator;
        this.generatorEma = generatorEma;
        this.optimizerG = optimizerG;
        this.optimizerD = optimizerD;
    }

    /** Returns the run's config. */
    public TrainingConfig config() {
        return config;
    }

    /** Returns the last completed global step. */
    public long step() {
        return step;
    }

    /** Returns the sampler's random state after {@link #step()}. */
    public long rngState() {
        return rngState;
    }

    /** Returns the content loss used, "pixel-mse" or e.g. "vgg19:relu5_4". */
    public String contentLoss() {
        return contentLoss;
    }

    /** Returns when the checkpoint was taken. */
    public Instant createdAt() {
        return createdAt;
    }

    /** Returns the generator's parameters (DJL parameter format). */
    public byte[] generatorParameters() {
        return generator;
    }

    /** Returns the discriminator's parameters (DJL parameter format). */
    public byte[] discriminatorParameters() {
        return discriminator;
    }

    /** Returns the EMA generator's parameters, or null when the run keeps no EMA. */
    public byte[] generatorEmaParameters() {
        return generatorEma;
    }

    /**
     * True for an exported model: the generator's inference weights, the step and the config, but
     * no discriminator or optimizer state. It serves upscales; a training run cannot resume from it.
     */
    public boolean isGeneratorOnly() {
        return discriminator == null;
    }

    /**
     * The model to ship: this checkpoint's inference generator (EMA weights if kept) without the
     * discriminator and the optimizer states, about a quarter of the size.
     */
    public Checkpoint generatorOnly() {
        return new Checkpoint(
                config, step, rngState, contentLoss, createdAt, inferenceGeneratorParameters(), null, null, null, null);
    }

    /**
     * A model between two models of the same network: each inference parameter {@code (1 - weight)
     * * a + weight * b} ({@link DjlParameters#blend}), as ESRGAN balances its PSNR model against its
     * GAN model and Real-ESRGAN its denoising strength. It is generator-only, with {@code a}'s
     * config and step. Blend a model with its own fine-tuned versions (the shipped 4x default with
     * "SRResNet 4x (real photos)"); models trained apart from random weights blend into noise.
     *
     * @param weight the share of {@code b}, from 0 to 1
     * @throws IllegalArgumentException if the two generators differ in scale or depth, were trained apart
     *     ({@link DjlParameters#kinship} below {@link #MIN_BLEND_KINSHIP}), or the weight is outside 0 to 1
     * @throws IOException if either generator's parameters cannot be read
     */
    public static Checkpoint blend(Checkpoint a, Checkpoint b, double weight) throws IOException {
        TrainingConfig x = a.config();
        TrainingConfig y = b.config();
        if (x.scale() != y.scale() || x.residualBlocks() != y.residualBlocks()) {
            throw new IllegalArgumentException("only models of the same network blend: " + x.scale() + "x with "
                    + x.residualBlocks() + " residual blocks against " + y.scale() + "x with "
                    + y.residualBlocks());
        }
        byte[] generator =
                DjlParameters.blend(a.inferenceGeneratorParameters(), b.inferenceGeneratorParameters(), weight);
        double kinship = DjlParameters.kinship(a.inferenceGeneratorParameters(), b.inferenceGeneratorParameters());
        if (kinship < MIN_BLEND_KINSHIP) {
            throw new IllegalArgumentException(String.format(
                    java.util.Locale.ROOT,
                    "these two models were trained apart (their weights' cosine is %.2f; a model and its fine-tuned"
                            + " versions are above 0.99), so a blend of them would be noise: blend a model with"
                            + " one fine-tuned from it",
                    kinship));
        }
        Instant createdAt = a.createdAt().isAfter(b.createdAt()) ? a.createdAt() : b.createdAt();
        return new Checkpoint(x, a.step, a.rngState, a.contentLoss, createdAt, generator, null, null, null, null);
    }

    /** Returns the parameters inference should use: the EMA generator's if present. */
    public byte[] inferenceGeneratorParameters() {
        return generatorEma != null ? generatorEma : generator;
    }

    /** Returns the generator's Adam state. */
    public byte[] generatorOptimizerState() {
        return optimizerG;
    }

    /** Returns the discriminator's Adam state. */
    public byte[] discriminatorOptimizerState() {
        return optimizerD;
    }

    /**
     * Writes the checkpoint as a zip to a stream (left open).
     *
     * @param out the destination
     * @throws IOException if writing fails
     */
    public void write(OutputStream out) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        zip.putNextEntry(new ZipEntry(MANIFEST));
        zip.write(manifest().toPrettyString().getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
        put(zip, GENERATOR, generator);
        if (!isGeneratorOnly()) {
            put(zip, DISCRIMINATOR, discriminator);
            if (generatorEma != null) {
                put(zip, GENERATOR_EMA, generatorEma);
            }
            put(zip, OPTIMIZER_G, optimizerG);
            put(zip, OPTIMIZER_D, optimizerD);
        }
        zip.finish();
        zip.flush();
    }

    /** Returns the checkpoint as bytes (see {@link #write(OutputStream)}). */
    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            write(bytes);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private ObjectNode manifest() throws IOException {
        ObjectNode m = JSON.createObjectNode();
        m.put("format", FORMAT);
        m.put("formatVersion", FORMAT_VERSION);
        m.put("step", step);
        m.put("phase", Phase.ofStep(step, config.pretrainSteps()).storedName());
        m.put("rngState", rngState);
        m.put("contentLoss", contentLoss);
        m.put("createdAt", createdAt.toString());
        m.put("parameterFormat", "djl-block-parameters");
        m.put("hasGeneratorEma", generatorEma != null);
        m.put("generatorOnly", isGeneratorOnly());
        m.set("config", JSON.readTree(config.toJson()));
        return m;
    }

    /** Float data hardly compresses: store it, which also makes writing fast. */
    private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(data.length);
        entry.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(data);
        zip.closeEntry();
    }

    /**
     * Reads a checkpoint written by {@link #write(OutputStream)}.
     *
     * @param in the source (read to its end, left open)
     * @return the checkpoint
     * @throws IOException if the stream is no checkpoint of a supported version
     */
    public static Checkpoint read(InputStream in) throws IOException {
        Map<String, byte[]> entries = new HashMap<>();
        ZipInputStream zip = new ZipInputStream(in);
        long total = 0;
        for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
            String name = e.getName();
            boolean known = KNOWN_ENTRIES.contains(name);
            if (known && entries.containsKey(name)) {
                throw new IOException("not a valid SRGAN checkpoint: the entry " + name + " appears twice");
            }
            long limit = name.equals(MANIFEST) ? MAX_MANIFEST_BYTES : MAX_ENTRY_BYTES;
            byte[] data = readBounded(zip, name, Math.min(limit, MAX_TOTAL_BYTES - total), known);
            total += data == null ? 0 : data.length;
            if (known) {
                entries.put(name, data);
            }
        }
        byte[] manifestBytes = entries.get(MANIFEST);
        if (manifestBytes == null) {
            throw new IOException("not an SRGAN checkpoint: no " + MANIFEST);
        }
        JsonNode m = JSON.readTree(manifestBytes);
        if (!FORMAT.equals(m.path("format").asText())) {
            throw new IOException(
                    "not an SRGAN checkpoint: format is '" + m.path("format").asText() + "'");
        }
        int version = m.path("formatVersion").asInt();
        if (version != FORMAT_VERSION) {
            throw new IOException("unsupported checkpoint format version " + version);
        }
        TrainingConfig config;
        try {
            config = TrainingConfig.fromJson(m.get("config").toString());
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IOException("checkpoint config is invalid: " + e.getMessage(), e);
        }
        boolean generatorOnly = m.path("generatorOnly").asBoolean(false);
        return new Checkpoint(
                config,
                m.path("step").asLong(),
                m.path("rngState").asLong(),
                m.path("contentLoss").asText(),
                Instant.parse(m.path("createdAt").asText()),
                require(entries, GENERATOR),
                generatorOnly ? null : require(entries, DISCRIMINATOR),
                entries.get(GENERATOR_EMA),
                generatorOnly ? null : require(entries, OPTIMIZER_G),
                generatorOnly ? null : require(entries, OPTIMIZER_D));
    }

    /** The most a checkpoint's manifest may unpack to. */
    static final long MAX_MANIFEST_BYTES = 1L << 20;
    /** The most one entry may unpack to: far above the largest state (about 42 MB at the defaults). */
    static final long MAX_ENTRY_BYTES = 512L << 20;
    /** The most a whole checkpoint may unpack to. */
    static final long MAX_TOTAL_BYTES = 1L << 30;

    private static final java.util.Set<String> KNOWN_ENTRIES =
            java.util.Set.of(MANIFEST, GENERATOR, DISCRIMINATOR, GENERATOR_EMA, OPTIMIZER_G, OPTIMIZER_D);

    /**
     * Reads the current entry up to {@code limit} bytes (a zip bomb ends here, with a message);
     * an entry that is not kept is read through and dropped ({@code keep} false: returns null).
     */
    private static byte[] readBounded(ZipInputStream zip, String name, long limit, boolean keep) throws IOException {
        java.io.ByteArrayOutputStream out = keep ? new java.io.ByteArrayOutputStream() : null;
        byte[] buffer = new byte[64 * 1024];
        long read = 0;
        for (int n; (n = zip.read(buffer)) > 0; ) {
            read += n;
            if (read > limit) {
                throw new IOException("not a valid SRGAN checkpoint: the entry " + name + " unpacks to more than "
                        + limit + " bytes (the limit for a checkpoint is " + MAX_ENTRY_BYTES + " per entry and "
                        + MAX_TOTAL_BYTES + " in all)");
            }
            if (out != null) {
                out.write(buffer, 0, n);
            }
        }
        return out == null ? new byte[0] : out.toByteArray();
    }

    private static byte[] require(Map<String, byte[]> entries, String name) throws IOException {
        byte[] data = entries.get(name);
        if (data == null) {
            throw new IOException("checkpoint lacks " + name);
        }
        return data;
    }
}
