package dev.srgan.networks.inference;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.srgan.networks.checkpoint.Checkpoint;
import dev.srgan.networks.image.Bicubic;
import dev.srgan.networks.image.RgbImage;
import dev.srgan.networks.model.Generator;
import dev.srgan.networks.model.Networks;
import dev.srgan.networks.training.TrainingConfig;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;

/**
 * Upscales images with a trained generator, tile by tile so that memory stays bounded whatever the
 * image size. Each tile is read with {@code context} extra pixels on every side and only its core
 * is kept; with a context of at least the generator's receptive radius (the default for
 * checkpoints) the result equals the whole-image result, so no seam can show. Tiles are batched
 * through the generator, each batch in its own NDManager so intermediates are freed at once.
 * Alpha is upscaled bicubically and put back.
 *
 * <p>A generator built here (checkpoints, {@link #of}) runs folded ({@link FoldedGenerator}:
 * BatchNorm folded into the convolutions, channels-last, no autograd), on the CPU through the
 * TorchScript module of {@link ScriptedGenerator} in float32 as in bfloat16: its residual blocks run
 * on the whole window, its upsampling only on the tile's core, in pieces of at most {@link
 * #PIECE_SIZE} pixels read with the few pixels of features around them that they depend on. The
 * output is the same as the generator's (within 1e-4 on [0, 1] pixels). With {@link
 * Precision#BFLOAT16} (or AUTO on a CPU with bfloat16 instructions) the module keeps its weights
 * in bfloat16, and the output differs from float32's by a few 8-bit levels.
 *
 * <p>Thread-safety: the tiling keeps no state between calls; forward passes through one instance
 * are serialized. For parallel upscales use one instance per thread.
 */
public final class Upscaler implements AutoCloseable {

    /**
     * Default largest tile core in input pixels for generators built here (checkpoints): the
     * context around a tile is computed again by its neighbours, so larger tiles waste less (a
     * 1024x1024 image in 512 px tiles with the 42 pixels of context of 16 blocks computes 1.17x its
     * area in the residual blocks; in 192 px tiles, 1.9x); memory stays near 1.4 GB because only
     * the features are computed for the whole window and the upsampling runs piece by piece. A
     * single 1024 px window ran 8% faster on a 1024x1024 image but needed 0.5-0.8 GB more.
     */
    public static final int DEFAULT_TILE_SIZE = 512;
    /** Default number of tiles per generator call: at the default tile size, batching gains nothing. */
    public static final int DEFAULT_TILES_PER_BATCH = 1;
    /** Default context for TorchScript generators, whose receptive field is not known. */
    public static final int DEFAULT_TORCHSCRIPT_CONTEXT = 42;
    /**
     * Default tile size for TorchScript generators, which run as a whole on each window: their
     * activations at the output resolution bound the tile size.
     */
    public static final int DEFAULT_TORCHSCRIPT_TILE_SIZE = 192;
    /** Default tiles per call for TorchScript generators. */
    public static final int DEFAULT_TORCHSCRIPT_TILES_PER_BATCH = 2;

    /**
     * Side, in input pixels, of the pieces of a tile core that are upsampled at once: the
     * upsampling's activations grow with the square of the scale, so pieces keep them small.
     */
    static final int PIECE_SIZE = 96;

    /**
     * An image whose output would be narrower or lower than this is upscaled with
     * {@link #SMALL_IMAGE_PADDING} pixels of its edge replicated around it, and the padding cut off
     * again. The generator's zero padding reaches 42 pixels into an image, so a small one is mostly
     * edge: without the padding the shipped models did worse than bicubic on 4 to 8 px crops of the
     * evaluation photos (4x: 29.71 against 35.50 dB at 4 px), with it they match or beat it
     * (35.24; 2x +0.94 dB at 32 px, 4x +0.6 dB at 16 px, 8x +1.2 dB at 8 px). At 128 output pixels
     * and more the gain is below 0.03 dB, or a loss, so larger images are left as they are.
     */
    static final int SMALL_OUTPUT_SIDE = 128;

    /** Pixels of edge replicated around a small image; 4 gave most of the gain, 16 no more than 8. */
    static final int SMALL_IMAGE_PADDING = 8;

