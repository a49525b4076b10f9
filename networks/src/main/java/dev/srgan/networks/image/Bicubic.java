package dev.srgan.networks.image;

import dev.srgan.domain.images.SrgbPixels;
import java.awt.image.BufferedImage;

/**
 * Bicubic resizing as MATLAB's {@code imresize(..., 'bicubic')}: Keys' cubic kernel with a =
 * -0.5, pixel centres aligned ({@code x_in = (x_out + 0.5) / scale - 0.5}), the kernel widened
 * by 1/scale when shrinking (anti-aliasing, as MATLAB and PIL do), weights normalized per output
 * pixel, and mirrored edges. It makes the training LR images from HR ones (the SRGAN
 * degradation) and the bicubic baseline, and resizes an upscale's result to the size its output
 * options ask for. Pure Java, deterministic.
 */
public final class Bicubic {

    private Bicubic() {}

    /** Keys' cubic convolution kernel with a = -0.5 (also NIQE's antialiased 2x shrink). */
    public static double cubic(double x) {
        double ax = Math.abs(x);
        double ax2 = ax * ax;
        double ax3 = ax2 * ax;
        if (ax <= 1) {
            return 1.5 * ax3 - 2.5 * ax2 + 1;
        }
        if (ax <= 2) {
            return -0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2;
        }
        return 0;
    }

    /** Per output pixel: the input indices it reads and their weights. */
    private record Contributions(int[][] indices, float[][] weights) {}

    private static Contributions contributions(int inLength, int outLength, double scale) {
        double kernelScale = scale < 1 ? scale : 1;
        double support = 2 / kernelScale;
        int[][] indices = new int[outLength][];
        float[][] weights = new float[outLength][];
        for (int i = 0; i < outLength; i++) {
            double center = (i + 0.5) / scale - 0.5;
            int left = (int) Math.floor(center - support);
            int right = (int) Math.ceil(center + support);
            int n = right - left + 1;
            double[] w = new double[n];
            double sum = 0;
            for (int k = 0; k < n; k++) {
                w[k] = kernelScale * cubic((center - (left + k)) * kernelScale);
                sum += w[k];
            }
            indices[i] = new int[n];
            weights[i] = new float[n];
            for (int k = 0; k < n; k++) {
                indices[i][k] = mirror(left + k, inLength);
                weights[i][k] = (float) (w[k] / sum);
            }
        }
        return new Contributions(indices, weights);
    }

    /** Symmetric edge handling: -1 reads 0, -2 reads 1, n reads n-1. */
    private static int mirror(int i, int n) {
        int period = 2 * n;
        int m = Math.floorMod(i, period);
        return m < n ? m : period - 1 - m;
    }

    /**
     * Resizes one plane.
     *
     * @param src values, row-major, {@code w * h}
     * @param w source width
     * @param h source height
     * @param outW target width
     * @param outH target height
     * @return the resized plane, {@code outW * outH}
     */
    public static float[] resizePlane(float[] src, int w, int h, int outW, int outH) {
        // MATLAB resizes along the height first when both scales are equal
        Contributions rows = contributions(h, outH, (double) outH / h);
        float[] tmp = new float[w * outH];
        for (int y = 0; y < outH; y++) {
            int[] idx = rows.indices()[y];
            float[] wt = rows.weights()[y];
            for (int k = 0; k < idx.length; k++) {
                float weight = wt[k];
                int srcRow = idx[k] * w;
                int dstRow = y * w;
                for (int x = 0; x < w; x++) {
                    tmp[dstRow + x] += weight * src[srcRow + x];
                }
            }
        }
        Contributions cols = contributions(w, outW, (double) outW / w);
        float[] out = new float[outW * outH];
        for (int y = 0; y < outH; y++) {
            int srcRow = y * w;
            int dstRow = y * outW;
            for (int x = 0; x < outW; x++) {
                int[] idx = cols.indices()[x];
                float[] wt = cols.weights()[x];
                float v = 0;
                for (int k = 0; k < idx.length; k++) {
                    v += wt[k] * tmp[srcRow + idx[k]];
                }
                out[dstRow + x] = v;
            }
        }
        return out;
    }

