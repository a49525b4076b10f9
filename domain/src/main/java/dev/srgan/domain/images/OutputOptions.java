package dev.srgan.domain.images;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * What an upscale's result should be, apart from the model: its file format (PNG, JPEG at a
 * quality, or lossless WebP) and its final size, either {@code outscale} (a factor from 1 to 8, as Real-ESRGAN's
 * {@code --outscale}) or {@code width} (pixels; the height keeps the aspect ratio). The model always
 * upscales by its own scale (2, 4 or 8); a result of another size is resized from the model's
 * output afterwards. The api checks these at submission, records them in the job's params, the
 * worker and {@code ./srgan upscale} apply them, and the result names follow from them ({@link
 * ResultNames}). One class so that the three agree on every number and message.
 *
 * @param format the file format of the result
 * @param quality the JPEG quality, 1 to 100; null for PNG and WebP (both lossless)
 * @param outscale the final size as a factor of the input's, or null
 * @param width the final width in pixels, or null (never both outscale and width)
 */
public record OutputOptions(Format format, Integer quality, Double outscale, Integer width) {

    /** The JPEG quality when none is given: ImageIO's 0.75 looks blocky on upscaled photos; 92 does not. */
    public static final int DEFAULT_QUALITY = 92;
    /** The largest final factor, the largest model scale. */
    public static final double MAX_FACTOR = 8;

    /** A PNG at the model's scale: what every upscale gave before these options existed. */
    public static final OutputOptions DEFAULT = new OutputOptions(Format.PNG, null, null, null);

    /**
     * The file formats a result can have, each with the longest side its files can hold: a JPEG
     * stores its width and height in 16 bits, a lossless WebP (VP8L) stores width - 1 and height - 1
     * in 14.
     */
    public enum Format {
        PNG("png", "image/png", "png", "PNG", Integer.MAX_VALUE),
        JPEG("jpeg", "image/jpeg", "jpg", "JPEG", 65535),
        WEBP("webp", "image/webp", "webp", "WebP", 16384);

        private final String id;
        private final String contentType;
        private final String extension;
        private final String title;
        private final int maxSide;

        Format(String id, String contentType, String extension, String title, int maxSide) {
            this.id = id;
            this.contentType = contentType;
            this.extension = extension;
            this.title = title;
            this.maxSide = maxSide;
        }

        /** The name in the api and in params: {@code png}, {@code jpeg} or {@code webp}. */
        public String id() {
            return id;
        }

        /** The name people know it by: PNG, JPEG, WebP. */
        public String title() {
            return title;
        }

        /** The most pixels a side of one of its files can have. */
        public int maxSide() {
            return maxSide;
        }

        /** The format whose result has this content type, if any. */
        public static Optional<Format> ofContentType(String contentType) {
            for (Format f : values()) {
                if (f.contentType.equals(contentType)) {
                    return Optional.of(f);
                }
            }
            return Optional.empty();
        }

        /** The result's content type. */
        public String contentType() {
            return contentType;
        }

        /** The extension of a result file, without the dot: {@code png}, {@code jpg} or {@code webp}. */
        public String extension() {
            return extension;
        }
    }

    /** The final size of a result. */
    public record Size(int width, int height) {
        @Override
        public String toString() {
            return width + "x" + height;
        }
    }

    /**
     * An option that cannot be used. {@link #unprocessable()} tells the two kinds apart: false for
     * a value that is wrong in itself (HTTP 400), true for one that is well formed but cannot be met
     * for this image or model (HTTP 422).
     */
    public static final class InvalidOption extends IllegalArgumentException {
        private final String field;
        private final boolean unprocessable;

        InvalidOption(String field, String message, boolean unprocessable) {
            super(message);
            this.field = field;
            this.unprocessable = unprocessable;
        }

        /**
         * The option at fault: {@code format}, {@code quality}, {@code outscale} or {@code width}, or
         * a {@link ModelBlend}'s {@code blendModelId} or {@code blendWeight}.
         */
        public String field() {
            return field;
        }

        /** Whether the value is well formed but cannot be met for this image or model. */
        public boolean unprocessable() {
            return unprocessable;
        }
    }

    /** Checks the combination; the parsers give readable messages before this is reached. */
    public OutputOptions {
        if (format == null) {
            throw new IllegalArgumentException("format is required");
        }
        if ((quality != null) != (format == Format.JPEG)) {
            throw new IllegalArgumentException("a JPEG has a quality, a PNG or a WebP none");
        }
        if (outscale != null && width != null) {
            throw new IllegalArgumentException("outscale and width exclude each other");
        }
    }

