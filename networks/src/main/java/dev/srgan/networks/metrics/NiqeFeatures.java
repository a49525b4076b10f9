package dev.srgan.networks.metrics;

import dev.srgan.networks.image.Bicubic;

/**
 * The patch features of NIQE as the authors' MATLAB release computes them ({@code
 * computequality.m}, {@code computefeature.m}, {@code estimateaggdparam.m}): MSCN coefficients
 * with a 7x7 Gaussian window (sigma 7/6, normalized, replicated edges) and C = 1; per patch and
 * scale, 18 numbers from asymmetric generalized Gaussian (AGGD) fits; the second scale from the
 * image halved by MATLAB's {@code imresize(im, 0.5)} (bicubic, anti-aliased), in double
 * precision. Package-private: {@link Niqe} is the API.
 */
final class NiqeFeatures {

    /** Features per patch and scale: AGGD of the MSCN, then 4 per pairwise-product direction. */
    static final int PER_SCALE = 18;

    /** Both scales. */
    static final int COUNT = 2 * PER_SCALE;

    /** Lanczos coefficients (g = 7) for {@link #gamma}; declared before the tables that use it. */
    private static final double[] LANCZOS = {
        0.99999999999980993,
        676.5203681218851,
        -1259.1392167224028,
        771.32342877765313,
        -176.61502916214059,
        12.507343278686905,
        -0.13857109526572012,
        9.9843695780195716e-6,
        1.5056327351493116e-7
    };

    /** The shape grid of the reference: {@code gam = 0.2:0.001:10}, 9801 values. */
    private static final int GRID = 9801;

    private static final double[] SHAPE = new double[GRID];

    /** {@code gamma(2/a)^2 / (gamma(1/a) gamma(3/a))}, the moment ratio the fit inverts. */
    private static final double[] RATIO = new double[GRID];

    /** {@code sqrt(gamma(1/a) / gamma(3/a))}: standard deviation to AGGD scale. */
    private static final double[] STD_TO_SCALE = new double[GRID];

    /** {@code gamma(2/a) / gamma(1/a)}: the AGGD mean per unit of (beta_r - beta_l). */
    private static final double[] MEAN_FACTOR = new double[GRID];

    static {
        for (int k = 0; k < GRID; k++) {
            double a = (200 + k) / 1000.0;
            double g1 = gamma(1 / a);
            double g2 = gamma(2 / a);
            double g3 = gamma(3 / a);
            SHAPE[k] = a;
            RATIO[k] = g2 * g2 / (g1 * g3);
            STD_TO_SCALE[k] = Math.sqrt(g1 / g3);
            MEAN_FACTOR[k] = g2 / g1;
        }
    }

    /** The normalized 7-tap 1-D Gaussian (sigma 7/6); its outer product is {@code fspecial}'s window. */
    private static final double[] WINDOW = window();

    /** The directions of the pairwise products, as (row, column) shifts of {@code circshift}. */
    private static final int[][] SHIFTS = {{0, 1}, {1, 0}, {1, 1}, {1, -1}};

    private NiqeFeatures() {}

    /**
     * The features of every patch of an image.
     *
     * @param rows one row of {@link #COUNT} features per patch, patches in MATLAB's column-major
     *     block order; non-finite values replaced by NaN
     * @param sharpness per patch, the mean of the local deviation sigma at the first scale
     */
    record Patches(double[][] rows, double[] sharpness) {}

    /**
     * Computes the features of the patches of a luminance plane, cropped to whole patches
     * (top-left kept).
     *
     * @param plane luminance in [0, 255], row-major
     * @param w width
     * @param h height
     * @param patch the patch size at the first scale (even)
     * @return the patches' features and sharpness
     */
    static Patches patches(double[] plane, int w, int h, int patch) {
        int cols = w / patch;
        int rowsOfPatches = h / patch;
        if (cols < 1 || rowsOfPatches < 1) {
            throw new IllegalArgumentException(
                    "NIQE needs at least one " + patch + "x" + patch + " patch, got " + w + "x" + h);
        }
        int cw = cols * patch;
        int ch = rowsOfPatches * patch;
        double[] im = new double[cw * ch];
        for (int y = 0; y < ch; y++) {
            System.arraycopy(plane, y * w, im, y * cw, cw);
        }
        int n = cols * rowsOfPatches;
        double[][] rows = new double[n][COUNT];
        double[] sharpness = new double[n];
        for (int scale = 1; scale <= 2; scale++) {
            int bs = patch / scale;
            double[] sigma = new double[cw * ch];
            double[] mscn = mscn(im, cw, ch, sigma);
            double[] block = new double[bs * bs];
            for (int bx = 0; bx < cols; bx++) {
                for (int by = 0; by < rowsOfPatches; by++) {
                    int index = bx * rowsOfPatches + by;
                    double sigmaSum = 0;
                    for (int y = 0; y < bs; y++) {
                        int src = (by * bs + y) * cw + bx * bs;
                        System.arraycopy(mscn, src, block, y * bs, bs);
                        for (int x = 0; x < bs; x++) {
                            sigmaSum += sigma[src + x];
                        }
                    }
                    blockFeatures(block, bs, rows[index], (scale - 1) * PER_SCALE);
                    if (scale == 1) {
                        sharpness[index] = sigmaSum / (bs * bs);
                    }
                }
            }
            if (scale == 1) {
                im = halve(im, cw, ch);
                cw /= 2;
                ch /= 2;
            }
        }
        for (double[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                if (!Double.isFinite(row[i])) {
                    row[i] = Double.NaN;
                }
            }
        }
        return new Patches(rows, sharpness);
    }

