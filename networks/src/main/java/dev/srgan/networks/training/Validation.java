package dev.srgan.networks.training;

import ai.djl.nn.Block;
import dev.srgan.networks.evaluation.Evaluator;
import dev.srgan.networks.image.Bicubic;
import dev.srgan.networks.image.Degradation;
import dev.srgan.networks.image.RgbImage;
import dev.srgan.networks.inference.Upscaler;
import dev.srgan.networks.metrics.Metrics;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * A run's held-out images and what it measures on them: the generator's PSNR, SSIM and NIQE
 * against bicubic upscaling of the same LR images, whose numbers are measured once. The LR images
 * are degraded as the run's training crops are, at the middle of each range ({@link Degradation}).
 * NIQE draws no random numbers, so a run goes on exactly as without validation.
 */
final class Validation implements AutoCloseable {

    /** A held-out image with bicubic's numbers; {@code niqe} is bicubic's, null if not measurable. */
    private record Image(
            String name,
            BufferedImage lowRes,
            BufferedImage bicubic,
            BufferedImage highRes,
            double psnr,
            double ssim,
            Double niqe) {}

    private final TrainingConfig config;
    private final List<Image> images;
    private final Double bicubicNiqe;
    private Upscaler upscaler;

    /**
     * Crops each image to a multiple of the scale and degrades it (the bicubic shrink, and the run's
     * blur, noise and JPEG compression if any).
     *
     * @throws IllegalArgumentException if an image is too small for SSIM at the config's scale
     */
    Validation(List<BufferedImage> highRes, TrainingConfig config) {
        this.config = config;
        this.images = prepare(highRes, config);
        this.bicubicNiqe = meanOfPresent(images.stream().map(Image::niqe).toList());
    }

    private static List<Image> prepare(List<BufferedImage> images, TrainingConfig config) {
        int scale = config.scale();
        Degradation degradation = config.validationDegradation();
        List<Image> prepared = new ArrayList<>();
        int minimum = TrainingConfig.minimumValidationSide(scale);
        for (int i = 0; i < images.size(); i++) {
            RgbImage hr = RgbImage.from(images.get(i)).withoutAlpha();
            int w = hr.width() - hr.width() % scale;
            int h = hr.height() - hr.height() % scale;
            if (w < minimum || h < minimum) {
                throw new IllegalArgumentException("validation image " + i + " is " + hr.width() + "x" + hr.height()
                        + ", needs at least " + minimum + "x" + minimum + " for SSIM at scale " + scale);
            }
            hr = hr.crop(0, 0, w, h);
            RgbImage lr = degradation.forImage(hr, scale, i);
            BufferedImage hrImage = hr.toBufferedImage();
            BufferedImage bicubic = Bicubic.upscale(lr, scale).toBufferedImage();
            prepared.add(new Image(
                    "val-" + i,
                    lr.toBufferedImage(),
                    bicubic,
                    hrImage,
                    Metrics.psnrY(bicubic, hrImage, scale),
                    Metrics.ssimY(bicubic, hrImage, scale),
                    Evaluator.niqe(bicubic, scale)));
        }
        return prepared;
    }

    /** The mean of the values that are not null; null if none is. */
    private static Double meanOfPresent(List<Double> values) {
        double sum = 0;
        int n = 0;
        for (Double v : values) {
            if (v != null) {
                sum += v;
                n++;
            }
        }
        return n == 0 ? null : sum / n;
    }

    /** Returns whether there are no validation images. */
    boolean isEmpty() {
        return images.isEmpty();
    }

    /**
     * Measures a generator in eval mode: PSNR and SSIM, and NIQE (as {@code ./srgan eval}
     * measures it, {@link Evaluator#niqe}) over the images large enough to score.
     *
     * @param generator the network to measure; the same block at every call (its upscaler is kept)
     * @return the record for this step
     */
    ValidationRecord measure(Block generator, long step, Phase phase, String contentLoss) {
        long start = System.nanoTime();
        if (upscaler == null) {
            upscaler = Upscaler.of(generator, config.scale(), config.residualBlocks());
        }
        double psnr = 0;
        double ssim = 0;
        double bicubicPsnr = 0;
        double bicubicSsim = 0;
        List<Double> niqe = new ArrayList<>();
        List<ValidationSample> samples = new ArrayList<>();
        for (Image image : images) {
            BufferedImage generated = upscaler.upscale(image.lowRes());
            psnr += Metrics.psnrY(generated, image.highRes(), config.scale());
            ssim += Metrics.ssimY(generated, image.highRes(), config.scale());
            niqe.add(Evaluator.niqe(generated, config.scale()));
            bicubicPsnr += image.psnr();
            bicubicSsim += image.ssim();
            if (samples.size() < config.validationSamples()) {
                samples.add(new ValidationSample(
                        image.name(), image.lowRes(), image.bicubic(), generated, image.highRes()));
            }
        }
        int n = Math.max(1, images.size());
        return new ValidationRecord(
                step,
                phase.storedName(),
                contentLoss,
                psnr / n,
                ssim / n,
                bicubicPsnr / n,
                bicubicSsim / n,
                samples,
                (System.nanoTime() - start) / 1e9,
                meanOfPresent(niqe),
                bicubicNiqe);
    }

    @Override
    public void close() {
        if (upscaler != null) {
            upscaler.close();
        }
    }
}
