package dev.srgan.networks.image;

import dev.srgan.domain.images.ShownImage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Decoding and encoding of PNG and JPEG files. */
public final class Images {

    private Images() {}

    /**
     * Decodes a PNG or JPEG into the picture a viewer shows: sRGB values (grey and CMYK files,
     * PNGs with a colour profile too), turned upright by its EXIF orientation ({@link ShownImage}).
     *
     * @param in the encoded bytes
     * @return the image, whose getRGB gives its sRGB values
     * @throws IOException if the bytes are no image ImageIO can read
     */
    public static BufferedImage decode(InputStream in) throws IOException {
        return decode(in.readAllBytes());
    }

    /** Decodes a PNG or JPEG held in memory; see {@link #decode(InputStream)}. */
    public static BufferedImage decode(byte[] bytes) throws IOException {
        BufferedImage stored = ImageIO.read(new ByteArrayInputStream(bytes));
        if (stored == null) {
            throw new IOException("not a PNG or JPEG image");
        }
        return ShownImage.of(stored, bytes);
    }

    /** Reads a PNG or JPEG file. */
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
