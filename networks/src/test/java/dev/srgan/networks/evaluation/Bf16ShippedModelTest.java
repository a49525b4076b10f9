package dev.srgan.networks.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.srgan.networks.image.Bicubic;
import dev.srgan.networks.image.Images;
import dev.srgan.networks.image.RgbImage;
import dev.srgan.networks.inference.Precision;
import dev.srgan.networks.inference.UpscaleListener;
import dev.srgan.networks.inference.Upscaler;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shipped 4x model run in bfloat16 scores within the 0.05 dB of its float32 self on a
 * photo it never saw, and moves no output value by more than a few 8-bit levels.
 */
class Bf16ShippedModelTest {
    private static final Path MODEL = Path.of("..", "models", "srresnet-x4.srgan.zip");
    private static final String PHOTO = "matplotlib-grace_hopper.jpg";

    @Test
    void shippedModelInBfloat16LosesAtMostFiveHundredthsOfADecibel() throws Exception {
        assumeTrue(Precision.cpuHasBfloat16(), "this CPU has no bfloat16 instructions (avx512_bf16, amx_bf16)");
        BufferedImage photo = photo();
        Evaluator.ImageResult f32 = evaluate(Precision.FLOAT32, photo);
        Evaluator.ImageResult bf16 = evaluate(Precision.BFLOAT16, photo);
        System.out.printf(
                "%s 4x: PSNR(Y) float32 %.4f, bfloat16 %.4f (%+.4f dB); SSIM %.5f, %.5f%n",
                PHOTO, f32.psnr(), bf16.psnr(), bf16.psnr() - f32.psnr(), f32.ssim(), bf16.ssim());
        assertTrue(Math.abs(bf16.psnr() - f32.psnr()) <= 0.05, "PSNR moved by " + (bf16.psnr() - f32.psnr()) + " dB");
        assertEquals(f32.ssim(), bf16.ssim(), 1e-3, "SSIM");

        // the same image through both, as 8-bit levels
        RgbImage lr = Bicubic.downscale(RgbImage.from(photo), 4);
        float[] a = upscale(Precision.FLOAT32, lr);
        float[] b = upscale(Precision.BFLOAT16, lr);
        int worst = 0;
        long moved = 0;
        for (int i = 0; i < a.length; i++) {
            int levels = Math.round(Math.abs(a[i] - b[i]) * 255);
            worst = Math.max(worst, levels);
            moved += levels > 0 ? 1 : 0;
        }
        System.out.printf(
                "bfloat16 moves %.2f%% of the output values, by at most %d levels%n", 100.0 * moved / a.length, worst);
        assertTrue(worst <= MAX_LEVELS, "an output value moved by " + worst + " levels");
    }

    /**
     * Measured on an AMD EPYC (avx512_bf16): 3 levels at most, 19-20% of the values moved (the H200's
     * bfloat16 moves 3 to 4 levels, 28%, docs/benchmarks.md); twice that as the bound.
     */
    private static final int MAX_LEVELS = 6;

    private static BufferedImage photo() throws Exception {
        try (InputStream in = Bf16ShippedModelTest.class.getResourceAsStream("/photos/" + PHOTO)) {
            return Images.decode(in);
        }
    }

    private static Evaluator.ImageResult evaluate(Precision precision, BufferedImage photo) throws Exception {
        try (InputStream in = Files.newInputStream(MODEL);
                Upscaler upscaler = Upscaler.fromCheckpoint(in, precision)) {
            assertEquals(precision, upscaler.precision());
            return Evaluator.evaluate(upscaler, List.of(new Evaluator.NamedImage(PHOTO, photo)), r -> {}, () -> false)
                    .images()
                    .get(0);
        }
    }

    private static float[] upscale(Precision precision, RgbImage lr) throws Exception {
        try (InputStream in = Files.newInputStream(MODEL);
                Upscaler upscaler = Upscaler.fromCheckpoint(in, precision)) {
            return upscaler.upscale(lr, UpscaleListener.NONE).data();
        }
    }
}
