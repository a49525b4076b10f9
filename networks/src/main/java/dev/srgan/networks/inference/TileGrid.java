package dev.srgan.networks.inference;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts an image into tiles whose cores cover it once and whose windows add {@code context}
 * pixels around the core. All windows have the same size (a window at an edge slides inwards), so
 * tiles can be batched; a window stops only at the image border, where the network sees the same
 * zero padding as on the whole image. With a context at least the generator's receptive radius,
 * each core's output is exactly the whole-image output: no seams, no blending needed.
 */
final class TileGrid {

    /** One tile: the window read from the input, and the core written to the output. */
    record Tile(int windowX, int windowY, int coreX, int coreY, int coreWidth, int coreHeight) {}

    private final int windowWidth;
    private final int windowHeight;
    private final List<Tile> tiles;

    TileGrid(int width, int height, int tileSize, int context) {
        if (tileSize < 1 || context < 0) {
            throw new IllegalArgumentException("tileSize must be >= 1 and context >= 0");
        }
        windowWidth = Math.min(width, tileSize + 2 * context);
        windowHeight = Math.min(height, tileSize + 2 * context);
        // where one window spans the image, one tile does: more would recompute the same window
        int stepX = windowWidth == width ? width : tileSize;
        int stepY = windowHeight == height ? height : tileSize;
        tiles = new ArrayList<>();
        for (int y = 0; y < height; y += stepY) {
            int coreHeight = Math.min(stepY, height - y);
            int wy = clamp(y - context, height - windowHeight);
            for (int x = 0; x < width; x += stepX) {
                int coreWidth = Math.min(stepX, width - x);
                int wx = clamp(x - context, width - windowWidth);
                tiles.add(new Tile(wx, wy, x, y, coreWidth, coreHeight));
            }
        }
    }

    private static int clamp(int v, int max) {
        return Math.max(0, Math.min(v, max));
    }

    int windowWidth() {
        return windowWidth;
    }

    int windowHeight() {
        return windowHeight;
    }

    List<Tile> tiles() {
        return tiles;
    }
}
