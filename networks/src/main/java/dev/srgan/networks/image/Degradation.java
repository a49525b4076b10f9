package dev.srgan.networks.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * How an LR input is made from an HR image, beyond SRGAN's bicubic shrink. Photos people upscale
 * are also blurred by their lens and their own resizing, noisy from the sensor and compressed as
 * JPEG. The degradation applies, in this order (the first-order degradation of Real-ESRGAN, Wang
 * et al. 2021):
 *
 * <ol>
 *   <li>a Gaussian blur of the HR image with sigma {@code blurSigma} HR pixels (edges repeated);
 *   <li>the bicubic shrink, rounded to 8 bits;
 *   <li>Gaussian noise with sigma {@code noiseSigma} 8-bit levels, independent per channel and
 *       pixel, clamped and rounded to 8 bits;
 *   <li>a JPEG round trip at {@code jpegQuality} (4:2:0, as {@link JpegWriter} writes).
 * </ol>
 *
 * <p>A training run with {@code blurSigma}, {@code noiseSigma} or {@code jpegQuality} set draws
 * each crop's strengths from its ranges with the run's random generator, and validates at the
 * middle of each range ({@code TrainingConfig.validationDegradation()}). Validation and
 * {@code ./srgan eval --degrade} seed each image's noise by its index ({@link #forImage}), so that
 * the same strengths give the same inputs to every run and every model.
 *
 * @param blurSigma the blur's sigma in HR pixels, 0 for none
 * @param noiseSigma the noise's sigma in 8-bit levels, 0 for none
 * @param jpegQuality the JPEG quality, 1 to 100, or 0 for no JPEG compression
 */
public record Degradation(double blurSigma, double noiseSigma, int jpegQuality) {

    /** The bicubic shrink alone, SRGAN's degradation. */
    public static final Degradation NONE = new Degradation(0, 0, 0);

    /** The best JPEG quality a training run draws; above it a JPEG hardly differs from its source. */
    public static final int BEST_JPEG_QUALITY = 95;

    private static final long IMAGE_NOISE_SEED = 0x5EED_DE6EL;

    /** The strongest blur, in HR pixels. */
    public static final double MAX_BLUR_SIGMA = 10;

    /** The strongest noise, in 8-bit levels. */
    public static final double MAX_NOISE_SIGMA = 50;

    /** Validates the strengths; the message names the one out of its range. */
    public Degradation {
        if (!(blurSigma >= 0 && blurSigma <= MAX_BLUR_SIGMA)) {
            throw new IllegalArgumentException("blurSigma must be from 0 to 10 (HR pixels), not " + blurSigma);
        }
        if (!(noiseSigma >= 0 && noiseSigma <= MAX_NOISE_SIGMA)) {
            throw new IllegalArgumentException("noiseSigma must be from 0 to 50 (8-bit levels), not " + noiseSigma);
        }
        if (jpegQuality < 0 || jpegQuality > 100) {
            throw new IllegalArgumentException("jpegQuality must be from 1 to 100, or 0 for none, not " + jpegQuality);
        }
    }

    /** Whether this is the bicubic shrink alone. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isNone() {
        return blurSigma == 0 && noiseSigma == 0 && jpegQuality == 0;
    }

    /** The LR input of image {@code index} of a validation or evaluation set. */
    public RgbImage forImage(RgbImage hr, int scale, int index) {
        return apply(hr, scale, new java.util.SplittableRandom(IMAGE_NOISE_SEED + index));
    }

    /**
     * The LR input, its noise drawn from {@code noise} (not used without noise).
     *
     * @param hr the HR image, its sides multiples of {@code scale}
     */
    public RgbImage apply(RgbImage hr, int scale, RandomGenerator noise) {
        RgbImage lr = Bicubic.downscale(blurSigma > 0 ? blurred(hr, blurSigma) : hr, scale);
        if (noiseSigma > 0) {
            lr = noisy(lr, noiseSigma / 255, noise);
        }
        return jpegQuality > 0 ? jpegRoundTrip(lr, jpegQuality) : lr;
    }

    /** The strengths in words: "blur σ 1.5 px, noise σ 5 levels, JPEG quality 67"; "none". */
    public String describe() {
        List<String> parts = new ArrayList<>();
        if (blurSigma > 0) {
            parts.add(String.format(Locale.ROOT, "blur σ %s px", number(blurSigma)));
        }
        if (noiseSigma > 0) {
            parts.add(String.format(Locale.ROOT, "noise σ %s levels", number(noiseSigma)));
        }
        if (jpegQuality > 0) {
            parts.add("JPEG quality " + jpegQuality);
        }
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }

    private static String number(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    /** A separable Gaussian blur over three sigmas each way, the image's edge pixels repeated. */
    static RgbImage blurred(RgbImage image, double sigma) {
        int radius = Math.max(1, (int) Math.ceil(3 * sigma));
        float[] kernel = new float[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) {
            kernel[i + radius] = (float) Math.exp(-i * i / (2 * sigma * sigma));
            sum += kernel[i + radius];
        }
        for (int i = 0; i < kernel.length; i++) {
            kernel[i] /= (float) sum;
        }
        int w = image.width();
        int h = image.height();
        float[] src = image.data();
        float[] rows = new float[src.length];
        float[] out = new float[src.length];
        for (int c = 0; c < 3; c++) {
            int plane = c * w * h;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float v = 0;
                    for (int k = -radius; k <= radius; k++) {
                        v += kernel[k + radius] * src[plane + y * w + clamp(x + k, w)];
                    }
                    rows[plane + y * w + x] = v;
                }
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float v = 0;
                    for (int k = -radius; k <= radius; k++) {
                        v += kernel[k + radius] * rows[plane + clamp(y + k, h) * w + x];
                    }
                    out[plane + y * w + x] = v;
                }
            }
        }
        return new RgbImage(w, h, out, null);
    }

    private static int clamp(int i, int n) {
        return i < 0 ? 0 : i >= n ? n - 1 : i;
    }

    private static RgbImage noisy(RgbImage image, double sigma, RandomGenerator random) {
        float[] out = image.data().clone();
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) Math.min(1, Math.max(0, out[i] + sigma * random.nextGaussian()));
        }
        return new RgbImage(image.width(), image.height(), out, null).quantized();
    }

    /** The image as a decoder shows it after {@link JpegWriter} compressed it at {@code quality}. */
    static RgbImage jpegRoundTrip(RgbImage image, int quality) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            JpegWriter.write(image.toBufferedImage(), quality, bytes);
            ImageReader reader = ImageIO.getImageReadersByFormatName("jpeg").next();
            try (MemoryCacheImageInputStream in =
                    new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                reader.setInput(in);
                BufferedImage decoded = reader.read(0);
                return RgbImage.from(decoded);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG round trip in memory failed", e);
        }
    }
}
