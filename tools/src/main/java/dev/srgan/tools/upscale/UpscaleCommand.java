package dev.srgan.tools.upscale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srgan.domain.images.ImageFormat;
import dev.srgan.domain.images.OutputOptions;
import dev.srgan.domain.images.ResultNames;
import dev.srgan.networks.image.Bicubic;
import dev.srgan.networks.image.Images;
import dev.srgan.networks.image.ResultWriter;
import dev.srgan.networks.inference.Precision;
import dev.srgan.networks.inference.UpscaleListener;
import dev.srgan.networks.inference.Upscaler;
import dev.srgan.tools.AtomicFiles;
import dev.srgan.tools.ImageFolder;
import dev.srgan.tools.eval.EvaluateCommand;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * {@code ./srgan upscale IMAGE|FOLDER... [--scale 4] [--model FILE] [--out DIR] [--precision auto]
 * [--outscale X | --width PX] [--format png|jpeg|webp] [--quality N]}: upscales PNG, JPEG, WebP and TIFF files on this machine,
 * without the cluster: with a model file (a checkpoint zip from {@code ./srgan train} or a download,
 * or a TorchScript {@code .pt}), or else the shipped default model for the scale. Each image is read
 * as an upscale job reads it (upright, in sRGB), tiled the same way, resized to the output scale if
 * one is given and written as PNG, JPEG or lossless WebP with the upscale job's output options ({@link
 * OutputOptions}), as {@code <name>-x<scale>.png} (or {@code -x3.jpg}, {@code -x2.5.png}, {@code
 * -w1920.png}) into the output folder, named as in a batch's zip. With {@code --width} and neither
 * {@code --scale} nor {@code --model}, each image gets the shipped model of the smallest scale that
 * reaches the width from its own, as a batch's images do in the api. An image that cannot be read or upscaled is reported and
 * the others go on; the exit status is then 1.
 */
public final class UpscaleCommand {

    static final String USAGE = "usage: ./srgan upscale IMAGE|FOLDER... [--scale 2|4|8] [--model FILE]"
            + " [--blend FILE --weight 0..1 [--blend-mode weights|pixels]] [--out DIR] [--precision auto|float32|bfloat16]"
            + " [--outscale 1..8 | --width PIXELS] [--format png|jpeg|webp] [--quality 1..100]";
    /** Bytes of heap per output pixel while a result is assembled and encoded (measured about 16). */
    private static final long BYTES_PER_OUTPUT_PIXEL = 20;

    private UpscaleCommand() {}

    public static void main(String[] args) {
        try {
            System.exit(run(args, System.out, System.err));
        } catch (IllegalArgumentException e) {
            System.err.println("srgan upscale: " + e.getMessage());
            System.exit(2);
        } catch (IOException e) {
            System.err.println("srgan upscale: " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * Runs the command.
     *
     * @return 0 when every image was upscaled, 1 when one or more were not
     * @throws IllegalArgumentException for bad options, with the message to print
     * @throws IOException when the model cannot be loaded or the output folder not created
     */
    static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        List<Path> inputs = new ArrayList<>();
        Path model = null;
        Path outDir = Path.of(".");
        Integer scale = null;
        Precision precision = Precision.AUTO;
        String format = null;
        String quality = null;
        String outscale = null;
        String width = null;
        String blendWith = null;
        String blendWeight = null;
        String blendMode = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                inputs.add(Path.of(a));
                continue;
            }
            String v = i + 1 < args.length && !args[i + 1].startsWith("--") ? args[++i] : null;
            if (v == null) {
                throw new IllegalArgumentException(a + " needs a value; " + USAGE);
            }
            switch (a) {
                case "--model" -> model = Path.of(v);
                case "--out" -> outDir = Path.of(v);
                case "--precision" -> precision = Precision.parse(v);
                case "--scale" -> scale = scale(v);
                case "--format" -> format = v;
                case "--quality" -> quality = v;
                case "--outscale" -> outscale = v;
                case "--width" -> width = v;
                case "--blend" -> blendWith = v;
                case "--weight" -> blendWeight = v;
                case "--blend-mode" -> blendMode = v;
                default -> throw new IllegalArgumentException("unknown option " + a + "; " + USAGE);
            }
        }
        OutputOptions options = options(format, quality, outscale, width);
        if (scale != null) {
            requireReachable(options, scale, null);
        }
        EvaluateCommand.Blend blend = EvaluateCommand.Blend.of(blendWith, blendWeight, blendMode);
        List<Path> images = images(inputs);
        if (model == null && scale == null && options.width() != null) {
            if (blend != null) {
                throw new IllegalArgumentException("--blend needs the model it blends into: pass --scale or --model");
            }
            Files.createDirectories(outDir);
            return perImageScale(images, options, precision, outDir, out, err);
        }
        if (model == null) {
            // without --scale: 4, or the smallest that reaches --outscale (3: the 4x model, then resized)
            model = shippedDefault(scale == null ? options.modelScale(1) : scale);
        } else if (!Files.isRegularFile(model)) {
            throw new IllegalArgumentException("no model file " + model);
        }
        boolean torchScript = model.getFileName().toString().endsWith(".pt");
        if (torchScript && scale == null) {
            throw new IllegalArgumentException("a TorchScript model does not say its scale; pass --scale");
        }
        Files.createDirectories(outDir);

        try (Upscaler upscaler = EvaluateCommand.load(model, scale == null ? 0 : scale, precision, blend)) {
            if (scale != null && upscaler.scale() != scale) {
                throw new IllegalArgumentException(model + " upscales by " + upscaler.scale() + ", not " + scale
                        + "; pass --scale " + upscaler.scale() + " or another --model");
            }
            int s = upscaler.scale();
            requireReachable(options, s, model.getFileName().toString());
            List<String> names = ResultNames.of(
                    images.stream().map(p -> p.getFileName().toString()).toList(), options, s);
            out.printf(
                    "upscaling %d image%s %dx with %s%s (%s) into %s%s%n",
                    images.size(),
                    images.size() == 1 ? "" : "s",
                    s,
                    model,
                    blend == null ? "" : blend.text(),
                    upscaler.precision().toString().toLowerCase(Locale.ROOT),
                    outDir,
                    describe(options, s));
            return upscaleAll(images, names, outDir, options, inputWidth -> upscaler, s, out, err);
        }
    }