    /**
     * Reads the options as they arrive in a form or on a command line; blank or null means not
     * given.
     *
     * @param format {@code png} (the default), {@code jpeg} ({@code jpg} too) or {@code webp}, any case
     * @param quality 1 to 100, only with jpeg; 92 when not given
     * @param outscale a number from 1 to 8
     * @param width a whole number of pixels, at least 1; not with outscale
     * @throws InvalidOption for a value that is wrong in itself (never {@link
     *     InvalidOption#unprocessable()})
     */
    public static OutputOptions parse(String format, String quality, String outscale, String width) {
        Format f = parseFormat(format);
        Integer q = blank(quality) ? null : parseQuality(quality);
        if (q != null && f != Format.JPEG) {
            throw new InvalidOption(
                    "quality",
                    "quality applies to JPEG only (PNG and WebP are lossless); add format=jpeg or leave quality out",
                    false);
        }
        Double o = blank(outscale) ? null : parseOutscale(outscale);
        Integer w = blank(width) ? null : parseWidth(width);
        if (o != null && w != null) {
            throw new InvalidOption(
                    "width",
                    "give either outscale or width, not both (width " + w + ", outscale " + text(o) + ")",
                    false);
        }
        if (f == Format.JPEG && q == null) {
            q = DEFAULT_QUALITY;
        }
        return new OutputOptions(f, q, o, w);
    }

    /**
     * Reads the options recorded in a job's params ({@link #params()}); absent members are the
     * defaults, so a job recorded before these options existed is a PNG at the model's scale.
     *
     * @param member the text of a params member by name, null when absent
     * @throws InvalidOption when the recorded values are not valid
     */
    public static OutputOptions fromParams(Function<String, String> member) {
        return parse(member.apply("format"), member.apply("quality"), member.apply("outscale"), member.apply("width"));
    }

    /**
     * The options as members of a job's params JSON, without braces: {@code "format":"png"} or
     * {@code "format":"jpeg","quality":92,"outscale":2.5}.
     */
    public String params() {
        StringBuilder s = new StringBuilder("\"format\":\"").append(format.id()).append('"');
        if (quality != null) {
            s.append(",\"quality\":").append(quality);
        }
        if (outscale != null) {
            s.append(",\"outscale\":").append(text(outscale));
        }
        if (width != null) {
            s.append(",\"width\":").append(width);
        }
        return s.toString();
    }

    /** Whether these are the options of an upscale that gives none: a PNG at the model's scale. */
    public boolean isDefault() {
        return equals(DEFAULT);
    }

    /**
     * The model scale to use when the request names none: the smallest of 2, 4 and 8 that reaches
     * the final size, so the model's output is shrunk as little as possible (outscale 3: the 4x
     * model, then 0.75); 4 when no size is asked for.
     *
     * @param inputWidth the input's width, which {@code width} is a factor of
     * @throws InvalidOption (unprocessable) when {@code width} asks for more than 8 times the input
     */
    public int modelScale(int inputWidth) {
        double factor;
        if (outscale != null) {
            factor = outscale;
        } else if (width != null) {
            requireWidthFactor(inputWidth);
            factor = (double) width / inputWidth;
        } else {
            return 4;
        }
        return factor <= 2 ? 2 : factor <= 4 ? 4 : 8;
    }

    /**
     * The final size of an input's result: {@code round(w * outscale) x round(h * outscale)},
     * {@code width x round(h * width / w)}, or the model's output size when neither is given. It
     * is never larger than the model's output, which is resized down to it.
     *
     * @param inputWidth the input's width (as the picture is shown)
     * @param inputHeight the input's height
     * @param modelScale the scale of the model that upscales it
     * @throws InvalidOption (unprocessable) when the size is beyond the model's output or below the
     *     input's size, or when a side is longer than the format holds ({@link Format#maxSide()})
     */
    public Size size(int inputWidth, int inputHeight, int modelScale) {
        Size size = unchecked(inputWidth, inputHeight, modelScale);
        if (Math.max(size.width(), size.height()) > format.maxSide()) {
            throw new InvalidOption(
                    "format",
                    "a " + format.title() + " holds at most " + format.maxSide() + " pixels a side, and this result"
                            + " would be " + size + "; choose png"
                            + (format == Format.WEBP
                                            && size.width() <= Format.JPEG.maxSide()
                                            && size.height() <= Format.JPEG.maxSide()
                                    ? " or jpeg"
                                    : "")
                            + ", or a smaller size",
                    true);
        }
        return size;
    }

