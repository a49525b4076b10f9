package dev.srgan.domain.images;

import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.function.Supplier;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * The picture a viewer shows for a decoded PNG, JPEG, WebP or TIFF ({@link ImageFormat}), which is what
 * an upscale, training and evaluation work on: upright by its EXIF orientation ({@link
 * ExifOrientation}), in sRGB (grey and CMYK files by {@link SrgbPixels}, PNGs with a colour profile
 * by {@link PngColourProfile}, WebPs with one by {@link WebpImage}; the JDK's JPEG reader decodes
 * into the file's own profile, which getRGB converts).
 */
public final class ShownImage {

    private ShownImage() {}

    /**
     * Decodes a PNG, JPEG, WebP or TIFF held in memory into the picture as shown (a WebP's first frame).
     *
     * @param encoded the whole file
     * @return an image whose getRGB gives the sRGB values as shown
     * @throws IOException if the bytes are not one of those formats, or are damaged
     */
    public static BufferedImage decode(byte[] encoded) throws IOException {
        ImageFormat format = ImageFormat.sniff(Arrays.copyOf(encoded, Math.min(encoded.length, ImageFormat.HEAD_BYTES)))
                .orElseThrow(() -> new IOException("not a " + ImageFormat.NAMES + " image"));
        if (format == ImageFormat.WEBP) { // WebpImage reads the file itself: no ImageIO reader to set up
            return read(format, null, () -> new ByteArrayInputStream(encoded));
        }
        ImageReader reader = format.reader();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(encoded))) {
            reader.setInput(in, true, true);
            return read(format, reader, () -> new ByteArrayInputStream(encoded));
        } finally {
            reader.dispose();
        }
    }

    /**
     * Decodes the picture as shown with a reader of its format whose input is set (to check its
     * size from the header first, say).
     *
     * @param encoded opens the encoded file from its first byte (each call a new stream)
     * @throws IOException for a damaged file: each reader's way of saying so, as an IOException
     */
    public static BufferedImage read(ImageFormat format, ImageReader reader, Supplier<InputStream> encoded)
            throws IOException {
        try {
            if (format == ImageFormat.WEBP) {
                byte[] file;
                try (InputStream in = encoded.get()) {
                    file = in.readAllBytes();
                }
                return of(WebpImage.decode(file), file);
            }
            return of(reader.read(0), encoded);
        } catch (RuntimeException e) {
            throw new IOException("not a readable " + format.label() + " image (" + e + ")", e);
        }
    }

    /**
     * Turns what ImageIO decoded into the picture as shown.
     *
     * @param stored the pixels as ImageIO decoded them from {@code encoded}, any type
     * @param encoded opens the encoded file from its first byte (each call a new stream); only its
     *     metadata is read
     * @return an image whose getRGB gives the sRGB values as shown; {@code stored} itself where
     *     nothing needs to change
     */
    public static BufferedImage of(BufferedImage stored, Supplier<InputStream> encoded) {
        BufferedImage upright = ExifOrientation.upright(stored, ExifOrientation.read(encoded.get()));
        ICC_Profile profile = PngColourProfile.read(encoded.get());
        return profile == null ? upright : PngColourProfile.toSrgb(upright, profile);
    }

    /** See {@link #of(BufferedImage, Supplier)}; {@code encoded} is the whole file. */
    public static BufferedImage of(BufferedImage stored, byte[] encoded) {
        return of(stored, () -> new ByteArrayInputStream(encoded));
    }
}