    /** The model for an image, by the image's width as shown. */
    private interface ModelFor {
        Upscaler of(int inputWidth) throws IOException;
    }

    /**
     * {@code --width} without {@code --scale} or {@code --model}: each image gets the shipped model
     * of the smallest scale that reaches the width from its own, each model loaded once.
     */
    private static int perImageScale(
            List<Path> images,
            OutputOptions options,
            Precision precision,
            Path outDir,
            PrintStream out,
            PrintStream err)
            throws IOException {
        Map<Integer, Upscaler> loaded = new TreeMap<>();
        try {
            out.printf(
                    "upscaling %d image%s to %d px wide, each with the shipped model of the smallest scale that"
                            + " reaches it, into %s%s%n",
                    images.size(), images.size() == 1 ? "" : "s", options.width(), outDir, describe(options, 0));
            ModelFor models = inputWidth -> {
                int s = options.modelScale(inputWidth);
                Upscaler u = loaded.get(s);
                if (u == null) {
                    u = EvaluateCommand.load(shippedDefault(s), s, precision);
                    loaded.put(s, u);
                }
                return u;
            };
            // a width's name does not depend on the scale: photo-w1920.png
            List<String> names = ResultNames.of(
                    images.stream().map(p -> p.getFileName().toString()).toList(), options, 4);
            return upscaleAll(images, names, outDir, options, models, 0, out, err);
        } finally {
            for (Upscaler u : loaded.values()) {
                u.close();
            }
        }
    }

    /**
     * Upscales each image into its name in {@code outDir}; a failure is reported and the others go on.
     *
     * @param fixedScale the scale of every image's model, or 0 when it is chosen per image
     * @return 0 when every image was upscaled, 1 when one or more were not
     */
    private static int upscaleAll(
            List<Path> images,
            List<String> names,
            Path outDir,
            OutputOptions options,
            ModelFor models,
            int fixedScale,
            PrintStream out,
            PrintStream err) {
        int failed = 0;
        for (int i = 0; i < images.size(); i++) {
            Path input = images.get(i);
            Path output = outDir.resolve(names.get(i));
            try {
                upscale(models, fixedScale, options, input, output, out, err);
            } catch (IOException | RuntimeException e) {
                failed++;
                err.println("srgan upscale: " + input + ": " + e.getMessage());
            }
        }
        if (failed > 0) {
            err.printf("srgan upscale: %d of %d images failed%n", failed, images.size());
            return 1;
        }
        return 0;
    }

    private static void upscale(
            ModelFor models,
            int fixedScale,
            OutputOptions options,
            Path input,
            Path output,
            PrintStream out,
            PrintStream err)
            throws IOException {
        if (fixedScale > 0) {
            checkMemory(input, fixedScale);
        }
        long start = System.nanoTime();
        BufferedImage image = Images.read(input);
        Upscaler upscaler = models.of(image.getWidth());
        if (fixedScale == 0) {
            checkMemory(input, upscaler.scale());
        }
        // the size first: a width the model cannot reach fails before the work
        OutputOptions.Size size = options.size(image.getWidth(), image.getHeight(), upscaler.scale());
        boolean console = System.console() != null && err == System.err;
        BufferedImage result = upscaler.upscale(image, new UpscaleListener() {
            @Override
            public void onProgress(int tilesDone, int tilesTotal) {
                if (console && tilesTotal > 1) {
                    err.printf("\r  %s: tile %d of %d ", input.getFileName(), tilesDone, tilesTotal);
                }
            }

            @Override
            public boolean isCancelled() {
                return false;
            }
        });
        if (console) {
            err.print("\r\033[K");
        }
        if (result.getWidth() != size.width() || result.getHeight() != size.height()) {
            result = Bicubic.resize(result, size.width(), size.height());
        }
        BufferedImage written = result;
        AtomicFiles.write(output, o -> ResultWriter.write(written, options, o)); // a JPEG's alpha on white
        out.printf(
                "%s %dx%d -> %s %dx%d%s in %.1f s%n",
                input,
                image.getWidth(),
                image.getHeight(),
                output,
                result.getWidth(),
                result.getHeight(),
                fixedScale == 0 ? " (" + upscaler.scale() + "x model)" : "",
                (System.nanoTime() - start) / 1e9);
    }

