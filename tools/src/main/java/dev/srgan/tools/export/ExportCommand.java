package dev.srgan.tools.export;

import dev.srgan.networks.checkpoint.Checkpoint;
import dev.srgan.networks.export.DjlParameters;
import dev.srgan.networks.export.OnnxExport;
import dev.srgan.tools.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code ./srgan export --model MODEL.srgan.zip --onnx OUT.onnx}: writes a model file's generator
 * as ONNX (opset 17, input and output float32 NCHW RGB in [0, 1], dynamic height and width), the
 * same file {@code GET /api/models/{id}/export?format=onnx} serves. See docs/onnx.md.
 */
public final class ExportCommand {

    private ExportCommand() {}

    private static final String USAGE = "usage: ./srgan export --model MODEL.srgan.zip --onnx OUT.onnx";

    public static void main(String[] args) {
        Path model = null;
        Path onnx = null;
        for (int i = 0; i < args.length; i += 2) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--model" -> model = v == null ? null : Path.of(v);
                case "--onnx" -> onnx = v == null ? null : Path.of(v);
                default -> {
                    System.err.println("srgan export: unknown option " + args[i] + "\n" + USAGE);
                    System.exit(2);
                }
            }
        }
        if (model == null || onnx == null) {
            System.err.println("srgan export: --model and --onnx are required\n" + USAGE);
            System.exit(2);
        }
        try {
            byte[] bytes = export(model);
            AtomicFiles.write(onnx, o -> o.write(bytes));
            System.out.printf("wrote %s (%d bytes, ONNX opset %d)%n", onnx, bytes.length, OnnxExport.OPSET);
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("srgan export: " + e.getMessage());
            System.exit(1);
        }
    }

    /** The ONNX bytes of a model file (an SRGAN checkpoint or exported model zip). */
    public static byte[] export(Path model) throws IOException {
        Checkpoint cp;
        try (InputStream in = Files.newInputStream(model)) {
            cp = Checkpoint.read(in);
        }
        return OnnxExport.generator(
                DjlParameters.read(cp.inferenceGeneratorParameters()),
                cp.config().scale(),
                cp.config().residualBlocks(),
                model.getFileName().toString().replaceAll("\\.srgan\\.zip$", ""));
    }
}