    private final GeneratorModel model;
    private final int scale;
    private final int context;
    private final int tileSize;
    private final int tilesPerBatch;
    private final int smallImagePadding;
    private final NDManager root;
    private final boolean ownsModel;

    private Upscaler(GeneratorModel model, int scale, int context, int tileSize, int tilesPerBatch) {
        this(model, scale, context, tileSize, tilesPerBatch, SMALL_IMAGE_PADDING, true);
    }

    private Upscaler(
            GeneratorModel model,
            int scale,
            int context,
            int tileSize,
            int tilesPerBatch,
            int smallImagePadding,
            boolean ownsModel) {
        if (tileSize < 1 || tilesPerBatch < 1 || context < 0) {
            throw new IllegalArgumentException("tileSize and tilesPerBatch must be >= 1, context >= 0");
        }
        this.model = model;
        this.scale = scale;
        this.context = context;
        this.tileSize = tileSize;
        this.tilesPerBatch = tilesPerBatch;
        this.smallImagePadding = smallImagePadding;
        this.ownsModel = ownsModel;
        this.root = NDManager.newBaseManager(model.device(), "PyTorch");
    }

    /**
     * Wraps an initialized DJL generator built by {@link Generator}; the caller keeps ownership of
     * its parameters. Tiles carry the exact receptive radius as context.
     *
     * @param generator the generator block
     * @param scale its scale
     * @param residualBlocks its number of residual blocks
     * @return an upscaler with default tiling
     */
    public static Upscaler of(Block generator, int scale, int residualBlocks) {
        return of(generator, scale, residualBlocks, null);
    }

    /**
     * Like {@link #of(Block, int, int)}, and closes {@code owner} (the manager holding the
     * generator's parameters) when this upscaler is closed.
     */
    public static Upscaler of(Block generator, int scale, int residualBlocks, NDManager owner) {
        return of(generator, scale, residualBlocks, owner, Precision.FLOAT32);
    }

    /**
     * Like {@link #of(Block, int, int, NDManager)}, computing in {@code precision}. Bfloat16 applies
     * only with an {@code owner} (the parameters then cannot change under the upscaler).
     *
     * @throws IllegalStateException for BFLOAT16 on a GPU or on a CPU without bfloat16 instructions
     */
    public static Upscaler of(Block generator, int scale, int residualBlocks, NDManager owner, Precision precision) {
        Device device = owner != null ? owner.getDevice() : Engine.getInstance().defaultDevice();
        return new Upscaler(
                new DjlGeneratorModel(generator, owner, device, precision.resolve(device)),
                scale,
                Generator.receptiveRadius(residualBlocks),
                DEFAULT_TILE_SIZE,
                DEFAULT_TILES_PER_BATCH);
    }

    /**
     * Loads the generator of a training checkpoint (its EMA weights if the run kept them) in eval
     * mode: BatchNorm uses its running statistics and no gradients are recorded.
     *
     * @param checkpoint the checkpoint
     * @return an upscaler whose context is the generator's exact receptive radius
     * @throws IOException if the checkpoint's parameters do not fit its config
     */
    public static Upscaler fromCheckpoint(Checkpoint checkpoint) throws IOException {
        return fromCheckpoint(checkpoint, Precision.FLOAT32);
    }

