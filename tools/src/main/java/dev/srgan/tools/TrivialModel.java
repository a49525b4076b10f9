package dev.srgan.tools;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.srgan.networks.checkpoint.Checkpoint;
import dev.srgan.networks.model.Generator;
import dev.srgan.networks.model.Networks;
import dev.srgan.networks.training.TrainingConfig;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * What the load script and the queue benchmark submit: a "trivial" model, the seed's generator
 * cut down to 1 residual block at 2x with seeded random weights (about 1 MB, well under a
 * millisecond on an 8x8 input), so a job's time is the queue's time, and small noise PNGs.
 */
public final class TrivialModel {
    private TrivialModel() {}

    /** The model as an SRGAN model zip (what {@code POST /api/models} takes). */
    public static byte[] zip() throws IOException {
        TrainingConfig config =
                TrainingConfig.builder().scale(2).residualBlocks(1).build();
        try (NDManager manager = NDManager.newBaseManager()) {
            Block g = Generator.builder()
                    .scale(config.scale())
                    .residualBlocks(config.residualBlocks())
                    .build();
            Networks.initialize(g, manager, new Shape(1, 3, 16, 16), 7);
            Checkpoint model = new Checkpoint(
                    config, 0, 0, "pixel-mse", Instant.now(), Networks.saveParameters(g), null, null, null, null);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            model.write(out);
            return out.toByteArray();
        }
    }

    /** Uploads the model (admin token) and returns its id. */
    public static String upload(Api api, String name) throws IOException, InterruptedException {
        return api.post(
                        "/api/models",
                        new Multipart()
                                .field("name", name)
                                .file("file", "trivial-x2.srgan.zip", "application/zip", zip()))
                .path("id")
                .asText();
    }

    /** A PNG of seeded noise. */
    public static byte[] png(int width, int height, long seed) throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(seed);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, r.nextInt(0x1000000));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    /** A smooth test image (gradients and a few shapes): what a photo-like 256x256 upscale sees. */
    public static byte[] photoLikePng(int width, int height) throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = 255 * x / width;
                int g = 255 * y / height;
                int b = (int) (127 + 127 * Math.sin((x + y) / 9.0));
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }
}