    /**
     * Resizes an image (RGB and alpha). Values are not clamped nor rounded: see {@link
     * RgbImage#quantized()}.
     *
     * @param image the image
     * @param outW target width
     * @param outH target height
     * @return the resized image
     */
    public static RgbImage resize(RgbImage image, int outW, int outH) {
        int w = image.width();
        int h = image.height();
        int plane = w * h;
        float[] out = new float[3 * outW * outH];
        float[] channel = new float[plane];
        for (int c = 0; c < 3; c++) {
            System.arraycopy(image.data(), c * plane, channel, 0, plane);
            float[] r = resizePlane(channel, w, h, outW, outH);
            System.arraycopy(r, 0, out, c * outW * outH, r.length);
        }
        float[] alpha = image.alpha() == null ? null : resizePlane(image.alpha(), w, h, outW, outH);
        return new RgbImage(outW, outH, out, alpha);
    }

    /**
     * Resizes a decoded 8-bit image to any size, one colour plane at a time (so a large upscale's
     * result needs about 12 bytes per pixel beside itself, not the 12 of a whole {@link RgbImage}
     * on top): the antialiased bicubic of {@link #resizePlane} on the sRGB values, as PIL's and
     * OpenCV's resizes do. Colours are weighted by their alpha (premultiplied) where the image has
     * alpha, so the colour under a transparent pixel, which the model made up, does not bleed into
     * its opaque neighbours. Values are clamped and rounded to 8 bits.
     *
     * @param image any decoded image (read as sRGB, {@link SrgbPixels#argb})
     * @param outW target width
     * @param outH target height
     * @return TYPE_INT_ARGB when the image has alpha, else TYPE_INT_RGB
     */
    public static BufferedImage resize(BufferedImage image, int outW, int outH) {
        if (outW < 1 || outH < 1) {
            throw new IllegalArgumentException("cannot resize to " + outW + "x" + outH);
        }
        int w = image.getWidth();
        int h = image.getHeight();
        boolean hasAlpha = image.getColorModel().hasAlpha();
        int[] argb = SrgbPixels.argb(image);
        int[] out = new int[outW * outH];
        float[] plane = new float[w * h];
        float[] alpha = null;
        if (hasAlpha) {
            for (int i = 0; i < plane.length; i++) {
                plane[i] = (argb[i] >>> 24) / 255f;
            }
            alpha = resizePlane(plane, w, h, outW, outH);
            for (int i = 0; i < alpha.length; i++) {
                alpha[i] = Math.max(0, Math.min(1, alpha[i]));
                out[i] = to8(alpha[i]) << 24;
            }
        }
        for (int shift = 16; shift >= 0; shift -= 8) {
            for (int i = 0; i < plane.length; i++) {
                float v = ((argb[i] >> shift) & 0xff) / 255f;
                plane[i] = hasAlpha ? v * ((argb[i] >>> 24) / 255f) : v;
            }
            float[] resized = resizePlane(plane, w, h, outW, outH);
            for (int i = 0; i < resized.length; i++) {
                float v = resized[i];
                if (hasAlpha) {
                    v = alpha[i] > 0 ? v / alpha[i] : 0;
                }
                out[i] |= to8(v) << shift;
            }
        }
        BufferedImage result =
                new BufferedImage(outW, outH, hasAlpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        result.setRGB(0, 0, outW, outH, out, 0, outW);
        return result;
    }

    private static int to8(float v) {
        return Math.round(Math.max(0, Math.min(1, v)) * 255);
    }

    /**
     * Shrinks by an integer factor, then rounds to 8 bits: the degradation that makes an LR image
     * from an HR one. Width and height must be multiples of the factor.
     *
     * @param hr the high-resolution image
     * @param factor the scale
     * @return the 8-bit low-resolution image
     */
    public static RgbImage downscale(RgbImage hr, int factor) {
        if (hr.width() % factor != 0 || hr.height() % factor != 0) {
            throw new IllegalArgumentException(hr.width() + "x" + hr.height() + " is not a multiple of " + factor);
        }
        return resize(hr, hr.width() / factor, hr.height() / factor).quantized();
    }

    /**
     * Enlarges by an integer factor, rounded to 8 bits: the bicubic baseline.
     *
     * @param lr the low-resolution image
     * @param factor the scale
     * @return the 8-bit upscaled image
     */
    public static RgbImage upscale(RgbImage lr, int factor) {
        return resize(lr, lr.width() * factor, lr.height() * factor).quantized();
    }
}
