package dev.srgan.networks.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.srgan.networks.SyntheticImages;
import dev.srgan.networks.inference.Upscaler;
import dev.srgan.networks.model.Generator;
import dev.srgan.networks.model.Networks;
import java.awt.image.BufferedImage;

/**
 * Manual measurement, not part of the test suite: upscales a synthetic image with the full
 * 16-block generator (random weights). Arguments: input side (default 1024), scale (4), tile
 * size, tiles per batch.
 */
public final class UpscaleBenchmark {

    private UpscaleBenchmark() {}

    public static void main(String[] args) {
        int side = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        int scale = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int tile = args.length > 2 ? Integer.parseInt(args[2]) : Upscaler.DEFAULT_TILE_SIZE;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : Upscaler.DEFAULT_TILES_PER_BATCH;
        NDManager manager = NDManager.newBaseManager();
        Block g = Generator.builder().scale(scale).residualBlocks(16).build();
        Networks.initialize(g, manager, new Shape(1, 3, 16, 16), 1);
        BufferedImage input = SyntheticImages.image(side, side, 1);
        try (Upscaler upscaler = Upscaler.of(g, scale, 16, manager)) {
            Upscaler tiled = upscaler.withTiling(tile, batch, upscaler.context());
            long start = System.nanoTime();
            BufferedImage out = tiled.upscale(
                    input,
                    (done, total) -> System.out.printf(
                            "  %d/%d tiles %.1f s%n", done, total, (System.nanoTime() - start) / 1e9));
            double seconds = (System.nanoTime() - start) / 1e9;
            Runtime rt = Runtime.getRuntime();
            System.out.printf(
                    "%dx%d -> %dx%d, tile %d batch %d context %d: %.1f s (heap used %d MB)%n",
                    side,
                    side,
                    out.getWidth(),
                    out.getHeight(),
                    tile,
                    batch,
                    upscaler.context(),
                    seconds,
                    (rt.totalMemory() - rt.freeMemory()) >> 20);
        }
    }
}
