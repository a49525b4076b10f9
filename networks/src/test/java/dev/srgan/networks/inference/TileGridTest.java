package dev.srgan.networks.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TileGridTest {

    @Test
    void coresCoverEveryPixelOnceAndWindowsAddContextOnlyTowardsNeighbours() {
        for (int[] c : new int[][] {{1024, 1024, 512, 42}, {600, 300, 512, 42}, {150, 90, 64, 9}, {7, 5, 3, 2}}) {
            int width = c[0];
            int height = c[1];
            int context = c[3];
            List<TileGrid.Tile> tiles = new TileGrid(width, height, c[2], context).tiles();
            int[] covered = new int[width * height];
            for (TileGrid.Tile t : tiles) {
                assertTrue(t.coreWidth() <= c[2] && t.coreHeight() <= c[2], "a core is at most a tile");
                assertEquals(Math.max(0, t.coreX() - context), t.windowX());
                assertEquals(Math.max(0, t.coreY() - context), t.windowY());
                assertEquals(Math.min(width, t.coreX() + t.coreWidth() + context) - t.windowX(), t.windowWidth());
                assertEquals(Math.min(height, t.coreY() + t.coreHeight() + context) - t.windowY(), t.windowHeight());
                for (int y = t.coreY(); y < t.coreY() + t.coreHeight(); y++) {
                    for (int x = t.coreX(); x < t.coreX() + t.coreWidth(); x++) {
                        covered[y * width + x]++;
                    }
                }
            }
            for (int n : covered) {
                assertEquals(1, n, "every pixel lies in exactly one core");
            }
        }
    }

    @Test
    void coresAlongAnAxisAreAsEqualAsPossible() {
        // 600 px in tiles of at most 512: two cores of 300, not 512 + 88
        List<TileGrid.Tile> tiles = new TileGrid(600, 100, 512, 42).tiles();
        assertEquals(2, tiles.size());
        assertEquals(300, tiles.get(0).coreWidth());
        assertEquals(300, tiles.get(1).coreWidth());
        assertEquals(342, tiles.get(0).windowWidth());
        assertEquals(342, tiles.get(1).windowWidth());
        // 1024 px in 512 px tiles with 42 px of context compute 2 x 554 px per axis, 1.17x the area
        List<TileGrid.Tile> big = new TileGrid(1024, 1024, 512, 42).tiles();
        long area = big.stream()
                .mapToLong(t -> (long) t.windowWidth() * t.windowHeight())
                .sum();
        assertEquals(4L * 554 * 554, area);
    }

    @Test
    void anImageWithinOneTileIsOneWindowWithoutContext() {
        List<TileGrid.Tile> tiles = new TileGrid(300, 200, 512, 42).tiles();
        assertEquals(List.of(new TileGrid.Tile(0, 0, 300, 200, 0, 0, 300, 200)), tiles);
    }

    @Test
    void rejectsEmptySizes() {
        assertThrows(IllegalArgumentException.class, () -> new TileGrid(0, 10, 8, 1));
        assertThrows(IllegalArgumentException.class, () -> new TileGrid(10, 10, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new TileGrid(10, 10, 8, -1));
    }
}
