package dev.srgan.tools.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srgan.domain.images.ModelBlend;
import dev.srgan.networks.evaluation.Comparison;
import dev.srgan.networks.evaluation.Evaluator;
import dev.srgan.networks.image.Degradation;
import dev.srgan.networks.image.Images;
import dev.srgan.networks.inference.Precision;
import dev.srgan.networks.inference.Upscaler;
import dev.srgan.tools.ImageFolder;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./srgan eval --model FILE --images DIR [--scale 4] [--precision float32] [--json OUT] [--comparison CROP.png]}:
 * evaluates a model file (a checkpoint zip, or a TorchScript generator {@code .pt}) on every PNG, JPEG, WebP and TIFF in a folder and
 * prints PSNR/SSIM of the model and of bicubic, NIQE of the model's output, of bicubic and of the
 * original ({@code niqe}, {@code bicubicNiqe}, {@code hrNiqe} in the JSON report; null for an image
 * under 192x192 after the border crop), per image and mean, and the time per image. {@code --precision} (checkpoints
 * only; default float32, the reference) runs the generator in bfloat16 to measure what that costs.
 * {@code --degrade} makes the LR inputs as a real photo would be ({@link Degradation}: blur before
 * the shrink, noise and JPEG after; each image's noise seeded by its place in the folder), for a
 * model trained with {@code blurSigma}, {@code noiseSigma} or {@code jpegQuality}; the JSON report
 * then has a {@code degradation} member.
 */
public final class EvaluateCommand {
    private static final String USAGE = "./srgan eval --model FILE --images DIR [--scale 4]"
            + " [--blend FILE --weight 0..1 [--blend-mode weights|pixels]] [--precision auto|float32|bfloat16]"
            + " [--degrade blur=1.5,noise=5,jpeg=67] [--json OUT] [--comparison CROP.png]";

    private EvaluateCommand() {}

    public static void main(String[] args) {
        try {
            System.exit(run(args));
        } catch (IllegalArgumentException e) {
            System.err.println("srgan eval: " + e.getMessage());
            System.exit(2);
        } catch (IOException e) {
            System.err.println("srgan eval: " + e.getMessage());
            System.exit(1);
        }
    }

    static int run(String[] args) throws IOException {
        Path model = null;
        Path images = null;
        Path json = null;
        Path comparison = null;
        int scale = 4;
        Precision precision = Precision.FLOAT32;
        Degradation degradation = Degradation.NONE;
        String blendWith = null;
        String blendWeight = null;
        String blendMode = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--model" -> {
                    model = Path.of(require(a, v));
                    i++;
                }
                case "--images" -> {
                    images = Path.of(require(a, v));
                    i++;
                }
                case "--json" -> {
                    json = Path.of(require(a, v));
                    i++;
                }
                case "--comparison" -> {
                    comparison = Path.of(require(a, v));
                    i++;
                }
                case "--degrade" -> {
                    degradation = degradation(require(a, v));
                    i++;
                }
                case "--precision" -> {
                    precision = Precision.parse(require(a, v));
                    i++;
                }
                case "--blend" -> {
                    blendWith = require(a, v);
                    i++;
                }
                case "--weight" -> {
                    blendWeight = require(a, v);
                    i++;
                }
                case "--blend-mode" -> {
                    blendMode = require(a, v);
                    i++;
                }
                case "--scale" -> {
                    try {
                        scale = Integer.parseInt(require(a, v));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--scale must be 2, 4 or 8");
                    }
                    i++;
                }
                default -> throw new IllegalArgumentException("unknown option " + a + "; usage: " + USAGE);
            }
        }
        if (model == null || images == null) {
            throw new IllegalArgumentException("usage: " + USAGE);
        }
        if (!Files.isRegularFile(model)) {
            throw new IllegalArgumentException("no model file " + model);
        }
        Blend blend = Blend.of(blendWith, blendWeight, blendMode);
        List<Evaluator.NamedImage> list = new ArrayList<>();
        for (Path f : ImageFolder.images(images)) {
            list.add(new Evaluator.NamedImage(f.getFileName().toString(), Images.read(f)));
        }
        try (Upscaler upscaler = load(model, scale, precision, blend)) {
            if (upscaler.scale() != scale) {
                throw new IllegalArgumentException(
                        model + " is a " + upscaler.scale() + "x model; pass --scale " + upscaler.scale());
            }
            System.out.println("evaluating " + model.getFileName() + (blend == null ? "" : blend.text()) + " ("
                    + upscaler.precision() + ") on " + list.size()
                    + " images from " + images
                    + (degradation.isNone() ? "" : ", their LR inputs degraded: " + degradation.describe()));
            Evaluator.Report report = Evaluator.evaluate(upscaler, list, degradation, r -> {}, null);
            System.out.print(report.table());
            if (comparison != null) {
                BufferedImage crop = Evaluator.comparisonCrop(upscaler);
                Files.write(comparison, Images.png(crop));
                System.out.printf(
                        "wrote %s: the comparison crop of %s, PSNR(Y) %.2f dB (bicubic %.2f)%n",
                        comparison,
                        Comparison.PHOTO,
                        Comparison.psnr(crop),
                        Comparison.psnr(Comparison.bicubic(upscaler.scale())));
            }
            if (json != null) {
                ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
                ObjectNode written = mapper.valueToTree(report);
                if (!degradation.isNone()) {
                    written.putObject("degradation")
                            .put("blurSigma", degradation.blurSigma())
                            .put("noiseSigma", degradation.noiseSigma())
                            .put("jpegQuality", degradation.jpegQuality());
                }
                mapper.writeValue(json.toFile(), written);
                System.out.println("wrote " + json);
            }
        }
        return 0;
    }

    /** A checkpoint zip, or a TorchScript file ({@code .pt}) of the given scale. */
    public static Upscaler load(Path model, int scale) throws IOException {
        return load(model, scale, Precision.FLOAT32);
    }

    /**
     * A second model blended with the first at a share ({@code --blend FILE --weight W
     * [--blend-mode weights|pixels]}, as an upscale job's blendModelId, blendWeight and blendMode).
     */
    public record Blend(Path with, double weight, ModelBlend.Mode mode) {
        /** The blend the options ask for: file and weight both or neither; null for neither. */
        public static Blend of(String with, String weight, String mode) {
            if (with == null && weight == null && mode == null) {
                return null;
            }
            if (with == null || weight == null) {
                throw new IllegalArgumentException("--blend and --weight go together (the model to blend in, its share)"
                        + (mode == null ? "" : "; --blend-mode needs them"));
            }
            ModelBlend.Mode m = mode == null ? ModelBlend.Mode.WEIGHTS : ModelBlend.Mode.of(mode);
            if (m == null) {
                throw new IllegalArgumentException("--blend-mode must be weights or pixels, got '" + mode + "'");
            }
            Double w = dev.srgan.tools.blend.BlendCommand.parseWeight(weight);
            if (w == null) {
                throw new IllegalArgumentException(
                        "--weight must be a number from 0 to 1 (the share of --blend), got '" + weight + "'");
            }
            if (!Files.isRegularFile(Path.of(with))) {
                throw new IllegalArgumentException("no model file " + with);
            }
            return new Blend(Path.of(with), w, m);
        }

        /** " blended 30% with B.srgan.zip" for messages ("their pixels blended ..." for pixels). */
        public String text() {
            return String.format(
                    Locale.ROOT,
                    mode == ModelBlend.Mode.PIXELS
                            ? ", its pixels blended %.0f%% with %s's"
                            : " blended %.0f%% with %s",
                    weight * 100,
                    with.getFileName());
        }
    }

    /** Like {@link #load(Path, int, Precision)}, with {@code blend} mixed in (null: none). */
    public static Upscaler load(Path model, int scale, Precision precision, Blend blend) throws IOException {
        if (blend == null) {
            return load(model, scale, precision);
        }
        if (blend.mode() == ModelBlend.Mode.PIXELS) {
            Upscaler first = load(model, scale, precision);
            Upscaler second;
            try {
                second = load(blend.with(), scale, precision);
            } catch (IOException | RuntimeException e) {
                first.close();
                throw e;
            }
            return Upscaler.mix(first, second, blend.weight());
        }
        if (model.getFileName().toString().endsWith(".pt")
                || blend.with().getFileName().toString().endsWith(".pt")) {
            throw new IllegalArgumentException("--blend needs two checkpoint models (.srgan.zip), not TorchScript,"
                    + " unless --blend-mode pixels");
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        dev.srgan.tools.blend.BlendCommand.blended(model, blend.with(), blend.weight())
                .write(bytes);
        try {
            return Upscaler.fromCheckpoint(new java.io.ByteArrayInputStream(bytes.toByteArray()), precision);
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    /** Like {@link #load(Path, int)}; a checkpoint's generator computes in {@code precision}. */
    public static Upscaler load(Path model, int scale, Precision precision) throws IOException {
        if (model.getFileName().toString().endsWith(".pt")) {
            if (precision == Precision.BFLOAT16) {
                throw new IllegalArgumentException(
                        "--precision " + precision + " needs a checkpoint; a TorchScript file runs as saved");
            }
            return Upscaler.fromTorchScript(model, scale);
        }
        try (InputStream in = Files.newInputStream(model)) {
            return Upscaler.fromCheckpoint(in, precision);
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    /**
     * {@code blur=1.5,noise=5,jpeg=67}: the blur sigma in HR pixels, the noise sigma in 8-bit levels
     * and the JPEG quality, each optional, applied as a training run with twice the blur and noise
     * validates (its validation uses the middle of each range).
     */
    static Degradation degradation(String spec) {
        double blur = 0;
        double noise = 0;
        int jpeg = 0;
        for (String part : spec.split(",")) {
            String[] kv = part.trim().split("=", 2);
            try {
                switch (kv.length == 2 ? kv[0].trim() : "") {
                    case "blur" -> blur = Double.parseDouble(kv[1].trim());
                    case "noise" -> noise = Double.parseDouble(kv[1].trim());
                    case "jpeg" -> jpeg = Integer.parseInt(kv[1].trim());
                    default ->
                        throw new IllegalArgumentException(
                                "--degrade takes blur=SIGMA,noise=SIGMA,jpeg=QUALITY (each optional), not '" + part
                                        + "'");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--degrade: '" + part + "' is not a number");
            }
        }
        try {
            return new Degradation(blur, noise, jpeg);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--degrade: " + e.getMessage());
        }
    }

    private static String require(String option, String value) {
        if (value == null || value.startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }
}
