package dev.srgan.tools.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./srgan eval}: a model file on a folder of photos, the table and the JSON report. */
class EvaluateCommandTest {

    /** A photo-like test image: gradients and shapes, different per seed. */
    private static BufferedImage image(int w, int h, int seed) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(
                        x,
                        y,
                        new Color((x * 4 + seed * 30) % 256, (y * 5 + seed * 50) % 256, ((x + y) * 3) % 256).getRGB());
            }
        }
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillOval(w / 4, h / 4, w / 3, h / 3);
        g.dispose();
        return img;
    }

    private static final Path MODEL = Path.of("../networks/src/test/resources/torchscript/seed-generator-x2.pt");

    /** Two 64x48 photos in {@code dir}. */
    private static void photos(Path dir) throws Exception {
        for (int i = 0; i < 2; i++) {
            ImageIO.write(
                    image(64, 48, i), "png", dir.resolve("img" + i + ".png").toFile());
        }
    }

    /** Runs the command on them at 2x with {@code more} options; returns what it printed. */
    private static String evaluate(Path dir, String... more) throws Exception {
        List<String> args = new java.util.ArrayList<>(
                List.of("--model", MODEL.toString(), "--images", dir.toString(), "--scale", "2"));
        args.addAll(List.of(more));
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        try {
            assertEquals(0, EvaluateCommand.run(args.toArray(String[]::new)));
        } finally {
            System.setOut(old);
        }
        return out.toString();
    }

    @Test
    void commandEvaluatesATorchScriptModelOnAFolder(@TempDir Path dir) throws Exception {
        photos(dir);
        Path model = MODEL;
        Path json = dir.resolve("report.json");
        String table = evaluate(dir, "--json", json.toString());
        assertTrue(
                table.contains("img0.png") && table.contains("mean of 2") && table.contains("model - bicubic"), table);
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertEquals(2, report.path("images").size());
        assertEquals(2, report.path("scale").asInt());
        // 64x48 images are too small for NIQE: the fields are there, null
        for (String field : List.of("niqe", "bicubicNiqe", "hrNiqe")) {
            assertTrue(report.has(field) && report.path(field).isNull(), field);
            assertTrue(
                    report.path("images").get(0).has(field)
                            && report.path("images").get(0).path(field).isNull(),
                    field);
        }

        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> EvaluateCommand.run(new String[] {
                    "--model",
                    model.toString(),
                    "--images",
                    dir.resolve("missing").toString()
                }));
        assertTrue(e.getMessage().contains("no image folder"), e.getMessage());

        // --precision: a readable refusal of an unknown value, and of bfloat16 for a TorchScript file (it runs as
        // saved)
        e = assertThrows(
                IllegalArgumentException.class,
                () -> EvaluateCommand.run(new String[] {
                    "--model", model.toString(), "--images", dir.toString(), "--scale", "2", "--precision", "fp8"
                }));
        assertTrue(e.getMessage().contains("auto, float32 or bfloat16"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> EvaluateCommand.run(new String[] {
                    "--model", model.toString(), "--images", dir.toString(), "--scale", "2", "--precision", "bfloat16"
                }));
        assertTrue(e.getMessage().contains("bfloat16") && e.getMessage().contains(" "), e.getMessage());
    }

    @Test
    void degradedInputsAreMeasuredAsSuchAndNamedInTheReport(@TempDir Path dir) throws Exception {
        photos(dir);
        Path model = MODEL;
        Path clean = dir.resolve("clean.json");
        Path degraded = dir.resolve("degraded.json");
        evaluate(dir, "--json", clean.toString());
        String out = evaluate(dir, "--degrade", "blur=1, noise=8,jpeg=30", "--json", degraded.toString());
        assertTrue(out.contains("their LR inputs degraded: blur σ 1 px, noise σ 8 levels, JPEG quality 30"), out);
        JsonNode a = new ObjectMapper().readTree(clean.toFile());
        JsonNode b = new ObjectMapper().readTree(degraded.toFile());
        assertTrue(!a.has("degradation"));
        assertEquals(8.0, b.path("degradation").path("noiseSigma").asDouble());
        assertEquals(30, b.path("degradation").path("jpegQuality").asInt());
        assertTrue(
                b.path("bicubicPsnr").asDouble() < a.path("bicubicPsnr").asDouble() - 1,
                "bicubic upscales the degraded input: " + b.path("bicubicPsnr") + " vs " + a.path("bicubicPsnr"));

        for (String bad : List.of("blur=x", "sharpen=2", "noise=60")) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> EvaluateCommand.run(
                            new String[] {"--model", model.toString(), "--images", dir.toString(), "--degrade", bad}));
            assertTrue(e.getMessage().startsWith("--degrade"), e.getMessage());
        }
    }
}
