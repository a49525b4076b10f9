package dev.srgan.tools.blend;

import dev.srgan.networks.checkpoint.Checkpoint;
import dev.srgan.tools.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code ./srgan blend --model A.srgan.zip --with B.srgan.zip --weight 0.3 --out C.srgan.zip}:
 * writes the model whose every generator parameter is {@code 0.7 * A + 0.3 * B}
 * ({@link Checkpoint#blend}), a model file like any other, to upscale or evaluate. Upscale and
 * batch jobs blend the same way on the fly (their blendModelId and blendWeight), and
 * {@code POST /api/models/blend} registers the same file as a model.
 */
public final class BlendCommand {

    private BlendCommand() {}

    private static final String USAGE =
            "usage: ./srgan blend --model A.srgan.zip --with B.srgan.zip --weight 0..1 --out OUT.srgan.zip";

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the command.
     *
     * @return 0 when the blend was written, 1 when the models do not blend or cannot be read, 2 for
     *     bad options
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Path model = null;
        Path with = null;
        Path target = null;
        Double weight = null;
        for (int i = 0; i < args.length; i += 2) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            if (v == null) {
                return fail(err, 2, args[i] + " needs a value\n" + USAGE);
            }
            switch (args[i]) {
                case "--model" -> model = Path.of(v);
                case "--with" -> with = Path.of(v);
                case "--out" -> target = Path.of(v);
                case "--weight" -> {
                    weight = parseWeight(v);
                    if (weight == null) {
                        return fail(
                                err, 2, "--weight must be a number from 0 to 1 (the share of --with), got '" + v + "'");
                    }
                }
                default -> {
                    return fail(err, 2, "unknown option " + args[i] + "\n" + USAGE);
                }
            }
        }
        if (model == null || with == null || weight == null || target == null) {
            return fail(err, 2, "--model, --with, --weight and --out are required\n" + USAGE);
        }
        try {
            Checkpoint blended = blended(model, with, weight);
            AtomicFiles.write(target, blended::write);
            out.printf(
                    "wrote %s: %.3g x %s + %.3g x %s (%dx, %d residual blocks)%n",
                    target,
                    1 - weight,
                    model.getFileName(),
                    weight,
                    with.getFileName(),
                    blended.config().scale(),
                    blended.config().residualBlocks());
            return 0;
        } catch (IOException | IllegalArgumentException e) {
            return fail(err, 1, e.getMessage());
        }
    }

    /**
     * {@code model} blended with {@code with} at {@code weight} ({@link Checkpoint#blend}), as
     * {@code ./srgan upscale --blend} and {@code ./srgan eval --blend} run it.
     *
     * @throws IllegalArgumentException when the two do not blend (another network, trained apart)
     */
    public static Checkpoint blended(Path model, Path with, double weight) throws IOException {
        return Checkpoint.blend(read(model), read(with), weight);
    }

    /** A share from 0 to 1, or null for anything else. */
    public static Double parseWeight(String text) {
        try {
            double w = Double.parseDouble(text);
            return w >= 0 && w <= 1 ? w : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Checkpoint read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return Checkpoint.read(in);
        } catch (IOException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static int fail(PrintStream err, int status, String message) {
        err.println("srgan blend: " + message);
        return status;
    }
}