    /**
     * Like {@link #fromCheckpoint(Checkpoint)}, computing in {@code precision}.
     *
     * @throws IllegalStateException for BFLOAT16 on a GPU or on a CPU without bfloat16 instructions
     */
    public static Upscaler fromCheckpoint(Checkpoint checkpoint, Precision precision) throws IOException {
        Precision resolved = precision.resolve(Engine.getInstance().defaultDevice());
        TrainingConfig config = checkpoint.config();
        NDManager manager = NDManager.newBaseManager(Engine.getInstance().defaultDevice(), "PyTorch");
        try {
            Block g = Generator.builder()
                    .scale(config.scale())
                    .residualBlocks(config.residualBlocks())
                    .build();
            Networks.loadParameters(g, manager, checkpoint.inferenceGeneratorParameters());
            g.freezeParameters(true);
            return of(g, config.scale(), config.residualBlocks(), manager, resolved);
        } catch (MalformedModelException | RuntimeException e) {
            manager.close();
            throw new IOException("checkpoint generator cannot be loaded: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a checkpoint stream (see {@link Checkpoint#read(InputStream)}) and loads its generator.
     *
     * @param in the checkpoint bytes
     * @return the upscaler
     * @throws IOException if the stream is no valid checkpoint
     */
    public static Upscaler fromCheckpoint(InputStream in) throws IOException {
        return fromCheckpoint(Checkpoint.read(in));
    }

    /** Like {@link #fromCheckpoint(InputStream)}, computing in {@code precision}. */
    public static Upscaler fromCheckpoint(InputStream in, Precision precision) throws IOException {
        return fromCheckpoint(Checkpoint.read(in), precision);
    }

    /**
     * Loads a generator saved with {@code torch.jit.trace} (or script) from PyTorch, e.g. the seed
     * article's {@code Generator} traced in eval mode. It must take RGB in [0, 1] and return tanh
     * in [-1, 1], like the seed's.
     *
     * @param file the TorchScript file
     * @param scale the generator's scale
     * @return an upscaler with {@link #DEFAULT_TORCHSCRIPT_CONTEXT} context and TorchScript's default
     *     tiling
     * @throws IOException if the file cannot be loaded
     */
    public static Upscaler fromTorchScript(Path file, int scale) throws IOException {
        Device device = Engine.getInstance().defaultDevice();
        return new Upscaler(
                new TorchScriptGeneratorModel(file, device),
                scale,
                DEFAULT_TORCHSCRIPT_CONTEXT,
                DEFAULT_TORCHSCRIPT_TILE_SIZE,
                DEFAULT_TORCHSCRIPT_TILES_PER_BATCH);
    }

    /**
     * Returns an upscaler whose output is {@code (1 - weight) * a + weight * b}, pixel by pixel
     * before rounding: both generators run on each tile (twice the time). Unlike a blend of
     * weights ({@link Checkpoint#blend}) it mixes any two generators of one scale, trained apart or
     * not, checkpoints or TorchScript, and moves from one output to the other in a straight line.
     * Tiles take the larger context and the smaller tile size of the two. The result owns {@code
     * a} and {@code b} and closes them; if there is no result, they are closed already.
     *
     * @param weight the share of {@code b}, from 0 to 1
     * @throws IllegalArgumentException if the scales differ or the weight is outside 0 to 1
     */
    public static Upscaler mix(Upscaler a, Upscaler b, double weight) {
        String refused = !(weight >= 0 && weight <= 1)
                ? "the blend weight must be from 0 to 1, got " + weight
                : a.scale != b.scale
                        ? "only models of one scale mix their outputs: " + a.scale + "x with " + b.scale + "x"
                        : null;
        if (refused != null) {
            try (a;
                    b) {
                throw new IllegalArgumentException(refused);
            }
        }
        return new Upscaler(
                new MixedGeneratorModel(a, a.model, b, b.model, weight),
                a.scale,
                Math.max(a.context, b.context),
                Math.min(a.tileSize, b.tileSize),
                Math.min(a.tilesPerBatch, b.tilesPerBatch),
                a.smallImagePadding,
                true);
    }

    /**
     * Returns an upscaler sharing this one's generator with other tiling settings. It must not be
     * used after this one is closed; closing it leaves the generator open.
     *
     * @param tileSize tile core size in input pixels
     * @param tilesPerBatch tiles per generator call
     * @param context extra input pixels read around each tile core
     * @return the reconfigured upscaler
     */
    public Upscaler withTiling(int tileSize, int tilesPerBatch, int context) {
        return new Upscaler(model, scale, context, tileSize, tilesPerBatch, smallImagePadding, false);
    }

    /**
     * Returns an upscaler over the same generator that upscales small images as they are, without
     * the replicated edge ({@link #SMALL_OUTPUT_SIDE}): the network's own output, as a reference
     * implementation computes it. Like {@link #withTiling}, it shares the generator.
     */
    public Upscaler withoutSmallImagePadding() {
        return new Upscaler(model, scale, context, tileSize, tilesPerBatch, 0, false);
    }

    /** Returns the upscale factor. */
    public int scale() {
        return scale;
    }

    /** Returns the precision the generator computes in: FLOAT32 or BFLOAT16. */
    public Precision precision() {
        return model.precision();
    }

    /** Returns the context in input pixels read around each tile. */
    public int context() {
        return context;
    }

    /** Returns the tile core size in input pixels. */
    public int tileSize() {
        return tileSize;
    }

    /** Returns the number of tiles per generator call. */
    public int tilesPerBatch() {
        return tilesPerBatch;
    }

    /** Upscales an image; see {@link #upscale(BufferedImage, UpscaleListener)}. */
    public BufferedImage upscale(BufferedImage image) {
        return upscale(image, UpscaleListener.NONE);
    }

    /**
     * Upscales an image by {@link #scale()}.
     *
     * @param image any decoded image; alpha, if present, is kept (bicubic)
     * @param progress receives (tiles done, tiles total) and may cancel between batches
     * @return the upscaled image, TYPE_INT_ARGB if the input has alpha, else TYPE_INT_RGB
     * @throws CancellationException if {@code progress} cancelled it
     */
    public BufferedImage upscale(BufferedImage image, UpscaleListener progress) {
        return upscale(RgbImage.from(image), progress).toBufferedImage();
    }

    /**
     * Upscales a float image; the result is rounded to 8 bits. A small image (under
     * {@link #SMALL_OUTPUT_SIDE} output pixels on a side) is upscaled with its edge replicated
     * around it.
     *
     * @param image RGB in [0, 1], alpha optional
     * @param progress progress and cancellation
     * @return the upscaled image
     */
    public RgbImage upscale(RgbImage image, UpscaleListener progress) {
        int w = image.width();
        int h = image.height();
        int ow = w * scale;
        int oh = h * scale;
        RgbImage rgb;
        if (smallImagePadding > 0 && Math.min(ow, oh) < SMALL_OUTPUT_SIDE) {
            int p = smallImagePadding;
            rgb = generate(image.edgePadded(p), progress).crop(p * scale, p * scale, ow, oh);
        } else {
            rgb = generate(image, progress);
        }
        float[] alpha = image.alpha() == null ? null : Bicubic.resizePlane(image.alpha(), w, h, ow, oh);
        return new RgbImage(ow, oh, rgb.data(), alpha).quantized();
    }

    /** Runs the generator over the image's tiles; alpha is ignored, the result is not rounded. */
    private RgbImage generate(RgbImage image, UpscaleListener progress) {
        int w = image.width();
        int h = image.height();
        int ow = w * scale;
        int oh = h * scale;
        List<TileGrid.Tile> tiles = new TileGrid(w, h, tileSize, context).tiles();
        float[] out = new float[3 * ow * oh];
        int done = 0;
        while (done < tiles.size()) {
            if (progress.isCancelled()) {
                throw new CancellationException("upscale cancelled after " + done + " of " + tiles.size() + " tiles");
            }
            // a batch: up to tilesPerBatch consecutive tiles whose windows have the same size
            TileGrid.Tile first = tiles.get(done);
            int end = done + 1;
            while (end < tiles.size()
                    && end - done < tilesPerBatch
                    && tiles.get(end).sameWindow(first)) {
                end++;
            }
            List<TileGrid.Tile> batch = tiles.subList(done, end);
            int ww = first.windowWidth();
            int wh = first.windowHeight();
            float[] input = new float[batch.size() * 3 * ww * wh];
            for (int b = 0; b < batch.size(); b++) {
                copyWindow(image, batch.get(b), input, b * 3 * ww * wh);
            }
            run(input, batch, ww, wh, out, ow, oh);
            done = end;
            progress.onProgress(done, tiles.size());
        }
        return new RgbImage(ow, oh, out, null);
    }

    /** Runs one batch of windows and writes the cores of their outputs into {@code out}. */
    private void run(float[] input, List<TileGrid.Tile> batch, int ww, int wh, float[] out, int ow, int oh) {
        synchronized (model) {
            try (NDManager manager = root.newSubManager()) {
                NDArray x = manager.create(input, new Shape(batch.size(), 3, wh, ww));
                SplitGenerator folded = model.folded();
                if (folded == null) {
                    float[] result = model.forward(x).toFloatArray();
                    int rw = ww * scale;
                    int rh = wh * scale;
                    for (int b = 0; b < batch.size(); b++) {
                        TileGrid.Tile t = batch.get(b);
                        paste(
                                result,
                                b * 3 * rw * rh,
                                rw,
                                rh,
                                (t.coreX() - t.windowX()) * scale,
                                (t.coreY() - t.windowY()) * scale,
                                t.coreWidth() * scale,
                                t.coreHeight() * scale,
                                out,
                                ow,
                                oh,
                                t.coreX() * scale,
                                t.coreY() * scale);
                    }
                    return;
                }
                NDArray features = folded.features(x);
                x.close();
                for (int b = 0; b < batch.size(); b++) {
                    upsampleCore(folded, features, b, batch.get(b), ww, wh, out, ow, oh);
                }
            }
        }
    }

    /**
     * Upsamples only the core of a window (in pieces of at most {@link #PIECE_SIZE} pixels a side),
     * each piece read with {@link FoldedGenerator#UPSAMPLE_RADIUS} features pixels around it where
     * the window has them: the context was only needed for the features.
     */
    private void upsampleCore(
            SplitGenerator folded,
            NDArray features,
            int b,
            TileGrid.Tile t,
            int ww,
            int wh,
            float[] out,
            int ow,
            int oh) {
        int radius = FoldedGenerator.UPSAMPLE_RADIUS;
        int coreX = t.coreX() - t.windowX();
        int coreY = t.coreY() - t.windowY();
        int pieceW = evenPieces(t.coreWidth());
        int pieceH = evenPieces(t.coreHeight());
        for (int py = coreY; py < coreY + t.coreHeight(); py += pieceH) {
            int ph = Math.min(pieceH, coreY + t.coreHeight() - py);
            int y0 = Math.max(0, py - radius);
            int y1 = Math.min(wh, py + ph + radius);
            for (int px = coreX; px < coreX + t.coreWidth(); px += pieceW) {
                int pw = Math.min(pieceW, coreX + t.coreWidth() - px);
                int x0 = Math.max(0, px - radius);
                int x1 = Math.min(ww, px + pw + radius);
                float[] result;
                try (NDArray piece = features.get(new NDIndex("{}:{}, :, {}:{}, {}:{}", b, b + 1, y0, y1, x0, x1));
                        NDArray image = folded.upsample(piece)) {
                    result = image.toFloatArray();
                }
                int rw = (x1 - x0) * scale;
                int rh = (y1 - y0) * scale;
                paste(
                        result,
                        0,
                        rw,
                        rh,
                        (px - x0) * scale,
                        (py - y0) * scale,
                        pw * scale,
                        ph * scale,
                        out,
                        ow,
                        oh,
                        (t.windowX() + px) * scale,
                        (t.windowY() + py) * scale);
            }
        }
    }

    private static void copyWindow(RgbImage image, TileGrid.Tile t, float[] dst, int offset) {
        int ww = t.windowWidth();
        int wh = t.windowHeight();
        int w = image.width();
        int h = image.height();
        float[] src = image.data();
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < wh; y++) {
                System.arraycopy(src, (c * h + t.windowY() + y) * w + t.windowX(), dst, offset + (c * wh + y) * ww, ww);
            }
        }
    }

    /**
     * Copies a {@code w x h} region at (sx, sy) of one (3, rh, rw) tanh result into the [0, 1]
     * output at (dx, dy).
     */
    private static void paste(
            float[] result,
            int offset,
            int rw,
            int rh,
            int sx,
            int sy,
            int w,
            int h,
            float[] out,
            int ow,
            int oh,
            int dx,
            int dy) {
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                int src = offset + (c * rh + sy + y) * rw + sx;
                int dst = (c * oh + dy + y) * ow + dx;
                for (int x = 0; x < w; x++) {
                    // tanh range [-1, 1] to [0, 1]
                    out[dst + x] = (result[src + x] + 1f) * 0.5f;
                }
            }
        }
    }

    /** Splits {@code length} into equal pieces of at most {@link #PIECE_SIZE} and returns their size. */
    private static int evenPieces(int length) {
        int pieces = (length + PIECE_SIZE - 1) / PIECE_SIZE;
        return (length + pieces - 1) / pieces;
    }

    @Override
    public void close() {
        root.close();
        if (ownsModel) {
            model.close();
        }
    }
}