    /**
     * MSCN coefficients {@code (im - mu) / (sigma + 1)} with mu and sigma from the Gaussian
     * window, edges replicated ({@code imfilter(..., 'replicate')}); {@code sigma =
     * sqrt(|E[im^2] - mu^2|)}.
     *
     * @param im the plane
     * @param w width
     * @param h height
     * @param sigmaOut receives sigma, {@code w * h}
     * @return the MSCN coefficients
     */
    static double[] mscn(double[] im, int w, int h, double[] sigmaOut) {
        double[] sq = new double[im.length];
        for (int i = 0; i < im.length; i++) {
            sq[i] = im[i] * im[i];
        }
        double[] mu = filterReplicate(im, w, h);
        double[] mu2 = filterReplicate(sq, w, h);
        double[] out = new double[im.length];
        for (int i = 0; i < im.length; i++) {
            double sigma = Math.sqrt(Math.abs(mu2[i] - mu[i] * mu[i]));
            sigmaOut[i] = sigma;
            out[i] = (im[i] - mu[i]) / (sigma + 1);
        }
        return out;
    }

    /** The 18 features of one square block of MSCN coefficients, written at {@code out[at..]}. */
    static void blockFeatures(double[] block, int n, double[] out, int at) {
        Aggd whole = aggd(block);
        out[at] = whole.shape();
        out[at + 1] = (whole.left() + whole.right()) / 2;
        double[] pair = new double[n * n];
        for (int s = 0; s < SHIFTS.length; s++) {
            int dr = SHIFTS[s][0];
            int dc = SHIFTS[s][1];
            for (int y = 0; y < n; y++) {
                int sy = Math.floorMod(y - dr, n) * n;
                for (int x = 0; x < n; x++) {
                    pair[y * n + x] = block[y * n + x] * block[sy + Math.floorMod(x - dc, n)];
                }
            }
            Aggd fit = aggd(pair);
            int o = at + 2 + 4 * s;
            out[o] = fit.shape();
            out[o + 1] = (fit.right() - fit.left()) * MEAN_FACTOR[fit.index()];
            out[o + 2] = fit.left();
            out[o + 3] = fit.right();
        }
    }

    /**
     * An AGGD fit.
     *
     * @param index the position of the shape on the grid
     * @param shape alpha
     * @param left beta_l, the left scale
     * @param right beta_r, the right scale
     */
    record Aggd(int index, double shape, double left, double right) {}

    /**
     * Fits an AGGD by moment matching on the shape grid ({@code estimateaggdparam.m}). A side
     * without values gives a NaN scale, and the shape of a NaN ratio is the grid's first, as
     * MATLAB's {@code min} returns for an all-NaN vector.
     *
     * @param v the samples
     * @return the fit
     */
    static Aggd aggd(double[] v) {
        double leftSq = 0;
        double rightSq = 0;
        int leftN = 0;
        int rightN = 0;
        double abs = 0;
        double sq = 0;
        for (double x : v) {
            double x2 = x * x;
            if (x < 0) {
                leftSq += x2;
                leftN++;
            } else if (x > 0) {
                rightSq += x2;
                rightN++;
            }
            abs += Math.abs(x);
            sq += x2;
        }
        double leftStd = Math.sqrt(leftSq / leftN);
        double rightStd = Math.sqrt(rightSq / rightN);
        double gammaHat = leftStd / rightStd;
        double meanAbs = abs / v.length;
        double rHat = meanAbs * meanAbs / (sq / v.length);
        double g2 = gammaHat * gammaHat;
        double rHatNorm = rHat * (g2 * gammaHat + 1) * (gammaHat + 1) / ((g2 + 1) * (g2 + 1));
        int best = nearest(rHatNorm);
        return new Aggd(best, SHAPE[best], leftStd * STD_TO_SCALE[best], rightStd * STD_TO_SCALE[best]);
    }

    /** The first grid index minimizing {@code (RATIO[k] - r)^2}; 0 when r is NaN. */
    private static int nearest(double r) {
        int best = 0;
        double bestD = Double.POSITIVE_INFINITY;
        for (int k = 0; k < GRID; k++) {
            double d = RATIO[k] - r;
            d *= d;
            if (d < bestD) {
                bestD = d;
                best = k;
            }
        }
        return best;
    }

