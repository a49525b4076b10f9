package dev.srgan.domain.images;

import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes a WebP file: its RIFF container here, a lossy (VP8) picture by {@link Vp8Decoder}, which
 * reads as libwebp does, a lossless (VP8L) one and the alpha plane (ALPH) of a lossy one by {@link
 * Vp8lDecoder}, which does too, and an animation's first frame by TwelveMonkeys' reader. (That
 * reader's lossy decoding drifts in colour down the picture in version 3.14: it predicts from
 * pixels the loop filter has already changed; its lossless decoding misreads or refuses backward
 * references that reach more than a row sideways in pictures narrower than 8 pixels.) An ICCP
 * profile is converted to sRGB; the EXIF orientation is left to {@link ShownImage}.
 */
final class WebpImage {

    private WebpImage() {}

    /**
     * Where the chunks that matter lie in the file: the picture's (VP8 or VP8L), a lossy picture's
     * alpha plane (ALPH, before the VP8 chunk; -1 when none), and the flags and profile of VP8X and ICCP.
     */
    private record Layout(
            int imageAt,
            int imageLength,
            boolean lossless,
            int alphaAt,
            int alphaLength,
            boolean alphaFlag,
            int canvasWidth,
            int canvasHeight,
            boolean animated,
            byte[] icc) {}

    /** Decodes the file, as stored (before its EXIF orientation). */
    static BufferedImage decode(byte[] file) throws IOException {
        Layout layout = layout(file);
        if (layout.animated) {
            return twelveMonkeys(file); // its first frame
        }
        BufferedImage image;
        if (layout.lossless) {
            Vp8lDecoder.Image lossless = Vp8lDecoder.decode(file, layout.imageAt, layout.imageLength);
            image = image(
                    lossless.width(), lossless.height(), lossless.argb(), lossless.alphaUsed() || layout.alphaFlag);
        } else {
            Vp8Decoder.Planes planes = Vp8Decoder.decode(file, layout.imageAt, layout.imageLength);
            int w = planes.width();
            int h = planes.height();
            int[] argb = Vp8Decoder.argb(planes);
            if (layout.alphaAt >= 0) {
                byte[] alpha = Vp8lDecoder.alpha(file, layout.alphaAt, layout.alphaLength, w, h);
                for (int i = 0; i < argb.length; i++) {
                    argb[i] = alpha[i] << 24 | (argb[i] & 0xFFFFFF);
                }
            }
            image = image(w, h, argb, layout.alphaAt >= 0);
        }
        if (layout.canvasWidth > 0
                && (layout.canvasWidth != image.getWidth() || layout.canvasHeight != image.getHeight())) {
            // a still image fills its canvas (libwebp refuses a file where they differ)
            throw new IOException("its canvas (VP8X) is " + layout.canvasWidth + "x" + layout.canvasHeight
                    + " but its picture " + image.getWidth() + "x" + image.getHeight());
        }
        ICC_Profile profile = layout.icc == null ? null : PngColourProfile.usable(layout.icc);
        return profile == null ? image : PngColourProfile.toSrgb(image, profile);
    }

    /** A TYPE_INT_ARGB image of these pixels, or TYPE_INT_RGB without alpha. */
    private static BufferedImage image(int w, int h, int[] argb, boolean alpha) {
        BufferedImage image = new BufferedImage(w, h, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        int[] pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = alpha ? argb[i] : argb[i] & 0xFFFFFF;
        }
        return image;
    }

    private static Layout layout(byte[] file) throws IOException {
        if (file.length < 20 || !ascii(file, 0, "RIFF") || !ascii(file, 8, "WEBP")) {
            throw new IOException("not a WebP file");
        }
        long riffEnd = Math.min(file.length, 8 + u32(file, 4));
        int at = 12;
        int imageAt = -1;
        int imageLength = 0;
        boolean lossless = false;
        int alphaAt = -1;
        int alphaLength = 0;
        boolean alphaFlag = false;
        int canvasWidth = -1;
        int canvasHeight = -1;
        boolean animated = false;
        byte[] icc = null;
        while (at + 8 <= riffEnd) {
            long length = u32(file, at + 4);
            if (at + 8 + length > riffEnd) {
                throw new IOException("its " + fourcc(file, at) + " chunk is truncated");
            }
            int data = at + 8;
            String type = fourcc(file, at);
            switch (type) {
                case "VP8 ", "VP8L" -> {
                    if (imageAt < 0) {
                        imageAt = data;
                        imageLength = (int) length;
                        lossless = type.equals("VP8L");
                    }
                }
                case "ALPH" -> {
                    if (imageAt < 0) { // as libwebp: the last one before the picture
                        alphaAt = data;
                        alphaLength = (int) length;
                    }
                }
                case "VP8X" -> {
                    alphaFlag = length > 0 && (file[data] & 0x10) != 0;
                    if (length >= 10) {
                        canvasWidth = 1 + u24(file, data + 4);
                        canvasHeight = 1 + u24(file, data + 7);
                    }
                }
                case "ANIM", "ANMF" -> animated = true;
                case "ICCP" -> icc = java.util.Arrays.copyOfRange(file, data, data + (int) length);
                default -> {} // EXIF, XMP and unknown chunks
            }
            at = data + (int) length + (int) (length & 1);
        }
        if (imageAt < 0 && !animated) {
            throw new IOException("it has no image data (no VP8 or VP8L chunk)");
        }
        return new Layout(
                imageAt,
                imageLength,
                lossless,
                lossless ? -1 : alphaAt,
                alphaLength,
                alphaFlag,
                canvasWidth,
                canvasHeight,
                animated,
                icc);
    }

    private static BufferedImage twelveMonkeys(byte[] file) throws IOException {
        ImageReader reader = ImageFormat.WEBP.reader();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(file))) {
            reader.setInput(in, true, true);
            return reader.read(0);
        } finally {
            reader.dispose();
        }
    }

    private static int u24(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16;
    }

    private static long u32(byte[] b, int at) {
        return (b[at] & 0xFFL) | (b[at + 1] & 0xFFL) << 8 | (b[at + 2] & 0xFFL) << 16 | (b[at + 3] & 0xFFL) << 24;
    }

    private static String fourcc(byte[] b, int at) {
        return new String(b, at, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static boolean ascii(byte[] b, int at, String text) {
        return fourcc(b, at).equals(text);
    }
}
