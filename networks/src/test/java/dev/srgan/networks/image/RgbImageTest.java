package dev.srgan.networks.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class RgbImageTest {

    @Test
    void edgePaddingRepeatsTheNearestEdgePixelAndDropsAlpha() {
        // 3x2, channel c holds 10c + (the pixel's index)
        float[] data = new float[18];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 6; i++) {
                data[c * 6 + i] = 10 * c + i;
            }
        }
        RgbImage padded = new RgbImage(3, 2, data, new float[6]).edgePadded(2);
        assertEquals(7, padded.width());
        assertEquals(6, padded.height());
        assertNull(padded.alpha());
        for (int c = 0; c < 3; c++) {
            float[] expected = {
                0, 0, 0, 1, 2, 2, 2,
                0, 0, 0, 1, 2, 2, 2,
                0, 0, 0, 1, 2, 2, 2,
                3, 3, 3, 4, 5, 5, 5,
                3, 3, 3, 4, 5, 5, 5,
                3, 3, 3, 4, 5, 5, 5,
            };
            float[] plane = new float[42];
            for (int i = 0; i < 42; i++) {
                plane[i] = padded.data()[c * 42 + i] - 10 * c;
            }
            assertArrayEquals(expected, plane, "channel " + c);
        }
        assertArrayEquals(data, padded.crop(2, 2, 3, 2).data(), "the crop of the padding is the image");
    }
}
