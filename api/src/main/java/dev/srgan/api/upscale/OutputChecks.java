package dev.srgan.api.upscale;

import dev.srgan.core.errors.ApiException;
import dev.srgan.domain.images.ModelBlend;
import dev.srgan.domain.images.OutputOptions;

/**
 * The checks of an upscale's output options (and its model blend, {@link #blend}) that the single and
 * the batch submission share: the options as sent ({@link OutputOptions#parse}, 400), then, per image, the final size its model can
 * reach (422) and the output limit (413), which holds for the final size and for the model's own
 * output before it is resized (what a worker holds in memory; never smaller than the final size).
 * Every refusal is an {@link ApiException} naming the field.
 */
final class OutputChecks {

    private OutputChecks() {}

    /** The options of a submission; 400 naming the field for a malformed one. */
    static OutputOptions parse(String format, String quality, String outscale, String width) {
        try {
            return OutputOptions.parse(format, quality, outscale, width);
        } catch (OutputOptions.InvalidOption e) {
            throw refusal(e, null);
        }
    }

    /** The model blend of a submission, or null for none; 400 naming the field for a malformed one. */
    static ModelBlend blend(String modelId, String weight, String mode) {
        try {
            return ModelBlend.parse(modelId, weight, mode);
        } catch (OutputOptions.InvalidOption e) {
            throw refusal(e, null);
        }
    }

    /**
     * The scale to use for one image: the one asked for, or else the smallest model scale that
     * reaches the options' size (422 for a width below the image's or beyond 8 times it).
     *
     * @param name the image's name for messages, or null for a single upscale
     */
    static int modelScale(Integer requested, OutputOptions options, ImageInspector.ImageInfo info, String name) {
        if (requested != null) {
            return requested;
        }
        try {
            return options.modelScale(info.width());
        } catch (OutputOptions.InvalidOption e) {
            throw refusal(e, name);
        }
    }

    /**
     * The final size of one image's result, held to the output limit.
     *
     * @param info the image's header
     * @param name the image's name for messages, or null for a single upscale (whose messages name
     *     no image)
     * @param scale the model's scale
     * @param options the output options
     * @param maxOutputPixels {@code srgan.upscale.max-output-pixels}
     * @param imageField the field a batch's limits are reported on ({@code images} or {@code file});
     *     a single upscale reports them on the option that sets the size
     * @throws ApiException 422 for a size the model cannot reach, 413 over the limit
     */
    static OutputOptions.Size check(
            ImageInspector.ImageInfo info,
            String name,
            int scale,
            OutputOptions options,
            long maxOutputPixels,
            String imageField) {
        OutputOptions.Size size;
        try {
            size = options.size(info.width(), info.height(), scale);
        } catch (OutputOptions.InvalidOption e) {
            throw refusal(e, name);
        }
        long modelWidth = (long) info.width() * scale;
        long modelHeight = (long) info.height() * scale;
        long modelPixels = modelWidth * modelHeight;
        long finalPixels = (long) size.width() * size.height();
        String limit = "; the output limit is " + ImageInspector.megapixels(maxOutputPixels) + " megapixels";
        String image = name == null
                ? info.width() + "x" + info.height() + " "
                : "'" + name + "' is " + info.width() + "x" + info.height() + ": ";
        if (finalPixels > maxOutputPixels) {
            throw ApiException.tooLarge(
                    imageField != null ? imageField : sizeField(options),
                    image + at(options, scale) + (name == null ? " would be " : " it would be ") + size + " = "
                            + ImageInspector.megapixels(finalPixels) + " megapixels" + limit);
        }
        if (modelPixels > maxOutputPixels) {
            // only when the result is resized down: the model's output is larger than the result
            throw ApiException.tooLarge(
                    imageField != null ? imageField : sizeField(options),
                    image + at(options, scale) + (name == null ? " is" : " it is") + " upscaled by the " + scale
                            + "x model to " + modelWidth + "x" + modelHeight + " = "
                            + ImageInspector.megapixels(modelPixels) + " megapixels before it is resized to " + size
                            + limit + " (it bounds what a worker holds in memory); ask for a smaller size, or leave"
                            + " scale out so that the smallest model that reaches the size is used");
        }
        return size;
    }

    /** "at 4x", "at 2.5x", "at width 1920": the size a submission asks for. */
    private static String at(OutputOptions options, int scale) {
        if (options.outscale() != null) {
            return "at " + OutputOptions.text(options.outscale()) + "x";
        }
        if (options.width() != null) {
            return "at width " + options.width();
        }
        return "at " + scale + "x";
    }

    private static String sizeField(OutputOptions options) {
        return options.outscale() != null ? "outscale" : options.width() != null ? "width" : "scale";
    }

    private static ApiException refusal(OutputOptions.InvalidOption e, String name) {
        String message = name == null ? e.getMessage() : "'" + name + "': " + e.getMessage();
        return new ApiException(e.unprocessable() ? 422 : 400, message, e.field());
    }
}