    private static double[] window() {
        double sigma = 7.0 / 6.0;
        double[] g = new double[7];
        double sum = 0;
        for (int i = 0; i < 7; i++) {
            g[i] = Math.exp(-((i - 3) * (i - 3)) / (2 * sigma * sigma));
            sum += g[i];
        }
        for (int i = 0; i < 7; i++) {
            g[i] /= sum;
        }
        return g;
    }

    /** Separable correlation with {@link #WINDOW}, out-of-range pixels read the nearest edge. */
    static double[] filterReplicate(double[] src, int w, int h) {
        int r = WINDOW.length / 2;
        double[] tmp = new double[w * h];
        for (int y = 0; y < h; y++) {
            int row = y * w;
            for (int x = 0; x < w; x++) {
                double v = 0;
                for (int k = -r; k <= r; k++) {
                    int xx = Math.min(w - 1, Math.max(0, x + k));
                    v += WINDOW[k + r] * src[row + xx];
                }
                tmp[row + x] = v;
            }
        }
        double[] out = new double[w * h];
        for (int y = 0; y < h; y++) {
            for (int k = -r; k <= r; k++) {
                int yy = Math.min(h - 1, Math.max(0, y + k));
                double weight = WINDOW[k + r];
                int srcRow = yy * w;
                int dstRow = y * w;
                for (int x = 0; x < w; x++) {
                    out[dstRow + x] += weight * tmp[srcRow + x];
                }
            }
        }
        return out;
    }

    /**
     * Halves a plane as MATLAB's {@code imresize(im, 0.5)} does: Keys' cubic (a = -0.5) widened
     * by 2 (anti-aliasing), weights normalized, mirrored edges, rows first; the same arithmetic
     * as {@code image.Bicubic}, in double precision and unrounded.
     *
     * @param src the plane, row-major
     * @param w width (even)
     * @param h height (even)
     * @return the {@code w/2 x h/2} plane
     */
    static double[] halve(double[] src, int w, int h) {
        int ow = w / 2;
        int oh = h / 2;
        Taps rows = taps(h, oh);
        double[] tmp = new double[w * oh];
        for (int y = 0; y < oh; y++) {
            int[] idx = rows.indices()[y];
            double[] wt = rows.weights()[y];
            int dst = y * w;
            for (int k = 0; k < idx.length; k++) {
                double weight = wt[k];
                int srcRow = idx[k] * w;
                for (int x = 0; x < w; x++) {
                    tmp[dst + x] += weight * src[srcRow + x];
                }
            }
        }
        Taps cols = taps(w, ow);
        double[] out = new double[ow * oh];
        for (int y = 0; y < oh; y++) {
            int srcRow = y * w;
            for (int x = 0; x < ow; x++) {
                int[] idx = cols.indices()[x];
                double[] wt = cols.weights()[x];
                double v = 0;
                for (int k = 0; k < idx.length; k++) {
                    v += wt[k] * tmp[srcRow + idx[k]];
                }
                out[y * ow + x] = v;
            }
        }
        return out;
    }

    private record Taps(int[][] indices, double[][] weights) {}

    /** The input taps and weights of each output pixel when shrinking {@code in} to {@code out}. */
    private static Taps taps(int in, int out) {
        double scale = (double) out / in;
        double support = 2 / scale;
        int[][] indices = new int[out][];
        double[][] weights = new double[out][];
        for (int i = 0; i < out; i++) {
            double centre = (i + 0.5) / scale - 0.5;
            int left = (int) Math.floor(centre - support);
            int n = (int) Math.ceil(centre + support) - left + 1;
            double[] wt = new double[n];
            double sum = 0;
            for (int k = 0; k < n; k++) {
                wt[k] = scale * Bicubic.cubic((centre - (left + k)) * scale);
                sum += wt[k];
            }
            indices[i] = new int[n];
            for (int k = 0; k < n; k++) {
                wt[k] /= sum;
                int m = Math.floorMod(left + k, 2 * in);
                indices[i][k] = m < in ? m : 2 * in - 1 - m;
            }
            weights[i] = wt;
        }
        return new Taps(indices, weights);
    }

    /**
     * The gamma function, Lanczos approximation (g = 7, 9 terms; relative error about 1e-15),
     * with the reflection formula below 1/2.
     *
     * @param x the argument, not a non-positive integer
     * @return gamma(x)
     */
    static double gamma(double x) {
        if (x < 0.5) {
            return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
        }
        double z = x - 1;
        double a = LANCZOS[0];
        double t = z + 7.5;
        for (int i = 1; i < LANCZOS.length; i++) {
            a += LANCZOS[i] / (z + i);
        }
        return Math.sqrt(2 * Math.PI) * Math.pow(t, z + 0.5) * Math.exp(-t) * a;
    }
}
