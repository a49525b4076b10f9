package dev.srgan.networks.evaluation;

import dev.srgan.networks.image.Bicubic;
import dev.srgan.networks.image.Images;
import dev.srgan.networks.image.RgbImage;
import dev.srgan.networks.metrics.Metrics;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The same crop of one evaluation photo for every model, so models compare by eye (the Models
 * page): Grace Hopper's portrait ({@code matplotlib-grace_hopper.jpg}, public domain, one of the
 * seven evaluation photos, in no training set), a 176-pixel square over the glasses and the face.
 * Each model upscales the whole photo shrunk as in an evaluation (bicubic, then 8 bits) and the
 * window is cut from its output, so a crop shows what the model does inside an image, with no
 * border effects. Pure Java: the api renders the bicubic and original crops itself; the model's
 * crop is made where the model runs ({@link Evaluator#comparisonCrop}).
 */
public final class Comparison {

    /** The photo's name, as in the evaluation reports. */
    public static final String PHOTO = "matplotlib-grace_hopper.jpg";
    /** Left edge of the window in the photo, in pixels. */
    public static final int X = 168;
    /** Top edge of the window. */
    public static final int Y = 168;
    /** Side of the square window. */
    public static final int SIZE = 176;

    private static RgbImage photo;

    private Comparison() {}

    /** The photo, RGB in [0, 1], cropped to a multiple of 8 and rounded to 8 bits (any scale divides it). */
    static synchronized RgbImage photo() {
        if (photo == null) {
            try (InputStream in = Comparison.class.getResourceAsStream("/comparison/" + PHOTO)) {
                if (in == null) {
                    throw new IllegalStateException("the comparison photo is not packaged");
                }
                RgbImage full = RgbImage.from(Images.decode(in)).withoutAlpha();
                photo = full.crop(0, 0, full.width() - full.width() % 8, full.height() - full.height() % 8)
                        .quantized();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return photo;
    }

    private static void checkScale(int scale) {
        if (scale != 2 && scale != 4 && scale != 8) {
            throw new IllegalArgumentException("scale must be 2, 4 or 8, got " + scale);
        }
    }

    /** The model's input at {@code scale}: the photo shrunk by bicubic interpolation, 8 bits. */
    public static RgbImage lowRes(int scale) {
        checkScale(scale);
        return Bicubic.downscale(photo(), scale);
    }

    /** The window of the original photo. */
    public static BufferedImage original() {
        return window(photo());
    }

    /** The window of the bicubic upscale of {@link #lowRes(int)}. */
    public static BufferedImage bicubic(int scale) {
        return window(Bicubic.upscale(lowRes(scale), scale));
    }

    /**
     * Cuts the window from a whole upscaled photo.
     *
     * @throws IllegalArgumentException if the image is not the photo's size
     */
    public static BufferedImage window(RgbImage upscaled) {
        RgbImage p = photo();
        if (upscaled.width() != p.width() || upscaled.height() != p.height()) {
            throw new IllegalArgumentException("expected the whole photo upscaled, " + p.width() + "x" + p.height()
                    + ", got " + upscaled.width() + "x" + upscaled.height());
        }
        return upscaled.crop(X, Y, SIZE, SIZE).quantized().toBufferedImage();
    }

    /** PSNR(Y) of a crop against the original's, over the whole window (dB). */
    public static double psnr(BufferedImage crop) {
        return Metrics.psnrY(crop, original(), 0);
    }
}
