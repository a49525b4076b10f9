package dev.srgan.networks.training;

import dev.srgan.networks.image.Bicubic;
import dev.srgan.networks.image.JpegWriter;
import dev.srgan.networks.image.RgbImage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * How a run makes its LR inputs from HR images. SRGAN's is the bicubic shrink alone; photos people
 * upscale are also blurred by their lens and their own resizing, noisy from the sensor and
 * compressed as JPEG. A run that sets {@code blurSigma}, {@code noiseSigma} or {@code jpegQuality}
 * degrades each crop in that order, the first-order degradation of Real-ESRGAN (Wang et al. 2021):
 *
 * <ol>
 *   <li>a Gaussian blur of the HR crop (edges repeated), sigma drawn from [0, blurSigma];
 *   <li>the bicubic shrink, rounded to 8 bits;
 *   <li>Gaussian noise, independent per channel and pixel, sigma drawn from [0, noiseSigma] 8-bit
 *       levels, clamped and rounded to 8 bits;
 *   <li>a JPEG round trip at a quality drawn from [jpegQuality, 95] (4:2:0, as {@link JpegWriter}
 *       writes).
 * </ol>
 *
 * <p>Training draws every strength from the run's random generator, and nothing when the run does
 * not degrade, so such a run draws the crops it always drew. Validation uses the middle of each
 * range, with the noise of a generator seeded by the image's index, so that every run with the same
 * settings validates on the same inputs.
 */
final class Degradation {

    /** The best JPEG quality drawn; above it a JPEG hardly differs from its source. */
    static final int BEST_JPEG_QUALITY = 95;

    private static final long VALIDATION_NOISE_SEED = 0x5EED_DE6EL;

    private final int scale;
    private final double blurSigma;
    private final double noiseSigma;
    private final Integer jpegQuality;

    Degradation(TrainingConfig config) {
        this.scale = config.scale();
        this.blurSigma = config.blurSigma();
        this.noiseSigma = config.noiseSigma();
        this.jpegQuality = config.jpegQuality();
    }

    /** The LR input of a training crop, each strength drawn from {@code random}. */
    RgbImage training(RgbImage hr, SplitMix64 random) {
        double blur = blurSigma > 0 ? random.nextDouble() * blurSigma : 0;
        double noise = noiseSigma > 0 ? random.nextDouble() * noiseSigma : 0;
        int quality = jpegQuality == null ? 0 : jpegQuality + random.nextInt(BEST_JPEG_QUALITY - jpegQuality + 1);
        return apply(hr, blur, noise, quality, random);
    }

    /** The LR input of validation image {@code index}: every strength at the middle of its range. */
    RgbImage validation(RgbImage hr, int index) {
        int quality = jpegQuality == null ? 0 : (jpegQuality + BEST_JPEG_QUALITY) / 2;
        return apply(hr, blurSigma / 2, noiseSigma / 2, quality, new SplitMix64(VALIDATION_NOISE_SEED + index));
    }

    /**
     * Degrades with fixed strengths: blur sigma and noise sigma (8-bit levels) 0 for none, JPEG
     * quality 0 for none.
     */
    RgbImage apply(RgbImage hr, double blur, double noise, int quality, SplitMix64 noiseRandom) {
        RgbImage lr = Bicubic.downscale(blur > 0 ? blurred(hr, blur) : hr, scale);
        if (noise > 0) {
            lr = noisy(lr, noise / 255, noiseRandom);
        }
        return quality > 0 ? jpegRoundTrip(lr, quality) : lr;
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

    private static RgbImage noisy(RgbImage image, double sigma, SplitMix64 random) {
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
