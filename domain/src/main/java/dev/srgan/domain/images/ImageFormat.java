package dev.srgan.domain.images;

import com.twelvemonkeys.imageio.plugins.webp.WebPImageReaderSpi;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;

/**
 * The image files the cluster reads, as uploads, dataset photos and on the command line: PNG, JPEG,
 * WebP (lossy, lossless, with alpha; a still image) and TIFF (one page: a scanner's or a photo
 * editor's export). Known by their first bytes, never by their names alone; named by their
 * extensions only where a folder or a zip is searched for images.
 */
public enum ImageFormat {
    PNG("PNG", "image/png", List.of("png")),
    JPEG("JPEG", "image/jpeg", List.of("jpg", "jpeg")),
    /** Decoded by TwelveMonkeys' pure-Java WebP reader (the JDK has none). */
    WEBP("WebP", "image/webp", List.of("webp")),
    /** Decoded by the JDK's TIFF reader: uncompressed, LZW, Deflate, PackBits or JPEG; 8 or 16 bits. */
    TIFF("TIFF", "image/tiff", List.of("tif", "tiff"));

    /** The formats in words, for messages: "PNG, JPEG, WebP or TIFF". */
    public static final String NAMES = "PNG, JPEG, WebP or TIFF";

    /** The formats in words, for messages: "PNG, JPEG, WebP and TIFF". */
    public static final String ALL = "PNG, JPEG, WebP and TIFF";

    /** The extensions, for messages: ".png, .jpg, .jpeg, .webp, .tif, .tiff". */
    public static final String EXTENSIONS = ".png, .jpg, .jpeg, .webp, .tif, .tiff";

    /** How many first bytes {@link #sniff} and {@link #describe} need. */
    public static final int HEAD_BYTES = 16;

    private final String label;
    private final String contentType;
    private final List<String> extensions;

    ImageFormat(String label, String contentType, List<String> extensions) {
        this.label = label;
        this.contentType = contentType;
        this.extensions = extensions;
    }

    /** "PNG", "JPEG" or "WebP". */
    public String label() {
        return label;
    }

    public String contentType() {
        return contentType;
    }

    /** Its usual file extension, without the dot: "png", "jpg", "webp" or "tif". */
    public String extension() {
        return extensions.get(0);
    }

    /** A new reader of this format, its input not set; the caller disposes of it. */
    public ImageReader reader() {
        if (this == WEBP) {
            // made directly, so the reader does not depend on ImageIO's registry having seen the plugin
            return new WebPImageReaderSpi().createReaderInstance(null);
        }
        return ImageIO.getImageReadersByFormatName(name().toLowerCase(Locale.ROOT))
                .next();
    }

    /**
     * The format named by a file's first bytes.
     *
     * @param head the file's first bytes ({@link #HEAD_BYTES} suffice; fewer for a shorter file)
     * @return empty for anything but PNG, JPEG, WebP and TIFF (BigTIFF, which the JDK does not read, is not TIFF here)
     */
    public static Optional<ImageFormat> sniff(byte[] head) {
        if (head.length >= 8 && (head[0] & 0xff) == 0x89 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G') {
            return Optional.of(PNG);
        }
        if (head.length >= 3 && (head[0] & 0xff) == 0xFF && (head[1] & 0xff) == 0xD8 && (head[2] & 0xff) == 0xFF) {
            return Optional.of(JPEG);
        }
        if (head.length >= 12 && ascii(head, 0, "RIFF") && ascii(head, 8, "WEBP")) {
            return Optional.of(WEBP);
        }
        if (head.length >= 8 && (ascii(head, 0, "II*\0") || ascii(head, 0, "MM\0*"))) {
            return Optional.of(TIFF);
        }
        return Optional.empty();
    }

    /**
     * What a file is, in words for a message, from its first bytes: "PNG", "JPEG", "WebP", "TIFF",
     * or for the formats not read, "a GIF image", "a HEIC image" and so on.
     */
    public static String describe(byte[] head) {
        Optional<ImageFormat> known = sniff(head);
        if (known.isPresent()) {
            return known.get().label;
        }
        if (head.length >= 4 && ascii(head, 0, "GIF8")) {
            return "a GIF image";
        }
        if (head.length >= 2 && ascii(head, 0, "BM")) {
            return "a BMP image";
        }
        if (head.length >= 4 && (ascii(head, 0, "II+\0") || ascii(head, 0, "MM\0+"))) {
            return "a BigTIFF image";
        }
        if (head.length >= 12 && ascii(head, 4, "ftyp")) {
            String brand = new String(head, 8, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            if (brand.startsWith("avi")) {
                return "an AVIF image";
            }
            if (brand.startsWith("hei") || brand.startsWith("hev")) {
                return "a HEIC image";
            }
            if (brand.equals("mif1") || brand.equals("msf1")) {
                return "a HEIF image";
            }
        }
        if (head.length >= 4 && ascii(head, 0, "%PDF")) {
            return "a PDF document";
        }
        return "not an image format we know";
    }

    /** The format of a stored file by its content type ("image/webp"). */
    public static Optional<ImageFormat> byContentType(String contentType) {
        for (ImageFormat f : values()) {
            if (f.contentType.equals(contentType)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** The format a file's name says, by its extension (any case). */
    public static Optional<ImageFormat> byName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        String extension = lower.substring(lower.lastIndexOf('.') + 1);
        if (extension.length() == lower.length()) {
            return Optional.empty();
        }
        for (ImageFormat f : values()) {
            if (f.extensions.contains(extension)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** True for a name with the extension of a format read here: .png, .jpg, .jpeg, .webp, .tif or .tiff. */
    public static boolean isImageName(String name) {
        return byName(name).isPresent();
    }

    private static boolean ascii(byte[] b, int at, String text) {
        for (int i = 0; i < text.length(); i++) {
            if (b[at + i] != text.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
