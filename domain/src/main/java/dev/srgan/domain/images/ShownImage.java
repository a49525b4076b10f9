package dev.srgan.domain.images;

import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.function.Supplier;

/**
 * The picture a viewer shows for a decoded PNG or JPEG, which is what an upscale, training and
 * evaluation work on: upright by its EXIF orientation ({@link ExifOrientation}), in sRGB (grey and
 * CMYK files by {@link SrgbPixels}, PNGs with a colour profile by {@link PngColourProfile}; the JDK
 * converts JPEGs with one itself).
 */
public final class ShownImage {

    private ShownImage() {}

    /**
     * Turns what ImageIO decoded into the picture as shown.
     *
     * @param stored the pixels as ImageIO decoded them from {@code encoded}, any type
     * @param encoded opens the encoded file from its first byte (each call a new stream); only its
     *     metadata, before the pixel data, is read
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
