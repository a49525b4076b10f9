package dev.srgan.networks.image;

import dev.srgan.domain.images.OutputOptions;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Encodes an upscale's result in the format its output options name: the one place the worker and
 * {@code ./srgan upscale} choose a writer, so both write the same file for the same options.
 */
public final class ResultWriter {

    private ResultWriter() {}

    /**
     * Writes the image as a PNG ({@link PngWriter}, alpha kept), a JPEG at the options' quality
     * ({@link JpegWriter}, alpha composited on white) or a lossless WebP ({@link WebpWriter}, alpha
     * kept).
     *
     * @param image the result, already at its final size
     * @param options the output options; only the format and quality are read here
     * @param out receives the file; not closed
     * @throws IOException if {@code out} fails
     */
    public static void write(BufferedImage image, OutputOptions options, OutputStream out) throws IOException {
        switch (options.format()) {
            case PNG -> PngWriter.write(image, out);
            case JPEG -> JpegWriter.write(image, options.quality(), out);
            case WEBP -> WebpWriter.write(image, out);
        }
    }
}
