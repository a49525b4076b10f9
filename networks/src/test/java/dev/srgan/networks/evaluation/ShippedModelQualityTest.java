package dev.srgan.networks.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srgan.networks.image.Degradation;
import dev.srgan.networks.image.Images;
import dev.srgan.networks.inference.Upscaler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each shipped model, run by today's inference code, still scores what models/shipped.json (and
 * the README's table) says on a photo it never saw: a change to the upscaling path (BatchNorm
 * folding, tiling, memory layout) that altered its output would show here.
 */
class ShippedModelQualityTest {
    private static final Path MODELS = Path.of("..", "models");
    private static final String PHOTO = "matplotlib-grace_hopper.jpg";

    static List<JsonNode> shippedModels() throws IOException {
        List<JsonNode> models = new ArrayList<>();
        new ObjectMapper()
                .readTree(MODELS.resolve("shipped.json").toFile())
                .path("models")
                .forEach(models::add);
        return models;
    }

    /** The inputs a model was measured on: degraded as real photos are for a model made for them. */
    private static Degradation degradation(JsonNode d) {
        return d.isObject()
                ? new Degradation(
                        d.path("blurSigma").asDouble(),
                        d.path("noiseSigma").asDouble(),
                        d.path("jpegQuality").asInt())
                : Degradation.NONE;
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("shippedModels")
    void eachShippedModelReproducesItsPublishedNumbers(JsonNode model) throws Exception {
        JsonNode published = null;
        for (JsonNode image : model.path("evaluation").path("images")) {
            if (image.path("name").asText().equals(PHOTO)) {
                published = image;
            }
        }
        assertTrue(published != null, PHOTO + " is among the published evaluation images");
        Evaluator.Report report;
        try (InputStream in =
                        Files.newInputStream(MODELS.resolve(model.path("file").asText()));
                Upscaler upscaler = Upscaler.fromCheckpoint(in);
                InputStream photo = getClass().getResourceAsStream("/photos/" + PHOTO)) {
            assertEquals(model.path("scale").asInt(), upscaler.scale(), "the file's scale is the listed one");
            report = Evaluator.evaluate(
                    upscaler,
                    List.of(new Evaluator.NamedImage(PHOTO, Images.decode(photo))),
                    degradation(model.path("evaluation").path("degradation")),
                    r -> {},
                    () -> false);
        }
        Evaluator.ImageResult r = report.images().get(0);
        String name = model.path("name").asText();
        assertEquals(
                published.path("bicubicPsnr").asDouble(), r.bicubicPsnr(), 1e-6, "the bicubic baseline is unchanged");
        assertEquals(published.path("psnr").asDouble(), r.psnr(), 0.01, name + ": PSNR as published");
        assertEquals(published.path("ssim").asDouble(), r.ssim(), 1e-4, name + ": SSIM as published");
        assertEquals(published.path("niqe").asDouble(), r.niqe(), 0.01, name + ": NIQE as published");
        if (name.startsWith("SRGAN-MSE")) {
            assertTrue(r.niqe() < r.bicubicNiqe() - 2, name + " looks more natural than bicubic by NIQE: " + r);
            assertTrue(r.psnr() > r.bicubicPsnr() - 0.5, name + " stays within 0.5 dB of bicubic's PSNR: " + r);
        } else {
            assertTrue(r.psnr() - r.bicubicPsnr() >= 1.0, name + " beats bicubic by at least 1 dB: " + r);
        }
    }
}
