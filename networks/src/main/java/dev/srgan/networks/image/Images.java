package dev.srgan.networks.image;

import dev.srgan.domain.images.ImageFormat;
import dev.srgan.domain.images.ShownImage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Decoding of PNG, JPEG, WebP and TIFF files ({@link ImageFormat}), encoding as PNG. */
public final class Images {

    private Images() {}

    /**
     * Decodes a PNG, JPEG, WebP or TIFF into the picture a viewer shows: sRGB values (grey and CMYK
     * files, files with a colour profile too), turned upright by its EXIF orientation ({@link
     * ShownImage}).
     *
     * @param in the encoded bytes
     * @return the image, whose getRGB gives its sRGB values
     * @throws IOException if the bytes are not a readable PNG, JPEG, WebP or TIFF
     */
    public static BufferedImage decode(InputStream in) throws IOException {
        return decode(in.readAllBytes());
    }

    /** Decodes a PNG, JPEG, WebP or TIFF held in memory; see {@link #decode(InputStream)}. */
    public static BufferedImage decode(byte[] bytes) throws IOException {
        return ShownImage.decode(bytes);
    }

    /** Reads a PNG, JPEG, WebP or TIFF file. */
    public static BufferedImage read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return decode(in);
        } catch (IOException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Encodes an image as PNG (alpha kept), with {@link PngWriter}. */
    public static byte[] png(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PngWriter.write(image, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
