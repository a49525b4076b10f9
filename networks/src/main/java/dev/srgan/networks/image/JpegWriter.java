package dev.srgan.networks.image;

import dev.srgan.domain.images.SrgbPixels;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.plugins.jpeg.JPEGImageWriteParam;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Writes baseline JPEGs with ImageIO's writer at an explicit quality (the IJG scale of libjpeg's
 * {@code -quality}, 1 to 100). The file is a plain JFIF: sRGB, YCbCr with the chroma halved both
 * ways (4:2:0, ImageIO's default and what cameras and browsers write; chroma detail is what the
 * eye misses most), optimized Huffman tables (a smaller file for a little time), and no metadata:
 * no EXIF, no ICC profile. JPEG has no alpha: an image with transparency is composited on white
 * first, as a browser shows a transparent PNG on a white page.
 *
 * <p>Thread-safe (each call takes its own writer).
 */
public final class JpegWriter {

    private JpegWriter() {}

    /**
     * Writes the image as JPEG.
     *
     * @param image any decoded image (read as sRGB, {@link SrgbPixels#argb}); alpha is composited on
     *     white
     * @param quality 1 (smallest) to 100 (best)
     * @param out receives the JPEG; not closed
     * @throws IOException if {@code out} fails
     */
    public static void write(BufferedImage image, int quality, OutputStream out) throws IOException {
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("quality must be 1 to 100, got " + quality);
        }
        BufferedImage rgb = opaqueRgb(image);
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        if (!writers.hasNext()) {
            throw new IllegalStateException("this Java runtime has no JPEG writer");
        }
        ImageWriter writer = writers.next();
        try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality / 100f);
            if (param instanceof JPEGImageWriteParam jpeg) {
                jpeg.setOptimizeHuffmanTables(true);
            }
            writer.write(null, new IIOImage(rgb, null, null), param);
            stream.flush();
        } finally {
            writer.dispose();
        }
    }

    /**
     * The image as TYPE_INT_RGB, what the JPEG writer encodes as YCbCr (given alpha, it would write
     * a four-channel file few programs read): alpha composited on white.
     */
    static BufferedImage opaqueRgb(BufferedImage image) {
        if (image.getType() == BufferedImage.TYPE_INT_RGB) {
            return image;
        }
        int w = image.getWidth();
        int h = image.getHeight();
        int[] argb = SrgbPixels.argb(image);
        if (image.getColorModel().hasAlpha()) {
            for (int i = 0; i < argb.length; i++) {
                int p = argb[i];
                int a = p >>> 24;
                argb[i] = onWhite((p >> 16) & 0xff, a) << 16 | onWhite((p >> 8) & 0xff, a) << 8 | onWhite(p & 0xff, a);
            }
        }
        BufferedImage rgb = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(0, 0, w, h, argb, 0, w);
        return rgb;
    }

    /** A channel value over white: {@code c * a + 255 * (1 - a)}, rounded. */
    private static int onWhite(int c, int a) {
        return (c * a + 255 * (255 - a) + 127) / 255;
    }
}
