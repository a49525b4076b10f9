package dev.srgan.tools.upscale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./srgan upscale}: files and folders upscaled on this machine with a shipped or given model. */
class UpscaleCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void theProjectIsHome() {
        System.setProperty("srgan.home", ".."); // the tests run in tools/; models/ is beside it
    }

    @AfterEach
    void clear() {
        System.clearProperty("srgan.home");
    }

    @Test
    void aFolderIsUpscaledWithTheShippedModelAndABrokenFileIsReportedWhileTheOthersGoOn(@TempDir Path dir)
            throws IOException {
        Path in = Files.createDirectories(dir.resolve("in"));
        ImageIO.write(
                gradient(40, 24, BufferedImage.TYPE_INT_RGB),
                "png",
                in.resolve("a.png").toFile());
        ImageIO.write(
                gradient(20, 30, BufferedImage.TYPE_INT_ARGB),
                "png",
                in.resolve("b.png").toFile());
        ImageIO.write(
                gradient(16, 16, BufferedImage.TYPE_INT_RGB),
                "jpeg",
                in.resolve("a.jpg").toFile());
        Files.writeString(in.resolve("c.png"), "not an image");
        Files.writeString(in.resolve("notes.txt"), "not looked at");
        Files.copy(Path.of("../domain/src/test/resources/webp/lossy-alpha.webp"), in.resolve("d.webp"));
        Path outDir = dir.resolve("out");

        int status = run("--scale", "2", in.toString(), "--out", outDir.toString(), "--precision", "float32");

        assertEquals(1, status, "one image failed: " + err);
        assertTrue(out.toString().contains("upscaling 5 images 2x with"), out.toString());
        assertTrue(out.toString().contains("srresnet-x2.srgan.zip (float32)"), out.toString());
        assertTrue(err.toString().contains("c.png: not a PNG, JPEG, WebP or TIFF image"), err.toString());
        assertTrue(err.toString().contains("1 of 5 images failed"), err.toString());
        BufferedImage d = ImageIO.read(outDir.resolve("d-x2.png").toFile());
        assertEquals(80, d.getWidth(), "the WebP, 40x30, as a PNG");
        assertTrue(d.getColorModel().hasAlpha(), "its alpha kept");
        // named as in a batch's zip: a.jpg sorts first, so a.png's name is the one numbered
        BufferedImage a = ImageIO.read(outDir.resolve("a-x2-2.png").toFile());
        assertEquals(80, a.getWidth());
        assertEquals(48, a.getHeight());
        assertEquals(32, ImageIO.read(outDir.resolve("a-x2.png").toFile()).getWidth());
        BufferedImage b = ImageIO.read(outDir.resolve("b-x2.png").toFile());
        assertEquals(40, b.getWidth());
        assertTrue(b.getColorModel().hasAlpha(), "alpha kept");
        assertFalse(Files.exists(outDir.resolve("c-x2.png")));
        try (var files = Files.list(outDir)) {
            assertEquals(4, files.count(), "no temporary files left");
        }
    }

    @Test
    void aTorchScriptModelNeedsItsScale(@TempDir Path dir) throws IOException {
        Path image = dir.resolve("photo.png");
        ImageIO.write(gradient(24, 24, BufferedImage.TYPE_INT_RGB), "png", image.toFile());
        String model = "../networks/src/test/resources/torchscript/seed-generator-x2.pt";
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> run(image.toString(), "--model", model));
        assertTrue(e.getMessage().contains("pass --scale"), e.getMessage());

        assertEquals(
                0, run(image.toString(), "--model", model, "--scale", "2", "--out", dir.toString()), err.toString());
        assertEquals(48, ImageIO.read(dir.resolve("photo-x2.png").toFile()).getHeight());
    }

    @Test
    void badOptionsSayWhatIsWrongBeforeAnyWork(@TempDir Path dir) throws IOException {
        Path image = dir.resolve("photo.png");
        ImageIO.write(gradient(8, 8, BufferedImage.TYPE_INT_RGB), "png", image.toFile());
        assertMessage("--scale must be 2, 4 or 8, not 3", image.toString(), "--scale", "3");
        assertMessage("name one or more images or folders");
        assertMessage(
                "no file or folder " + dir.resolve("missing.png"),
                dir.resolve("missing.png").toString());
        assertMessage(
                "no PNG, JPEG, WebP or TIFF images (.png, .jpg, .jpeg, .webp, .tif, .tiff) in " + dir.resolve("empty"),
                Files.createDirectories(dir.resolve("empty")).toString());
        assertMessage("no model file nothing.srgan.zip", image.toString(), "--model", "nothing.srgan.zip");
        assertMessage("--out needs a value", image.toString(), "--out");
        assertMessage("unknown option --tile", image.toString(), "--tile", "64");
        assertMessage(
                "srresnet-x4.srgan.zip upscales by 4, not 2; pass --scale 4",
                image.toString(),
                "--scale",
                "2",
                "--model",
                "../models/srresnet-x4.srgan.zip");
        assertFalse(Files.exists(dir.resolve("photo-x2.png")));
    }

    @Test
    void outscaleAndJpegAreAppliedAndNamedAsInABatchsZip(@TempDir Path dir) throws IOException {
        Path in = Files.createDirectories(dir.resolve("in"));
        ImageIO.write(
                gradient(21, 15, BufferedImage.TYPE_INT_ARGB),
                "png",
                in.resolve("photo.png").toFile());
        Path outDir = dir.resolve("out");

        // no --scale: outscale 1.5 takes the 2x model (the smallest that reaches it), then resizes
        int status = run(
                in.toString(), "--outscale", "1.5", "--format", "jpeg", "--quality", "90", "--out", outDir.toString());

        assertEquals(0, status, err.toString());
        assertTrue(out.toString().contains("upscaling 1 image 2x with"), out.toString());
        assertTrue(out.toString().contains("srresnet-x2.srgan.zip"), out.toString());
        assertTrue(out.toString().contains(", resized to 1.5x, as JPEG (quality 90)"), out.toString());
        Path jpeg = outDir.resolve("photo-x1.5.jpg");
        byte[] bytes = Files.readAllBytes(jpeg);
        assertEquals(0xffd8, (bytes[0] & 0xff) << 8 | (bytes[1] & 0xff), "a JPEG file");
        BufferedImage image = ImageIO.read(jpeg.toFile());
        assertEquals(32, image.getWidth(), "round(21 * 1.5)");
        assertEquals(23, image.getHeight(), "round(15 * 1.5)");
        assertFalse(image.getColorModel().hasAlpha(), "alpha composited on white");
        assertTrue(out.toString().contains("-> " + jpeg + " 32x23"), out.toString());

        // --scale 2 and a PNG at the model's scale: the name as before
        assertEquals(0, run(in.toString(), "--scale", "2", "--outscale", "2", "--out", outDir.toString()));
        BufferedImage png = ImageIO.read(outDir.resolve("photo-x2.png").toFile());
        assertEquals(42, png.getWidth());

        // a lossless WebP: the PNG's pixels, alpha kept
        assertEquals(0, run(in.toString(), "--scale", "2", "--format", "webp", "--out", outDir.toString()));
        assertTrue(out.toString().contains(", as lossless WebP"), out.toString());
        BufferedImage webp = ImageIO.read(outDir.resolve("photo-x2.webp").toFile());
        assertTrue(webp.getColorModel().hasAlpha());
        for (int y = 0; y < png.getHeight(); y++) {
            for (int x = 0; x < png.getWidth(); x++) {
                assertEquals(png.getRGB(x, y), webp.getRGB(x, y));
            }
        }
        try (var files = Files.list(outDir)) {
            assertEquals(3, files.count(), "no temporary files left");
        }
    }

    @Test
    void aWidthTakesEachImageTheSmallestShippedModelThatReachesIt(@TempDir Path dir) throws IOException {
        Path in = Files.createDirectories(dir.resolve("in"));
        ImageIO.write(
                gradient(40, 24, BufferedImage.TYPE_INT_RGB),
                "png",
                in.resolve("a.png").toFile());
        ImageIO.write(
                gradient(12, 10, BufferedImage.TYPE_INT_RGB),
                "png",
                in.resolve("b.png").toFile());
        ImageIO.write(
                gradient(100, 10, BufferedImage.TYPE_INT_RGB),
                "png",
                in.resolve("c.png").toFile());
        Path outDir = dir.resolve("out");

        int status = run(in.toString(), "--width", "60", "--out", outDir.toString());

        assertEquals(1, status, "c.png is wider than 60 already: " + err);
        assertTrue(
                out.toString().contains("upscaling 3 images to 60 px wide, each with the shipped model"),
                out.toString());
        // 40 -> 60 is 1.5x: the 2x model; 12 -> 60 is 5x: the 8x model; both then resized
        BufferedImage a = ImageIO.read(outDir.resolve("a-w60.png").toFile());
        assertEquals(60, a.getWidth());
        assertEquals(36, a.getHeight(), "round(24 * 60 / 40)");
        assertTrue(out.toString().contains("a-w60.png 60x36 (2x model)"), out.toString());
        BufferedImage b = ImageIO.read(outDir.resolve("b-w60.png").toFile());
        assertEquals(60, b.getWidth());
        assertEquals(50, b.getHeight(), "round(10 * 60 / 12)");
        assertTrue(out.toString().contains("b-w60.png 60x50 (8x model)"), out.toString());
        assertTrue(err.toString().contains("c.png: width 60 is "), err.toString());
        assertFalse(Files.exists(outDir.resolve("c-w60.png")));

        // a model that cannot reach the width for an image says so for that image
        err.reset();
        assertEquals(
                1, run(in.resolve("b.png").toString(), "--scale", "4", "--width", "60", "--out", outDir.toString()));
        assertTrue(
                err.toString().contains("width 60 is more than the 4x model makes of the image's width of 12 (48)"),
                err.toString());
        assertMessage("give either --outscale or --width, not both", in.toString(), "--width", "60", "--outscale", "2");
        assertMessage("--width must be", in.toString(), "--width", "wide");
    }

    @Test
    void badOutputOptionsAreNamedByTheirFlag(@TempDir Path dir) throws IOException {
        Path image = dir.resolve("photo.png");
        ImageIO.write(gradient(8, 8, BufferedImage.TYPE_INT_RGB), "png", image.toFile());
        assertMessage("--format must be png, jpeg or webp, got 'gif'", image.toString(), "--format", "gif");
        assertMessage(
                "--quality applies to JPEG only (PNG and WebP are lossless); add --format jpeg or leave --quality out",
                image.toString(),
                "--quality",
                "80");
        assertMessage(
                "--quality must be a whole number from 1 to 100, got '0'",
                image.toString(),
                "--format",
                "jpeg",
                "--quality",
                "0");
        assertMessage(
                "--outscale must be a number from 1 to 8, such as 3 or 2.5, got '9'",
                image.toString(),
                "--outscale",
                "9");
        assertMessage(
                "--outscale 3 is more than the 2x model upscales; pass --scale 4 or more (or leave --scale and --model"
                        + " out to have it chosen), or --outscale 2 or less",
                image.toString(),
                "--scale",
                "2",
                "--outscale",
                "3");
        // a model file says its scale only once loaded
        assertMessage(
                "--outscale 3 is more than the 2x model srresnet-x2.srgan.zip upscales",
                image.toString(),
                "--model",
                "../models/srresnet-x2.srgan.zip",
                "--outscale",
                "3");
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "nothing written");
        }
    }

    /**
     * {@code --blend FILE --weight W} upscales with the blend an upscale job's blendModelId and
     * blendWeight ask for: the very pixels of the model file {@code ./srgan blend} writes.
     */
    @Test
    void aBlendUpscalesAsTheBlendedModelFileDoes(@TempDir Path dir) throws IOException {
        Path image = dir.resolve("noisy.png");
        ImageIO.write(gradient(24, 20, BufferedImage.TYPE_INT_RGB), "png", image.toFile());
        String model = "../models/srresnet-x4.srgan.zip";
        String real = "../models/srresnet-x4-real.srgan.zip";
        assertEquals(
                0,
                run(
                        image.toString(),
                        "--model",
                        model,
                        "--blend",
                        real,
                        "--weight",
                        "0.3",
                        "--out",
                        dir.resolve("a").toString(),
                        "--precision",
                        "float32"));
        assertTrue(out.toString().contains("blended 30% with srresnet-x4-real.srgan.zip"), out.toString());
        Path file = dir.resolve("blend.srgan.zip"); // what ./srgan blend writes
        try (var stream = Files.newOutputStream(file)) {
            dev.srgan.tools.blend.BlendCommand.blended(Path.of(model), Path.of(real), 0.3)
                    .write(stream);
        }
        assertEquals(
                0,
                run(
                        image.toString(),
                        "--model",
                        file.toString(),
                        "--out",
                        dir.resolve("b").toString(),
                        "--precision",
                        "float32"));
        BufferedImage a = ImageIO.read(dir.resolve("a/noisy-x4.png").toFile());
        BufferedImage b = ImageIO.read(dir.resolve("b/noisy-x4.png").toFile());
        assertTrue(
                java.util.Arrays.equals(a.getRGB(0, 0, 96, 80, null, 0, 96), b.getRGB(0, 0, 96, 80, null, 0, 96)),
                "the same pixels");

        assertMessage("--blend and --weight go together", image.toString(), "--blend", real);
        assertMessage("--weight must be a number from 0 to 1", image.toString(), "--blend", real, "--weight", "2");
        assertMessage(
                "were trained apart",
                image.toString(),
                "--model",
                model,
                "--blend",
                "../models/srgan-mse-x4.srgan.zip",
                "--weight",
                "0.5",
                "--out",
                dir.toString());
        assertMessage(
                "--blend-mode must be weights or pixels, got 'both'",
                image.toString(),
                "--blend",
                real,
                "--weight",
                "0.5",
                "--blend-mode",
                "both");
    }

    /**
     * {@code --blend-mode pixels} mixes the two models' outputs, pixel by pixel: it takes a pair
     * trained apart, which a blend of weights refuses, and gives the weighted mean of their results.
     */
    @Test
    void aBlendOfPixelsIsTheWeightedMeanOfTheTwoModelsResults(@TempDir Path dir) throws IOException {
        Path image = dir.resolve("photo.png");
        ImageIO.write(gradient(24, 20, BufferedImage.TYPE_INT_RGB), "png", image.toFile());
        String model = "../models/srresnet-x4.srgan.zip";
        String apart = "../models/srgan-mse-x4.srgan.zip";
        String[] common = {"--precision", "float32", "--out"};
        assertEquals(0, run(concat(new String[] {image.toString(), "--model", model}, common, dir.resolve("a"))));
        assertEquals(0, run(concat(new String[] {image.toString(), "--model", apart}, common, dir.resolve("b"))));
        assertEquals(
                0,
                run(concat(
                        new String[] {
                            image.toString(),
                            "--model",
                            model,
                            "--blend",
                            apart,
                            "--weight",
                            "0.4",
                            "--blend-mode",
                            "pixels"
                        },
                        common,
                        dir.resolve("mix"))));
        assertTrue(out.toString().contains("its pixels blended 40% with srgan-mse-x4.srgan.zip's"), out.toString());
        BufferedImage a = ImageIO.read(dir.resolve("a/photo-x4.png").toFile());
        BufferedImage b = ImageIO.read(dir.resolve("b/photo-x4.png").toFile());
        BufferedImage mix = ImageIO.read(dir.resolve("mix/photo-x4.png").toFile());
        double worst = 0;
        for (int y = 0; y < 80; y++) {
            for (int x = 0; x < 96; x++) {
                for (int shift = 0; shift <= 16; shift += 8) {
                    double mean = 0.6 * ((a.getRGB(x, y) >> shift) & 0xff) + 0.4 * ((b.getRGB(x, y) >> shift) & 0xff);
                    worst = Math.max(worst, Math.abs(((mix.getRGB(x, y) >> shift) & 0xff) - mean));
                }
            }
        }
        assertTrue(worst <= 1, worst + " levels from the weighted mean of the two results");
    }

    private static String[] concat(String[] head, String[] options, Path out) {
        String[] all = java.util.Arrays.copyOf(head, head.length + options.length + 1);
        System.arraycopy(options, 0, all, head.length, options.length);
        all[all.length - 1] = out.toString();
        return all;
    }

    private void assertMessage(String expected, String... args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(args));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private int run(String... args) throws IOException {
        return UpscaleCommand.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static BufferedImage gradient(int w, int h, int type) {
        BufferedImage image = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int alpha = type == BufferedImage.TYPE_INT_ARGB ? 128 + y * 4 : 255;
                image.setRGB(x, y, alpha << 24 | (x * 6) << 16 | (y * 8) << 8 | 90);
            }
        }
        return image;
    }
}