    private Size unchecked(int inputWidth, int inputHeight, int modelScale) {
        if (outscale != null) {
            if (outscale > modelScale) {
                throw new InvalidOption(
                        "outscale",
                        "outscale " + text(outscale) + " is more than the " + modelScale + "x model upscales; "
                                + "choose scale " + modelScale(inputWidth) + " or more (or leave scale out to have "
                                + "it chosen from outscale), or an outscale of at most " + modelScale,
                        true);
            }
            return new Size(
                    atLeastOne(Math.round(inputWidth * outscale)), atLeastOne(Math.round(inputHeight * outscale)));
        }
        if (width != null) {
            requireWidthFactor(inputWidth);
            if ((long) width > (long) inputWidth * modelScale) {
                throw new InvalidOption(
                        "width",
                        "width " + width + " is more than the " + modelScale + "x model makes of the image's width of "
                                + inputWidth + " (" + (long) inputWidth * modelScale + "); choose scale "
                                + modelScale(inputWidth) + " or more (or leave scale out to have it chosen from "
                                + "width), or a width of at most " + (long) inputWidth * modelScale,
                        true);
            }
            return new Size(width, atLeastOne(Math.round((double) inputHeight * width / inputWidth)));
        }
        return new Size(inputWidth * modelScale, inputHeight * modelScale);
    }

    /**
     * What a result's name says of its size: {@code x4} at the model's scale, {@code x3} or
     * {@code x2.5} with outscale, {@code w1920} with width.
     */
    public String label(int modelScale) {
        if (outscale != null) {
            return "x" + text(outscale);
        }
        if (width != null) {
            return "w" + width;
        }
        return "x" + modelScale;
    }

    /** The options as one line of text for a request's fingerprint: equal exactly when the options are. */
    public String fingerprint() {
        return params();
    }

    /** A number as written in params and names: {@code 3}, {@code 2.5} (no trailing zeros, no exponent). */
    public static String text(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    private void requireWidthFactor(int inputWidth) {
        if (width < inputWidth) {
            throw new InvalidOption(
                    "width",
                    "width " + width + " is less than the image's width of " + inputWidth
                            + "; a result is at least as large as its input",
                    true);
        }
        if (width > MAX_FACTOR * inputWidth) {
            throw new InvalidOption(
                    "width",
                    "width " + width + " is more than 8 times the image's width of " + inputWidth + "; the most is "
                            + (long) (MAX_FACTOR * inputWidth),
                    true);
        }
    }

    private static Format parseFormat(String text) {
        if (blank(text)) {
            return Format.PNG;
        }
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "png" -> Format.PNG;
            case "jpeg", "jpg" -> Format.JPEG;
            case "webp" -> Format.WEBP;
            default -> throw new InvalidOption("format", "format must be png, jpeg or webp, got '" + text + "'", false);
        };
    }

    private static int parseQuality(String text) {
        try {
            int q = Integer.parseInt(text.trim());
            if (q >= 1 && q <= 100) {
                return q;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new InvalidOption("quality", "quality must be a whole number from 1 to 100, got '" + text + "'", false);
    }

    private static double parseOutscale(String text) {
        try {
            // BigDecimal refuses NaN, Infinity and hexadecimal, which Double.parseDouble takes
            BigDecimal value = new BigDecimal(text.trim());
            if (value.compareTo(BigDecimal.ONE) >= 0 && value.compareTo(BigDecimal.valueOf(MAX_FACTOR)) <= 0) {
                return value.doubleValue();
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new InvalidOption(
                "outscale", "outscale must be a number from 1 to 8, such as 3 or 2.5, got '" + text + "'", false);
    }

    private static int parseWidth(String text) {
        try {
            int w = Integer.parseInt(text.trim());
            if (w >= 1) {
                return w;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new InvalidOption(
                "width", "width must be a whole number of pixels, at least 1, got '" + text + "'", false);
    }

    private static int atLeastOne(long value) {
        return (int) Math.max(1, value);
    }

    private static boolean blank(String text) {
        return text == null || text.isBlank();
    }
}
