package dev.srgan.domain.images;

import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes a WebP file: its RIFF container here, a lossy (VP8) picture by {@link Vp8Decoder}, which
 * reads as libwebp does, a lossless (VP8L) one, the alpha plane of a lossy one and an animation's
 * first frame by TwelveMonkeys' reader. (That reader's lossy decoding drifts in colour down the
 * picture in version 3.14: it predicts from pixels the loop filter has already changed.) An ICCP
 * profile is converted to sRGB; the EXIF orientation is left to {@link ShownImage}.
 */
final class WebpImage {

    private WebpImage() {}

    /** Where the chunks that matter lie in the file. */
    private record Layout(int vp8At, int vp8Length, boolean lossless, boolean alpha, boolean animated, byte[] icc) {}

    /** Decodes the file, as stored (before its EXIF orientation). */
    static BufferedImage decode(byte[] file) throws IOException {
        Layout layout = layout(file);
        if (layout.vp8At < 0) {
            return twelveMonkeys(file); // lossless, or an animation's first frame
        }
        Vp8Decoder.Planes planes = Vp8Decoder.decode(file, layout.vp8At, layout.vp8Length);
        int w = planes.width();
        int h = planes.height();
        int[] argb = Vp8Decoder.argb(planes);
        if (layout.alpha) {
            BufferedImage withAlpha = twelveMonkeys(file);
            if (withAlpha.getWidth() != w || withAlpha.getHeight() != h) {
                throw new IOException("its alpha plane is " + withAlpha.getWidth() + "x" + withAlpha.getHeight()
                        + " but its picture " + w + "x" + h);
            }
            int[] alpha = withAlpha.getAlphaRaster().getPixels(0, 0, w, h, (int[]) null);
            for (int i = 0; i < argb.length; i++) {
                argb[i] = alpha[i] << 24 | (argb[i] & 0xFFFFFF);
            }
        }
        BufferedImage image =
                new BufferedImage(w, h, layout.alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, w, h, argb, 0, w);
        ICC_Profile profile = layout.icc == null ? null : PngColourProfile.usable(layout.icc);
        return profile == null ? image : PngColourProfile.toSrgb(image, profile);
    }

    private static Layout layout(byte[] file) throws IOException {
        if (file.length < 20 || !ascii(file, 0, "RIFF") || !ascii(file, 8, "WEBP")) {
            throw new IOException("not a WebP file");
        }
        long riffEnd = Math.min(file.length, 8 + u32(file, 4));
        int at = 12;
        int vp8At = -1;
        int vp8Length = 0;
        boolean lossless = false;
        boolean alpha = false;
        boolean animated = false;
        byte[] icc = null;
        while (at + 8 <= riffEnd) {
            long length = u32(file, at + 4);
            if (at + 8 + length > riffEnd) {
                throw new IOException("its " + fourcc(file, at) + " chunk is truncated");
            }
            int data = at + 8;
            switch (fourcc(file, at)) {
                case "VP8 " -> {
                    if (vp8At < 0 && !lossless) {
                        vp8At = data;
                        vp8Length = (int) length;
                    }
                }
                case "VP8L" -> lossless = true;
                case "ALPH" -> alpha = true;
                case "ANIM", "ANMF" -> animated = true;
                case "ICCP" -> icc = java.util.Arrays.copyOfRange(file, data, data + (int) length);
                default -> {} // VP8X, EXIF, XMP and unknown chunks
            }
            at = data + (int) length + (int) (length & 1);
        }
        if (animated || lossless) {
            vp8At = -1;
        } else if (vp8At < 0) {
            throw new IOException("it has no image data (no VP8 or VP8L chunk)");
        }
        return new Layout(vp8At, vp8Length, lossless, alpha, animated, icc);
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
