package dev.srgan.networks.training;

import dev.srgan.networks.image.Degradation;
import dev.srgan.networks.image.RgbImage;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Draws training batches: per item a random image, a random {@code hrCropSize} square crop, a
 * random horizontal and vertical flip; the LR input is the crop shrunk by bicubic interpolation
 * (MATLAB-style, anti-aliased) and rounded to 8 bits, SRGAN's degradation, with the run's blur,
 * noise and JPEG compression if it asks for them ({@link Degradation}).
 */
final class TrainingData {

    /** One batch: HR in [-1, 1] (N, 3, c, c) and LR in [0, 1] (N, 3, c/s, c/s), flattened. */
    record Batch(int size, int hrSide, int lrSide, float[] highRes, float[] lowRes) {}

    private final List<RgbImage> images;
    private final int cropSize;
    private final int scale;
    private final TrainingConfig config;

    TrainingData(List<BufferedImage> images, TrainingConfig config) {
        int cropSize = config.hrCropSize();
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no training images");
        }
        this.images = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            BufferedImage image = images.get(i);
            if (image.getWidth() < cropSize || image.getHeight() < cropSize) {
                throw new IllegalArgumentException("training image " + i + " is " + image.getWidth() + "x"
                        + image.getHeight() + ", smaller than hrCropSize " + cropSize);
            }
            this.images.add(RgbImage.from(image).withoutAlpha());
        }
        this.cropSize = cropSize;
        this.scale = config.scale();
        this.config = config;
    }

    Batch next(SplitMix64 random, int batchSize) {
        int lrSide = cropSize / scale;
        int hrPlane = 3 * cropSize * cropSize;
        int lrPlane = 3 * lrSide * lrSide;
        float[] hr = new float[batchSize * hrPlane];
        float[] lr = new float[batchSize * lrPlane];
        for (int b = 0; b < batchSize; b++) {
            RgbImage image = images.get(random.nextInt(images.size()));
            int x = random.nextInt(image.width() - cropSize + 1);
            int y = random.nextInt(image.height() - cropSize + 1);
            RgbImage crop = flip(image.crop(x, y, cropSize, cropSize), random.nextBoolean(), random.nextBoolean());
            RgbImage small = drawn(config, random).apply(crop, scale, random);
            float[] data = crop.data();
            for (int i = 0; i < hrPlane; i++) {
                hr[b * hrPlane + i] = data[i] * 2f - 1f;
            }
            System.arraycopy(small.data(), 0, lr, b * lrPlane, lrPlane);
        }
        return new Batch(batchSize, cropSize, lrSide, hr, lr);
    }

    /**
     * One crop's degradation, each strength drawn from the run's range (blur, noise, then JPEG
     * quality); nothing is drawn for a range that is off.
     */
    static Degradation drawn(TrainingConfig config, SplitMix64 random) {
        double blur = config.blurSigma() > 0 ? random.nextDouble() * config.blurSigma() : 0;
        double noise = config.noiseSigma() > 0 ? random.nextDouble() * config.noiseSigma() : 0;
        Integer q = config.jpegQuality();
        int quality = q == null ? 0 : q + random.nextInt(Degradation.BEST_JPEG_QUALITY - q + 1);
        return new Degradation(blur, noise, quality);
    }

    private static RgbImage flip(RgbImage image, boolean horizontal, boolean vertical) {
        if (!horizontal && !vertical) {
            return image;
        }
        int w = image.width();
        int h = image.height();
        float[] src = image.data();
        float[] out = new float[src.length];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                int sy = vertical ? h - 1 - y : y;
                for (int x = 0; x < w; x++) {
                    int sx = horizontal ? w - 1 - x : x;
                    out[(c * h + y) * w + x] = src[(c * h + sy) * w + sx];
                }
            }
        }
        return new RgbImage(w, h, out, null);
    }
}
