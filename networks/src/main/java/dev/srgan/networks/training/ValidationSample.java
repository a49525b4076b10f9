package dev.srgan.networks.training;

import java.awt.image.BufferedImage;

/**
 * One validation image as the generator sees it, for showing progress.
 *
 * @param name a stable name, e.g. "val-0"
 * @param lowRes the bicubic-downscaled input
 * @param bicubic the bicubic upscale of {@code lowRes} (the baseline)
 * @param generated the generator's upscale of {@code lowRes}
 * @param highRes the ground truth
 */
public record ValidationSample(
        String name, BufferedImage lowRes, BufferedImage bicubic, BufferedImage generated, BufferedImage highRes) {}
