package dev.srgan.networks.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.srgan.networks.SyntheticImages;
import dev.srgan.networks.image.Bicubic;
import dev.srgan.networks.image.RgbImage;
import dev.srgan.networks.inference.Upscaler;
import dev.srgan.networks.metrics.Metrics;
import dev.srgan.networks.metrics.Niqe;
import dev.srgan.networks.model.Generator;
import dev.srgan.networks.model.Networks;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvaluatorTest {

    @Test
    void bicubicBaselineIsTheLiteratureProtocol() {
        NDManager manager = NDManager.newBaseManager();
        Block g = Generator.builder().scale(2).residualBlocks(1).build();
        Networks.initialize(g, manager, new Shape(1, 3, 16, 16), 3);
        BufferedImage img = SyntheticImages.image(67, 50, 11);
        try (Upscaler upscaler = Upscaler.of(g, 2, 1, manager)) {
            Evaluator.Report report =
                    Evaluator.evaluate(upscaler, List.of(new Evaluator.NamedImage("a", img)), null, null);
            // cropped to a multiple of the scale, shrunk and enlarged by bicubic, border of 2 px
            RgbImage hr = RgbImage.from(img).crop(0, 0, 66, 50).quantized();
            RgbImage bicubic = Bicubic.upscale(Bicubic.downscale(hr, 2), 2);
            assertEquals(Metrics.psnrY(hr.toBufferedImage(), bicubic.toBufferedImage(), 2), report.bicubicPsnr(), 1e-9);
            assertEquals(66, report.images().get(0).width());
            assertTrue(Double.isFinite(report.psnr()) && report.ssim() <= 1.0);
            assertEquals(report.psnr() - report.bicubicPsnr(), report.psnrGain(), 1e-12);
        }
    }

    @Test
    void niqeIsMeasuredOnTheModelOutputBicubicAndTheOriginalWithTheBorderCropped() {
        NDManager manager = NDManager.newBaseManager();
        Block g = Generator.builder().scale(2).residualBlocks(1).build();
        Networks.initialize(g, manager, new Shape(1, 3, 16, 16), 3);
        BufferedImage big = SyntheticImages.image(201, 198, 4);
        BufferedImage small = SyntheticImages.image(64, 48, 5);
        try (Upscaler upscaler = Upscaler.of(g, 2, 1, manager)) {
            Evaluator.Report report = Evaluator.evaluate(
                    upscaler,
                    List.of(new Evaluator.NamedImage("big", big), new Evaluator.NamedImage("small", small)),
                    null,
                    null);
            Evaluator.ImageResult r = report.images().get(0);
            RgbImage hr = RgbImage.from(big).crop(0, 0, 200, 198).quantized();
            RgbImage bicubic = Bicubic.upscale(Bicubic.downscale(hr, 2), 2);
            // 200x198 less a 2-pixel border: 196x194, measurable
            assertEquals(Niqe.score(hr.toBufferedImage().getSubimage(2, 2, 196, 194)), r.hrNiqe(), 1e-12);
            assertEquals(Niqe.score(bicubic.toBufferedImage().getSubimage(2, 2, 196, 194)), r.bicubicNiqe(), 1e-12);
            assertTrue(Double.isFinite(r.niqe()), r.toString());
            assertNull(report.images().get(1).niqe());
            assertNull(report.images().get(1).hrNiqe());
            // the means are over the images that have a NIQE
            assertEquals(r.niqe(), report.niqe(), 1e-12);
            assertEquals(r.bicubicNiqe(), report.bicubicNiqe(), 1e-12);
            assertEquals(r.hrNiqe(), report.hrNiqe(), 1e-12);
            assertTrue(
                    report.table().contains("bicubic NIQE") && report.table().contains("NIQE (lower is more natural)"),
                    report.table());
        }
    }
}
