package dev.srgan.networks.metrics;

import dev.srgan.networks.image.RgbImage;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * NIQE, the Natural Image Quality Evaluator (Mittal, Soundararajan and Bovik, "Making a
 * 'Completely Blind' Image Quality Analyzer", IEEE Signal Processing Letters 20(3), 2013): how far
 * the statistics of an image's patches lie from those of pristine natural photos, with no
 * reference image. Lower is more natural; blur and noise raise it.
 *
 * <p>As the authors' MATLAB release ({@code computequality.m}, {@code estimatemodelparam.m},
 * {@code computefeature.m}, {@code estimateaggdparam.m}) computes it:
 *
 * <ul>
 *   <li>luminance as MATLAB's {@code rgb2gray} gives it for an 8-bit image: {@code
 *       round(0.298936021293775 R + 0.587043074451121 G + 0.114020904255103 B)}, R, G, B in
 *       0..255 (alpha ignored), as doubles in [0, 255];
 *   <li>the image cropped to whole 96x96 patches (top-left kept), no overlap;
 *   <li>MSCN coefficients {@code (I - mu) / (sigma + 1)}, mu and sigma from a 7x7 Gaussian window
 *       (sigma 7/6, normalized, replicated edges);
 *   <li>per patch, 18 features at each of 2 scales: AGGD shape and mean scale {@code (beta_l +
 *       beta_r) / 2} of the MSCN coefficients, then AGGD shape, mean {@code (beta_r - beta_l)
 *       gamma(2/a) / gamma(1/a)}, left scale and right scale of the products of horizontal,
 *       vertical, main- and secondary-diagonal neighbours ({@code circshift} within the patch);
 *       shapes by moment matching on the grid 0.2:0.001:10; the second scale on the image halved
 *       by MATLAB's {@code imresize(I, 0.5)} (bicubic, anti-aliased), 48x48 patches;
 *   <li>the quality {@code sqrt((mu_p - mu_d)^T pinv((S_p + S_d) / 2) (mu_p - mu_d))}, mu_p and
 *       S_p from the {@link PristineModel}, mu_d the per-feature mean of the image's patches
 *       ignoring NaN and S_d their covariance over the patches without NaN ({@code nanmean},
 *       {@code nancov}).
 * </ul>
 *
 * <p>The reference implementation's published model was fitted on 125 photos this project does
 * not ship; {@link #model()} was fitted by {@link #fit} on the photos named in it, so scores are
 * comparable with each other, not with published NIQE numbers. A 512x512 image takes a few tens
 * of milliseconds.
 */
public final class Niqe {

    /** The patch size at the first scale. */
    public static final int PATCH_SIZE = 96;

    /** A patch counts as pristine when its sharpness exceeds this fraction of its photo's sharpest. */
    public static final double SHARPNESS_THRESHOLD = 0.75;

    /** The luminance conversion, as recorded in fitted models. */
    static final String LUMINANCE =
            "MATLAB rgb2gray of 8-bit RGB: round(0.298936021293775 R + 0.587043074451121 G + 0.114020904255103 B)";

    private static final double WR = 0.298936021293775;
    private static final double WG = 0.587043074451121;
    private static final double WB = 0.114020904255103;

    /** The shipped model's resource, next to this class. */
    public static final String MODEL_RESOURCE = "niqe-pristine.json";

    private Niqe() {}

    private static final class Shipped {
        static final PristineModel MODEL = load();

        private static PristineModel load() {
            try (InputStream in = Niqe.class.getResourceAsStream(MODEL_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("missing resource " + MODEL_RESOURCE);
                }
                return PristineModel.read(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Returns the shipped pristine model, read once from {@value #MODEL_RESOURCE}.
     *
     * @return the model
     */
    public static PristineModel model() {
        return Shipped.MODEL;
    }

    /**
     * Returns whether an image is large enough to be scored: at least 2 patches per side.
     *
     * @param width the width in pixels
     * @param height the height in pixels
     * @return whether {@link #score} accepts it
     */
    public static boolean measurable(int width, int height) {
        return width >= 2 * PATCH_SIZE && height >= 2 * PATCH_SIZE;
    }

    /**
     * Scores an image against the shipped model.
     *
     * @param image the image, at least 192x192
     * @return the NIQE, lower is more natural; NaN for an image without texture (e.g. flat)
     * @throws IllegalArgumentException if the image has fewer than 2 patches per side
     */
    public static double score(BufferedImage image) {
        return score(image, model());
    }

    /**
     * Scores an image against a model.
     *
     * @param image the image, at least 2 patches of the model's size per side
     * @param model the pristine model
     * @return the NIQE, lower is more natural; NaN for an image without texture (e.g. flat)
     * @throws IllegalArgumentException if the image has fewer than 2 patches per side
     */
    public static double score(BufferedImage image, PristineModel model) {
        return score(luminance(image), image.getWidth(), image.getHeight(), model);
    }

    /**
     * Scores an image of floats in [0, 1] against the shipped model; see {@link #score(BufferedImage)}.
     *
     * @param image the image
     * @return the NIQE
     */
    public static double score(RgbImage image) {
        return score(image, model());
    }

    /**
     * Scores an image of floats in [0, 1] against a model; see {@link #score(BufferedImage,
     * PristineModel)}.
     *
     * @param image the image
     * @param model the pristine model
     * @return the NIQE
     */
    public static double score(RgbImage image, PristineModel model) {
        return score(luminance(image), image.width(), image.height(), model);
    }

    /**
     * Scores a luminance plane.
     *
     * @param gray luminance in [0, 255], row-major
     * @param w width
     * @param h height
     * @param model the pristine model
     * @return the NIQE
     */
    static double score(double[] gray, int w, int h, PristineModel model) {
        int patch = model.patchSize();
        if (w < 2 * patch || h < 2 * patch) {
            throw new IllegalArgumentException("NIQE needs at least 2x2 patches of " + patch + "x" + patch + " pixels ("
                    + 2 * patch + "x" + 2 * patch + "), got " + w + "x" + h);
        }
        double[][] rows = NiqeFeatures.patches(gray, w, h, patch).rows();
        return distance(model.mean(), model.covariance(), nanMean(rows), nanCovariance(rows));
    }

    /** {@code sqrt(d^T pinv((covP + covD) / 2) d)}, {@code d = meanP - meanD}. */
    static double distance(double[] meanP, double[][] covP, double[] meanD, double[][] covD) {
        int n = meanP.length;
        double[][] pooled = new double[n][n];
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = meanP[i] - meanD[i];
            for (int j = 0; j < n; j++) {
                pooled[i][j] = (covP[i][j] + covD[i][j]) / 2;
                if (!Double.isFinite(pooled[i][j]) || !Double.isFinite(d[i])) {
                    return Double.NaN;
                }
            }
        }
        double[][] inv = SymmetricMatrix.pinv(pooled);
        double q = 0;
        for (int i = 0; i < n; i++) {
            double row = 0;
            for (int j = 0; j < n; j++) {
                row += inv[i][j] * d[j];
            }
            q += d[i] * row;
        }
        return Math.sqrt(q);
    }

    /**
     * Fits a pristine model as {@code estimatemodelparam.m} does: the features of every patch of
     * every photo whose sharpness (mean local deviation sigma) exceeds {@value
     * #SHARPNESS_THRESHOLD} of that photo's sharpest patch, their NaN-ignoring mean and their
     * covariance over rows without NaN. Name the photos with {@link
     * PristineModel#withProvenance}.
     *
     * @param photos pristine photos, each at least 96x96
     * @return the model
     * @throws IllegalArgumentException if there are no photos or one is smaller than a patch
     */
    public static PristineModel fit(List<BufferedImage> photos) {
        if (photos.isEmpty()) {
            throw new IllegalArgumentException("no photos to fit a NIQE model on");
        }
        List<double[]> kept = new ArrayList<>();
        for (BufferedImage photo : photos) {
            NiqeFeatures.Patches p =
                    NiqeFeatures.patches(luminance(photo), photo.getWidth(), photo.getHeight(), PATCH_SIZE);
            double max = Double.NEGATIVE_INFINITY;
            for (double s : p.sharpness()) {
                max = Math.max(max, s);
            }
            for (int i = 0; i < p.rows().length; i++) {
                if (p.sharpness()[i] > SHARPNESS_THRESHOLD * max) {
                    kept.add(p.rows()[i]);
                }
            }
        }
        double[][] rows = kept.toArray(new double[0][]);
        return new PristineModel(
                PATCH_SIZE,
                SHARPNESS_THRESHOLD,
                LUMINANCE,
                "",
                List.of(),
                rows.length,
                nanMean(rows),
                nanCovariance(rows));
    }

    /** Per column, the mean of the non-NaN values (NaN if there are none): MATLAB's {@code nanmean}. */
    static double[] nanMean(double[][] rows) {
        int n = NiqeFeatures.COUNT;
        double[] sum = new double[n];
        int[] count = new int[n];
        for (double[] row : rows) {
            for (int j = 0; j < n; j++) {
                if (!Double.isNaN(row[j])) {
                    sum[j] += row[j];
                    count[j]++;
                }
            }
        }
        double[] mean = new double[n];
        for (int j = 0; j < n; j++) {
            mean[j] = count[j] == 0 ? Double.NaN : sum[j] / count[j];
        }
        return mean;
    }

    /**
     * The covariance (normalized by N - 1) over the rows without NaN: MATLAB's {@code nancov};
     * zero for a single such row, NaN for none.
     */
    static double[][] nanCovariance(double[][] rows) {
        int n = NiqeFeatures.COUNT;
        List<double[]> complete = new ArrayList<>();
        for (double[] row : rows) {
            boolean ok = true;
            for (double v : row) {
                ok &= !Double.isNaN(v);
            }
            if (ok) {
                complete.add(row);
            }
        }
        double[][] cov = new double[n][n];
        int m = complete.size();
        if (m == 0) {
            for (double[] row : cov) {
                Arrays.fill(row, Double.NaN);
            }
            return cov;
        }
        double[] mean = new double[n];
        for (double[] row : complete) {
            for (int j = 0; j < n; j++) {
                mean[j] += row[j] / m;
            }
        }
        if (m == 1) {
            return cov;
        }
        for (double[] row : complete) {
            for (int i = 0; i < n; i++) {
                double di = row[i] - mean[i];
                for (int j = i; j < n; j++) {
                    cov[i][j] += di * (row[j] - mean[j]);
                }
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                cov[i][j] /= m - 1;
                cov[j][i] = cov[i][j];
            }
        }
        return cov;
    }

    /** The luminance of an 8-bit image, see the class comment. */
    static double[] luminance(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] rgb = image.getRGB(0, 0, w, h, null, 0, w);
        double[] y = new double[w * h];
        for (int i = 0; i < y.length; i++) {
            int p = rgb[i];
            y[i] = gray((p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff);
        }
        return y;
    }

    /** The luminance of a float image: its values times 255, then as for 8-bit pixels. */
    static double[] luminance(RgbImage image) {
        int plane = image.width() * image.height();
        float[] d = image.data();
        double[] y = new double[plane];
        for (int i = 0; i < plane; i++) {
            y[i] = gray(255.0 * d[i], 255.0 * d[plane + i], 255.0 * d[2 * plane + i]);
        }
        return y;
    }

    private static double gray(double r, double g, double b) {
        double v = Math.round(WR * r + WG * g + WB * b);
        return Math.min(255, Math.max(0, v));
    }
}
