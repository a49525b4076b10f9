package dev.srgan.networks.evaluation;

import dev.srgan.networks.image.Bicubic;
import dev.srgan.networks.image.Degradation;
import dev.srgan.networks.image.RgbImage;
import dev.srgan.networks.inference.Upscaler;
import dev.srgan.networks.metrics.Metrics;
import dev.srgan.networks.metrics.Niqe;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Measures an upscaler the way the SR literature does: each image (cropped to a multiple of the
 * scale) is shrunk by bicubic interpolation, upscaled by the model and by bicubic, and both are
 * compared with the original by PSNR and SSIM on the Y channel with a {@code scale}-pixel border
 * cropped. The model's output, the bicubic image and the original are also scored by NIQE (no
 * reference, lower is more natural; {@link Niqe} with its shipped pristine model) with the same
 * border cropped; an image left smaller than 192x192 by the crop (or flat) gets no NIQE (null),
 * and the NIQE means are over the images that have one (null if none).
 */
public final class Evaluator {
    private Evaluator() {}

    /** An image to evaluate on, with a name for the report. */
    public record NamedImage(String name, BufferedImage image) {}

    /**
     * One image's numbers; {@code millis} is the model's upscale time alone. {@code niqe}, {@code
     * bicubicNiqe} and {@code hrNiqe} are the NIQE of the model's output, of bicubic and of the
     * original, null for an image too small (or too flat) to score.
     */
    public record ImageResult(
            String name,
            int width,
            int height,
            double psnr,
            double ssim,
            double bicubicPsnr,
            double bicubicSsim,
            double millis,
            Double niqe,
            Double bicubicNiqe,
            Double hrNiqe) {}

    /** Per-image results and their means (NIQE means over the images that have one, else null). */
    public record Report(
            int scale,
            List<ImageResult> images,
            double psnr,
            double ssim,
            double bicubicPsnr,
            double bicubicSsim,
            double msPerImage,
            Double niqe,
            Double bicubicNiqe,
            Double hrNiqe) {

        /** PSNR gain of the model over bicubic, in dB. */
        public double psnrGain() {
            return psnr - bicubicPsnr;
        }

        /** A plain-text table: one row per image, then the mean. */
        public String table() {
            StringBuilder s = new StringBuilder();
            s.append(String.format(
                    Locale.ROOT,
                    "%-28s %11s %9s %8s %12s %12s %9s %6s %12s %7s%n",
                    "image (" + scale + "x)",
                    "size",
                    "PSNR",
                    "SSIM",
                    "bicubic PSNR",
                    "bicubic SSIM",
                    "ms",
                    "NIQE",
                    "bicubic NIQE",
                    "HR NIQE"));
            for (ImageResult r : images) {
                s.append(String.format(
                        Locale.ROOT,
                        "%-28s %11s %9.2f %8.4f %12.2f %12.4f %9.0f %6s %12s %7s%n",
                        r.name(),
                        r.width() + "x" + r.height(),
                        r.psnr(),
                        r.ssim(),
                        r.bicubicPsnr(),
                        r.bicubicSsim(),
                        r.millis(),
                        niqeText(r.niqe()),
                        niqeText(r.bicubicNiqe()),
                        niqeText(r.hrNiqe())));
            }
            s.append(String.format(
                    Locale.ROOT,
                    "%-28s %11s %9.2f %8.4f %12.2f %12.4f %9.0f %6s %12s %7s%n",
                    "mean of " + images.size(),
                    "",
                    psnr,
                    ssim,
                    bicubicPsnr,
                    bicubicSsim,
                    msPerImage,
                    niqeText(niqe),
                    niqeText(bicubicNiqe),
                    niqeText(hrNiqe)));
            s.append(String.format(
                    Locale.ROOT, "model - bicubic: %+.2f dB PSNR, %+.4f SSIM", psnrGain(), ssim - bicubicSsim));
            if (niqe != null && bicubicNiqe != null) {
                s.append(String.format(Locale.ROOT, ", %+.2f NIQE (lower is more natural)", niqe - bicubicNiqe));
            }
            s.append(System.lineSeparator());
            return s.toString();
        }
    }

    /**
     * Evaluates {@code upscaler} on {@code images}; {@code onImage} sees each result as it is
     * made, {@code cancelled} is asked between images.
     */
    public static Report evaluate(
            Upscaler upscaler, List<NamedImage> images, Consumer<ImageResult> onImage, BooleanSupplier cancelled) {
        return evaluate(upscaler, images, Degradation.NONE, onImage, cancelled);
    }