    /** Fails before decoding an image whose result would not fit in this JVM's heap. */
    private static void checkMemory(Path input, int scale) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(input)) {
            head = in.readNBytes(ImageFormat.HEAD_BYTES);
        }
        ImageFormat format = ImageFormat.sniff(head)
                .orElseThrow(() -> new IOException(
                        "not a " + ImageFormat.NAMES + " image (it is " + ImageFormat.describe(head) + ")"));
        try (ImageInputStream in = ImageIO.createImageInputStream(input.toFile())) {
            ImageReader reader = format.reader();
            try {
                reader.setInput(in, true, true);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0) * scale * scale;
                long needed = pixels * BYTES_PER_OUTPUT_PIXEL;
                if (pixels > Integer.MAX_VALUE || needed > Runtime.getRuntime().maxMemory()) {
                    throw new IOException(String.format(
                            "%dx%d upscaled %dx needs about %d MB of memory, more than the %d MB this JVM may use"
                                    + " (set JAVA_TOOL_OPTIONS=-Xmx...)",
                            reader.getWidth(0),
                            reader.getHeight(0),
                            scale,
                            needed >> 20,
                            Runtime.getRuntime().maxMemory() >> 20));
                }
            } finally {
                reader.dispose();
            }
        }
    }

    /** The files named, and every PNG, JPEG, WebP and TIFF directly inside each folder named, in name order. */
    static List<Path> images(List<Path> inputs) throws IOException {
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("name one or more images or folders; " + USAGE);
        }
        List<Path> images = new ArrayList<>();
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                images.addAll(ImageFolder.images(p));
            } else if (Files.isRegularFile(p)) {
                images.add(p);
            } else {
                throw new IllegalArgumentException("no file or folder " + p);
            }
        }
        return images;
    }

    /**
     * The shipped default model of a scale: the entry of {@code models/shipped.json} (under the
     * {@code srgan.home} system property, else the working directory) marked default.
     */
    static Path shippedDefault(int scale) throws IOException {
        Path models = Path.of(System.getProperty("srgan.home", ".")).resolve("models");
        Path index = models.resolve("shipped.json");
        if (!Files.isRegularFile(index)) {
            throw new IllegalArgumentException(
                    "no " + index + " to find the shipped " + scale + "x model in; pass --model");
        }
        for (JsonNode m : new ObjectMapper().readTree(index.toFile()).path("models")) {
            if (m.path("scale").asInt() == scale && m.path("default").asBoolean()) {
                return models.resolve(m.path("file").asText());
            }
        }
        throw new IllegalArgumentException("no shipped " + scale + "x model; pass --model, or --scale 2, 4 or 8");
    }

    /**
     * The output options, as the api takes them; a bad one is named by its flag ({@code --quality
     * must be a whole number from 1 to 100, got '0'}).
     */
    static OutputOptions options(String format, String quality, String outscale, String width) {
        try {
            return OutputOptions.parse(format, quality, outscale, width);
        } catch (OutputOptions.InvalidOption e) {
            String m = e.getMessage();
            throw new IllegalArgumentException((m.startsWith(e.field()) ? "--" + m : m)
                    .replace("format=jpeg", "--format jpeg")
                    .replace(" or leave ", " or leave --")
                    .replace("either outscale or width", "either --outscale or --width"));
        }
    }

    /**
     * Refuses an output scale the model cannot reach before any image is read.
     *
     * @param model the model file's name, or null when only --scale is known yet
     */
    private static void requireReachable(OutputOptions options, int scale, String model) {
        if (options.outscale() != null && options.outscale() > scale) {
            throw new IllegalArgumentException("--outscale " + OutputOptions.text(options.outscale())
                    + " is more than the " + scale + "x model" + (model == null ? "" : " " + model)
                    + " upscales; pass --scale " + options.modelScale(1) + " or more (or leave --scale and --model"
                    + " out to have it chosen), or --outscale " + scale + " or less");
        }
    }

    /** What the header line adds for output options: nothing for PNGs at the model's scale. */
    private static String describe(OutputOptions options, int scale) {
        String resized = options.width() != null && scale > 0
                ? ", resized to " + options.width() + " px wide"
                : options.outscale() == null || options.outscale() == scale
                        ? ""
                        : ", resized to " + OutputOptions.text(options.outscale()) + "x";
        String format = switch (options.format()) {
            case PNG -> "";
            case JPEG -> ", as JPEG (quality " + options.quality() + ")";
            case WEBP -> ", as lossless WebP";
        };
        return resized + format;
    }

    private static int scale(String v) {
        try {
            int s = Integer.parseInt(v);
            if (s == 2 || s == 4 || s == 8) {
                return s;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new IllegalArgumentException("--scale must be 2, 4 or 8, not " + v);
    }
}
