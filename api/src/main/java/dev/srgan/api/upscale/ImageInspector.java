package dev.srgan.api.upscale;

import dev.srgan.core.errors.ApiException;
import dev.srgan.domain.images.ExifOrientation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Checks an uploaded image before anything is stored: the format from its first bytes (only PNG
 * and JPEG), then the dimensions from its header alone, so a decompression bomb is refused
 * without ever being decoded (width and height as the picture is shown, after its EXIF orientation),
 * then its structure ({@link ImageStructure}: PNG chunks with their
 * CRCs up to IEND, JPEG markers up to EOI), so a truncated upload is refused at once (400).
 */
public final class ImageInspector {
    private ImageInspector() {}

    /** The format and size read from an image's header. */
    public record ImageInfo(String format, String contentType, int width, int height) {
        public long pixels() {
            return (long) width * height;
        }
    }

    private static int orientation(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return ExifOrientation.read(in);
        }
    }

    /** Inspects {@code file}; {@code field} and {@code name} appear in error messages. */
    public static ImageInfo inspect(Path file, String field, String name, long maxPixels) {
        byte[] head = new byte[16];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw ApiException.badRequest(field, "the upload '" + name + "' could not be read");
        }
        if (n == 0) {
            throw ApiException.badRequest(field, "'" + name + "' is empty");
        }
        String format = sniff(Arrays.copyOf(head, n));
        if (!format.equals("PNG") && !format.equals("JPEG")) {
            throw ApiException.unsupportedType(
                    field, "only PNG and JPEG images are supported; '" + name + "' is " + format);
        }
        try (ImageInputStream iis = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
            if (!readers.hasNext()) {
                throw ApiException.badRequest(field, "'" + name + "' is not a readable " + format + " image");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(iis, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w <= 0 || h <= 0) {
                    throw ApiException.badRequest(field, "'" + name + "' has no pixels");
                }
                if (ExifOrientation.swapsAxes(orientation(file))) { // the size as the picture is shown
                    int stored = w;
                    w = h;
                    h = stored;
                }
                ImageInfo info = new ImageInfo(format, format.equals("PNG") ? "image/png" : "image/jpeg", w, h);
                if (info.pixels() > maxPixels) {
                    throw ApiException.tooLarge(
                            field,
                            "'" + name + "' is " + w + "x" + h + " = " + megapixels(info.pixels())
                                    + " megapixels; the limit is " + megapixels(maxPixels) + " megapixels");
                }
                requireWhole(file, format, field, name);
                return info;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ApiException api) {
                throw api;
            }
            throw ApiException.badRequest(
                    field, "'" + name + "' is not a readable " + format + " image (its header is damaged)");
        }
    }

    /** Refuses (400) a file whose PNG chunks or JPEG markers are truncated or damaged; nothing is decoded. */
    static void requireWhole(Path file, String format, String field, String name) throws IOException {
        java.util.Optional<String> defect;
        try (InputStream in = Files.newInputStream(file)) {
            defect = ImageStructure.defect(in, format);
        }
        if (defect.isPresent()) {
            throw ApiException.badRequest(field, "'" + name + "' is not a whole " + format + " image: " + defect.get());
        }
    }

    /** The format named by a file's magic bytes. */
    public static String sniff(byte[] b) {
        if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
            return "PNG";
        }
        if (b.length >= 3 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8 && (b[2] & 0xff) == 0xFF) {
            return "JPEG";
        }
        if (b.length >= 4 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8') {
            return "a GIF image";
        }
        if (b.length >= 2 && b[0] == 'B' && b[1] == 'M') {
            return "a BMP image";
        }
        if (b.length >= 12
                && b[0] == 'R'
                && b[1] == 'I'
                && b[2] == 'F'
                && b[3] == 'F'
                && b[8] == 'W'
                && b[9] == 'E'
                && b[10] == 'B'
                && b[11] == 'P') {
            return "a WebP image";
        }
        if (b.length >= 4
                && ((b[0] == 'I' && b[1] == 'I' && b[2] == 42) || (b[0] == 'M' && b[1] == 'M' && b[3] == 42))) {
            return "a TIFF image";
        }
        if (b.length >= 4 && b[0] == '%' && b[1] == 'P' && b[2] == 'D' && b[3] == 'F') {
            return "a PDF document";
        }
        return "not an image format we know";
    }

    public static String megapixels(long pixels) {
        return String.format(java.util.Locale.ROOT, "%.1f", pixels / 1_000_000.0);
    }
}