    /**
     * Evaluates {@code upscaler} on {@code images} made LR by {@code degradation} (image i's noise
     * as a training run's validation image i has it), the bicubic baseline upscaling the same
     * degraded input.
     */
    public static Report evaluate(
            Upscaler upscaler,
            List<NamedImage> images,
            Degradation degradation,
            Consumer<ImageResult> onImage,
            BooleanSupplier cancelled) {
        int scale = upscaler.scale();
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images to evaluate on");
        }
        List<ImageResult> results = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            NamedImage named = images.get(i);
            if (cancelled != null && cancelled.getAsBoolean()) {
                throw new CancellationException("evaluation cancelled");
            }
            RgbImage full = RgbImage.from(named.image()).withoutAlpha();
            int w = full.width() - full.width() % scale;
            int h = full.height() - full.height() % scale;
            if (w < 4 * scale || h < 4 * scale) {
                throw new IllegalArgumentException(named.name() + " is too small to evaluate at " + scale + "x");
            }
            RgbImage hr = full.crop(0, 0, w, h).quantized();
            RgbImage lr = degradation.forImage(hr, scale, i);
            BufferedImage hrImage = hr.toBufferedImage();
            long t0 = System.nanoTime();
            BufferedImage sr = upscaler.upscale(lr.toBufferedImage());
            double ms = (System.nanoTime() - t0) / 1e6;
            BufferedImage bicubic = Bicubic.upscale(lr, scale).toBufferedImage();
            ImageResult r = new ImageResult(
                    named.name(),
                    w,
                    h,
                    Metrics.psnrY(hrImage, sr, scale),
                    Metrics.ssimY(hrImage, sr, scale),
                    Metrics.psnrY(hrImage, bicubic, scale),
                    Metrics.ssimY(hrImage, bicubic, scale),
                    ms,
                    niqe(sr, scale),
                    niqe(bicubic, scale),
                    niqe(hrImage, scale));
            results.add(r);
            if (onImage != null) {
                onImage.accept(r);
            }
        }
        return new Report(
                scale,
                List.copyOf(results),
                mean(results, ImageResult::psnr),
                mean(results, ImageResult::ssim),
                mean(results, ImageResult::bicubicPsnr),
                mean(results, ImageResult::bicubicSsim),
                mean(results, ImageResult::millis),
                meanOfPresent(results, ImageResult::niqe),
                meanOfPresent(results, ImageResult::bicubicNiqe),
                meanOfPresent(results, ImageResult::hrNiqe));
    }

    /**
     * NIQE with {@code border} pixels cropped from each edge; null if what is left is too small,
     * or without texture (NaN). Training validation measures its images the same way.
     *
     * @param image the image
     * @param border pixels cropped from each edge (the scale, as for PSNR and SSIM)
     * @return the NIQE, or null
     */
    public static Double niqe(BufferedImage image, int border) {
        int w = image.getWidth() - 2 * border;
        int h = image.getHeight() - 2 * border;
        if (!Niqe.measurable(w, h)) {
            return null;
        }
        double q = Niqe.score(image.getSubimage(border, border, w, h));
        return Double.isNaN(q) ? null : q;
    }

    private static double mean(List<ImageResult> rs, ToDoubleFunction<ImageResult> f) {
        return rs.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    private static Double meanOfPresent(List<ImageResult> rs, Function<ImageResult, Double> f) {
        OptionalDouble m = rs.stream()
                .map(f)
                .filter(Objects::nonNull)
                .mapToDouble(Double::doubleValue)
                .average();
        return m.isPresent() ? m.getAsDouble() : null;
    }

    private static String niqeText(Double value) {
        return value == null ? "-" : String.format(Locale.ROOT, "%.2f", value);
    }

    /**
     * The model's crop of the comparison photo ({@link Comparison}): the whole photo shrunk by the
     * model's scale, upscaled by the model, the window cut out.
     *
     * @param upscaler the model
     * @return the crop, {@link Comparison#SIZE} pixels square
     */
    public static BufferedImage comparisonCrop(Upscaler upscaler) {
        RgbImage lr = Comparison.lowRes(upscaler.scale());
        return Comparison.window(
                RgbImage.from(upscaler.upscale(lr.toBufferedImage())).withoutAlpha());
    }
}
