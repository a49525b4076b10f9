package dev.srgan.networks.metrics;

import java.awt.image.BufferedImage;

/**
 * Image-quality metrics as reported in super-resolution papers: PSNR and SSIM on the luma (Y)
 * channel of ITU-R BT.601 as MATLAB's {@code rgb2ycbcr} computes it, {@code Y = 16 + (65.481 R
 * + 128.553 G + 24.966 B)} for R, G, B in [0, 1] (Y in [16, 235], kept unrounded), after cropping
 * {@code border} pixels (usually the scale) from every edge.
 */
public final class Metrics {

    private static final double PEAK = 255.0;

    private Metrics() {}

    /**
     * Returns the peak signal-to-noise ratio on Y, in dB; infinite for identical images.
     *
     * @param a one image
     * @param b another image of the same size
     * @param border pixels cropped from each edge before measuring
     * @return 10 log10(255^2 / MSE)
     */
    public static double psnrY(BufferedImage a, BufferedImage b, int border) {
        Plane ya = luma(a, border);
        Plane yb = luma(b, border);
        requireSameSize(ya, yb);
        double sum = 0;
        for (int i = 0; i < ya.values.length; i++) {
            double d = ya.values[i] - yb.values[i];
            sum += d * d;
        }
        double mse = sum / ya.values.length;
        return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(PEAK * PEAK / mse);
    }

    /**
     * Returns the structural similarity (Wang et al. 2004) on Y: an 11x11 Gaussian window with
     * sigma 1.5, K1 = 0.01, K2 = 0.03, L = 255, the SSIM map over "valid" window positions only,
     * averaged. 1.0 for identical images.
     *
     * @param a one image
     * @param b another image of the same size
     * @param border pixels cropped from each edge before measuring
     * @return the mean SSIM
     */
    public static double ssimY(BufferedImage a, BufferedImage b, int border) {
        Plane ya = luma(a, border);
        Plane yb = luma(b, border);
        requireSameSize(ya, yb);
        return ssim(ya.values, yb.values, ya.width, ya.height);
    }

    /**
     * SSIM of two planes in [0, 255].
     *
     * @param x one plane, row-major
     * @param y the other
     * @param w width
     * @param h height (both at least 11)
     * @return the mean SSIM
     */
    static double ssim(double[] x, double[] y, int w, int h) {
        final int size = 11;
        if (w < size || h < size) {
            throw new IllegalArgumentException("SSIM needs at least 11x11 pixels, got " + w + "x" + h);
        }
        double[] window = gaussian(size, 1.5);
        double c1 = Math.pow(0.01 * PEAK, 2);
        double c2 = Math.pow(0.03 * PEAK, 2);
        int n = w * h;
        double[] xx = new double[n];
        double[] yy = new double[n];
        double[] xy = new double[n];
        for (int i = 0; i < n; i++) {
            xx[i] = x[i] * x[i];
            yy[i] = y[i] * y[i];
            xy[i] = x[i] * y[i];
        }
        double[] mx = filterValid(x, w, h, window);
        double[] my = filterValid(y, w, h, window);
        double[] sxx = filterValid(xx, w, h, window);
        double[] syy = filterValid(yy, w, h, window);
        double[] sxy = filterValid(xy, w, h, window);
        double total = 0;
        for (int i = 0; i < mx.length; i++) {
            double mux = mx[i];
            double muy = my[i];
            double varX = sxx[i] - mux * mux;
            double varY = syy[i] - muy * muy;
            double cov = sxy[i] - mux * muy;
            total += ((2 * mux * muy + c1) * (2 * cov + c2)) / ((mux * mux + muy * muy + c1) * (varX + varY + c2));
        }
        return total / mx.length;
    }

    private static double[] gaussian(int size, double sigma) {
        double[] g = new double[size];
        double sum = 0;
        int half = size / 2;
        for (int i = 0; i < size; i++) {
            g[i] = Math.exp(-((i - half) * (i - half)) / (2 * sigma * sigma));
            sum += g[i];
        }
        for (int i = 0; i < size; i++) {
            g[i] /= sum;
        }
        return g;
    }

    /** Separable filtering keeping only positions where the window fits. */
    private static double[] filterValid(double[] src, int w, int h, double[] k) {
        int size = k.length;
        int ow = w - size + 1;
        int oh = h - size + 1;
        double[] tmp = new double[ow * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < ow; x++) {
                double v = 0;
                for (int i = 0; i < size; i++) {
                    v += k[i] * src[y * w + x + i];
                }
                tmp[y * ow + x] = v;
            }
        }
        double[] out = new double[ow * oh];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                double v = 0;
                for (int i = 0; i < size; i++) {
                    v += k[i] * tmp[(y + i) * ow + x];
                }
                out[y * ow + x] = v;
            }
        }
        return out;
    }

    private record Plane(int width, int height, double[] values) {}

    private static Plane luma(BufferedImage image, int border) {
        int w = image.getWidth() - 2 * border;
        int h = image.getHeight() - 2 * border;
        if (border < 0 || w < 1 || h < 1) {
            throw new IllegalArgumentException(
                    "border " + border + " leaves nothing of " + image.getWidth() + "x" + image.getHeight());
        }
        int[] rgb = image.getRGB(border, border, w, h, null, 0, w);
        double[] y = new double[w * h];
        for (int i = 0; i < y.length; i++) {
            int p = rgb[i];
            y[i] = luma((p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff);
        }
        return new Plane(w, h, y);
    }

    /**
     * Returns BT.601 luma of an 8-bit RGB pixel, in [16, 235].
     *
     * @param r red, 0..255
     * @param g green, 0..255
     * @param b blue, 0..255
     * @return {@code 16 + (65.481 r + 128.553 g + 24.966 b) / 255}
     */
    public static double luma(int r, int g, int b) {
        return 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255.0;
    }

    private static void requireSameSize(Plane a, Plane b) {
        if (a.width != b.width || a.height != b.height) {
            throw new IllegalArgumentException(
                    "images differ in size: " + a.width + "x" + a.height + " vs " + b.width + "x" + b.height);
        }
    }
}
