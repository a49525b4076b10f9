package dev.srgan.networks.image;

import dev.srgan.domain.images.SrgbPixels;
import java.awt.image.BufferedImage;
import java.util.Arrays;

/**
 * An RGB image of floats in [0, 1], stored planar (all R, then all G, then all B) so that its
 * data is a (3, H, W) tensor as is. An optional alpha plane travels beside it.
 *
 * @param width the width in pixels
 * @param height the height in pixels
 * @param data 3 * width * height values, channel-major
 * @param alpha width * height values in [0, 1], or null for an opaque image
 */
public record RgbImage(int width, int height, float[] data, float[] alpha) {

    /** Validates the sizes. */
    public RgbImage {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("empty image " + width + "x" + height);
        }
        if (data.length != 3 * width * height) {
            throw new IllegalArgumentException("data must hold 3*" + width + "*" + height + " values");
        }
        if (alpha != null && alpha.length != width * height) {
            throw new IllegalArgumentException("alpha must hold " + width + "*" + height + " values");
        }
    }

    /** Returns the value of channel {@code c} at (x, y). */
    public float get(int c, int x, int y) {
        return data[(c * height + y) * width + x];
    }

    /** Returns whether the image carries an alpha plane. */
    public boolean hasAlpha() {
        return alpha != null;
    }

    /**
     * Converts a decoded image (any type) to floats, with the sRGB values of {@link SrgbPixels#argb}
     * (grey and CMYK files read as a browser shows them); keeps alpha if it has one.
     *
     * @param image the image
     * @return its RGB values in [0, 1], and alpha if the image has an alpha channel
     */
    public static RgbImage from(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] argb = SrgbPixels.argb(image);
        boolean hasAlpha = image.getColorModel().hasAlpha();
        float[] data = new float[3 * w * h];
        float[] alpha = hasAlpha ? new float[w * h] : null;
        int plane = w * h;
        for (int i = 0; i < plane; i++) {
            int p = argb[i];
            data[i] = ((p >> 16) & 0xff) / 255f;
            data[plane + i] = ((p >> 8) & 0xff) / 255f;
            data[2 * plane + i] = (p & 0xff) / 255f;
            if (hasAlpha) {
                alpha[i] = ((p >>> 24) & 0xff) / 255f;
            }
        }
        return new RgbImage(w, h, data, alpha);
    }

    /**
     * Rounds to 8 bits per channel: TYPE_INT_ARGB when alpha is present, else TYPE_INT_RGB.
     *
     * @return the image
     */
    public BufferedImage toBufferedImage() {
        int plane = width * height;
        int[] argb = new int[plane];
        for (int i = 0; i < plane; i++) {
            int a = alpha == null ? 255 : to8(alpha[i]);
            argb[i] = (a << 24) | (to8(data[i]) << 16) | (to8(data[plane + i]) << 8) | to8(data[2 * plane + i]);
        }
        BufferedImage image = new BufferedImage(
                width, height, alpha == null ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_INT_ARGB);
        image.setRGB(0, 0, width, height, argb, 0, width);
        return image;
    }

    /** Returns a copy with every value rounded to the nearest multiple of 1/255 in [0, 1]. */
    public RgbImage quantized() {
        return new RgbImage(width, height, quantize(data), alpha == null ? null : quantize(alpha));
    }

    /** Returns this image without its alpha plane. */
    public RgbImage withoutAlpha() {
        return new RgbImage(width, height, data, null);
    }

    /**
     * Returns the RGB planes with {@code p} pixels added on every side, each a copy of the nearest
     * edge pixel (alpha is dropped).
     *
     * @param p pixels to add on each side, at least 0
     * @return an image {@code 2p} wider and higher
     */
    public RgbImage edgePadded(int p) {
        int w = width + 2 * p;
        int h = height + 2 * p;
        float[] out = new float[3 * w * h];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                int src = (c * height + Math.max(0, Math.min(height - 1, y - p))) * width;
                int dst = (c * h + y) * w;
                Arrays.fill(out, dst, dst + p, data[src]);
                System.arraycopy(data, src, out, dst + p, width);
                Arrays.fill(out, dst + p + width, dst + w, data[src + width - 1]);
            }
        }
        return new RgbImage(w, h, out, null);
    }

    /**
     * Crops a rectangle.
     *
     * @param x0 left
     * @param y0 top
     * @param w width
     * @param h height
     * @return the crop (alpha cropped too)
     */
    public RgbImage crop(int x0, int y0, int w, int h) {
        if (x0 < 0 || y0 < 0 || x0 + w > width || y0 + h > height) {
            throw new IllegalArgumentException("crop outside the image");
        }
        float[] out = new float[3 * w * h];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(data, (c * height + y0 + y) * width + x0, out, (c * h + y) * w, w);
            }
        }
        float[] a = null;
        if (alpha != null) {
            a = new float[w * h];
            for (int y = 0; y < h; y++) {
                System.arraycopy(alpha, (y0 + y) * width + x0, a, y * w, w);
            }
        }
        return new RgbImage(w, h, out, a);
    }

    private static float[] quantize(float[] values) {
        float[] out = Arrays.copyOf(values, values.length);
        for (int i = 0; i < out.length; i++) {
            out[i] = to8(out[i]) / 255f;
        }
        return out;
    }

    static int to8(float v) {
        int q = Math.round(v * 255f);
        return q < 0 ? 0 : Math.min(q, 255);
    }
}
