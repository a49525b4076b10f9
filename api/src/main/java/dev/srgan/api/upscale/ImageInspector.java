package dev.srgan.api.upscale;

import dev.srgan.core.errors.ApiException;
import dev.srgan.domain.images.ExifOrientation;
import dev.srgan.domain.images.ImageFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Checks an uploaded image before anything is stored: the format from its first bytes (PNG, JPEG
 * or WebP, {@link ImageFormat}), then the dimensions from its header alone, so a decompression bomb
 * is refused without ever being decoded (width and height as the picture is shown, after its EXIF
 * orientation), then its structure ({@link ImageStructure}: PNG chunks with their CRCs up to IEND,
 * JPEG markers up to EOI, WebP chunks to the RIFF size, TIFF directories and image data), so a
 * truncated upload is refused at once (400), as is an animated WebP or a TIFF of several pages.
 */
public final class ImageInspector {
    private ImageInspector() {}

    /** The format and size read from an image's header. */
    public record ImageInfo(ImageFormat format, int width, int height) {
        public String contentType() {
            return format.contentType();
        }

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
        byte[] head = new byte[ImageFormat.HEAD_BYTES];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            throw ApiException.badRequest(field, "the upload '" + name + "' could not be read");
        }
        if (n == 0) {
            throw ApiException.badRequest(field, "'" + name + "' is empty");
        }
        ImageFormat format = requireReadable(Arrays.copyOf(head, n), field, "'" + name + "'");
        // a TIFF's directory may follow its image data, where a cut-off file loses it: its structure first
        boolean walked = format == ImageFormat.TIFF;
        if (walked) {
            try {
                requireWhole(file, format, field, name);
            } catch (IOException e) {
                throw ApiException.badRequest(field, "the upload '" + name + "' could not be read");
            }
        }
        try (ImageInputStream iis = ImageIO.createImageInputStream(file.toFile())) {
            ImageReader reader = format.reader();
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
                ImageInfo info = new ImageInfo(format, w, h);
                if (info.pixels() > maxPixels) {
                    throw ApiException.tooLarge(
                            field,
                            "'" + name + "' is " + w + "x" + h + " = " + megapixels(info.pixels())
                                    + " megapixels; the limit is " + megapixels(maxPixels) + " megapixels");
                }
                if (!walked) {
                    requireWhole(file, format, field, name);
                }
                return info;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ApiException api) {
                throw api;
            }
            throw ApiException.badRequest(
                    field, "'" + name + "' is not a readable " + format.label() + " image (its header is damaged)");
        }
    }

    /**
     * The format of a file from its first bytes, or a refusal (415) naming what it is instead.
     *
     * @param what the file in the message, quoted: "'a.gif'" or "'a.gif' in 'photos.zip'"
     */
    public static ImageFormat requireReadable(byte[] head, String field, String what) {
        return ImageFormat.sniff(head)
                .orElseThrow(() -> ApiException.unsupportedType(
                        field,
                        "only " + ImageFormat.ALL + " images are supported; " + what + " is "
                                + ImageFormat.describe(head)));
    }

    /**
     * Refuses (400) a file whose PNG chunks, JPEG markers or WebP chunks are truncated or damaged,
     * and an animated WebP; nothing is decoded.
     */
    static void requireWhole(Path file, ImageFormat format, String field, String name) throws IOException {
        ImageStructure.Inspection found;
        try (InputStream in = Files.newInputStream(file)) {
            found = ImageStructure.inspect(in, format);
        }
        requireWhole(found, format, field, "'" + name + "'");
    }

    /** Refuses (400) what {@link ImageStructure} found wrong: {@code what} names the file, quoted. */
    public static void requireWhole(ImageStructure.Inspection found, ImageFormat format, String field, String what) {
        if (found.defect().isPresent()) {
            throw ApiException.badRequest(
                    field,
                    what + " is not a whole " + format.label() + " image: "
                            + found.defect().get());
        }
        if (found.animated() && format == ImageFormat.TIFF) {
            throw ApiException.badRequest(
                    field,
                    what + " is a TIFF of " + found.frames()
                            + " pages; only one picture is read: save the page you want as its own file");
        }
        if (found.animated()) {
            throw ApiException.badRequest(
                    field,
                    what + " is an animated WebP (" + found.frames()
                            + " frames); only still images are read: save the frame you want as a PNG");
        }
    }

    public static String megapixels(long pixels) {
        return String.format(java.util.Locale.ROOT, "%.1f", pixels / 1_000_000.0);
    }
}
