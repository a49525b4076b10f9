package dev.srgan.domain.images;

import java.awt.color.ColorSpace;
import java.awt.color.ICC_ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;

/**
 * The sRGB values of a decoded image, as a browser or PIL shows them.
 *
 * <p>{@link BufferedImage#getRGB} is wrong for two kinds of file ImageIO decodes:
 *
 * <ul>
 *   <li>Grey PNGs and JPEGs (8 or 16 bits, with or without alpha) come with Java's built-in
 *       {@code CS_GRAY}, which is linear light, so getRGB lifts every mid-tone: grey 64 reads as
 *       137. Their samples are sRGB-encoded grey, and are read as such here.
 *   <li>CMYK JPEGs without an ICC profile come with a colour space that treats the inks as linear
 *       RGB; here they are converted as everyone else does, R = (1 - C)(1 - K) and so on.
 * </ul>
 *
 * Everything else (RGB, palette, images with their own ICC profile) goes through getRGB.
 */
public final class SrgbPixels {

    private SrgbPixels() {}

    /**
     * Returns every pixel as non-premultiplied sRGB ARGB, row by row.
     *
     * @param image any decoded image
     * @return width * height values; alpha 255 where the image has none
     */
    public static int[] argb(BufferedImage image) {
        return switch (kind(image)) {
            case GREY -> grey(image, image.getColorModel());
            case CMYK -> cmyk(image, image.getColorModel());
            case OTHER -> image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
        };
    }

    /**
     * Returns an image whose {@link BufferedImage#getRGB} (and Java2D drawing) gives the sRGB values
     * of {@link #argb}: {@code image} itself for every kind but grey and profile-less CMYK, which are
     * copied into TYPE_INT_RGB, or TYPE_INT_ARGB where they have alpha.
     */
    public static BufferedImage readable(BufferedImage image) {
        if (kind(image) == Kind.OTHER) {
            return image;
        }
        int w = image.getWidth();
        int h = image.getHeight();
        BufferedImage out = new BufferedImage(
                w, h, image.getColorModel().hasAlpha() ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, w, h, argb(image), 0, w);
        return out;
    }

    private enum Kind {
        GREY,
        CMYK,
        OTHER
    }

    private static Kind kind(BufferedImage image) {
        ColorModel cm = image.getColorModel();
        ColorSpace cs = cm.getColorSpace();
        if (cm instanceof ComponentColorModel && !cm.isAlphaPremultiplied()) {
            if (cs == ColorSpace.getInstance(ColorSpace.CS_GRAY)) {
                return Kind.GREY;
            }
            if (cs.getType() == ColorSpace.TYPE_CMYK && !(cs instanceof ICC_ColorSpace) && !cm.hasAlpha()) {
                return Kind.CMYK;
            }
        }
        return Kind.OTHER;
    }

    private static int[] grey(BufferedImage image, ColorModel cm) {
        Raster raster = image.getRaster();
        int w = image.getWidth();
        int h = image.getHeight();
        int greyMax = (1 << cm.getComponentSize(0)) - 1;
        boolean alpha = cm.hasAlpha();
        int alphaMax = alpha ? (1 << cm.getComponentSize(1)) - 1 : 1;
        int[] out = new int[w * h];
        int[] g = new int[w];
        int[] a = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getSamples(0, y, w, 1, 0, g);
            if (alpha) {
                raster.getSamples(0, y, w, 1, 1, a);
            }
            for (int x = 0; x < w; x++) {
                int v = to8(g[x], greyMax);
                int av = alpha ? to8(a[x], alphaMax) : 255;
                out[y * w + x] = av << 24 | v << 16 | v << 8 | v;
            }
        }
        return out;
    }

    private static int[] cmyk(BufferedImage image, ColorModel cm) {
        Raster raster = image.getRaster();
        int w = image.getWidth();
        int h = image.getHeight();
        int max = (1 << cm.getComponentSize(0)) - 1;
        int[] out = new int[w * h];
        int[] px = new int[4 * w];
        for (int y = 0; y < h; y++) {
            raster.getPixels(0, y, w, 1, px);
            for (int x = 0; x < w; x++) {
                int k = max - px[4 * x + 3];
                int r = ink(px[4 * x], k, max);
                int g = ink(px[4 * x + 1], k, max);
                int b = ink(px[4 * x + 2], k, max);
                out[y * w + x] = 0xFF000000 | r << 16 | g << 8 | b;
            }
        }
        return out;
    }

    /** (1 - ink)(1 - K) in 8 bits, from samples of {@code max}; {@code notK} is max - K. */
    private static int ink(int ink, int notK, int max) {
        long num = (long) (max - ink) * notK * 255;
        long den = (long) max * max;
        return (int) ((num + den / 2) / den);
    }

    private static int to8(int v, int max) {
        return max == 255 ? v : (v * 255 + max / 2) / max;
    }
}
