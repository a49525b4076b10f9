package dev.srgan.domain.images;

import java.math.BigDecimal;
import java.util.UUID;
import java.util.function.Function;

/**
 * An upscale's model blended with a second model of the same network: every generator parameter
 * is {@code (1 - weight) * model + weight * blend model} (ESRGAN's network interpolation). Between a
 * model and its fine-tuned version it sets how much of the fine-tuning applies: with the shipped
 * "SRResNet 4x (real photos)" how strongly noise and JPEG blocks are restored, with a GAN fine-tune
 * how much texture is drawn. The api checks it at submission and records it in the job's params,
 * the worker blends the two models when it loads them.
 *
 * @param modelId the model blended in
 * @param weight its share, from 0 to 1
 */
public record ModelBlend(UUID modelId, double weight) {

    /** The form fields and params members. */
    public static final String MODEL_FIELD = "blendModelId";

    public static final String WEIGHT_FIELD = "blendWeight";

    /** Checks the share. */
    public ModelBlend {
        if (modelId == null) {
            throw new IllegalArgumentException("a blend names its model");
        }
        if (!(weight >= 0 && weight <= 1)) {
            throw new IllegalArgumentException("the blend weight must be from 0 to 1, got " + weight);
        }
    }

    /**
     * Reads a blend as it arrives in a form or on a command line: both given, or neither (no blend,
     * null).
     *
     * @throws OutputOptions.InvalidOption naming the field at fault (never unprocessable)
     */
    public static ModelBlend parse(String modelIdText, String weightText) {
        boolean noModel = modelIdText == null || modelIdText.isBlank();
        boolean noWeight = weightText == null || weightText.isBlank();
        if (noModel && noWeight) {
            return null;
        }
        if (noModel) {
            throw new OutputOptions.InvalidOption(
                    MODEL_FIELD, "blendWeight needs blendModelId: the model to blend with", false);
        }
        UUID id;
        try {
            id = UUID.fromString(modelIdText.trim());
        } catch (IllegalArgumentException e) {
            throw new OutputOptions.InvalidOption(
                    MODEL_FIELD, "blendModelId must be a model id (UUID), got '" + modelIdText + "'", false);
        }
        if (noWeight) {
            throw new OutputOptions.InvalidOption(
                    WEIGHT_FIELD,
                    "blendWeight is required with blendModelId: the blend model's share, from 0 to 1",
                    false);
        }
        try {
            // BigDecimal refuses NaN, Infinity and hexadecimal, which Double.parseDouble takes
            BigDecimal w = new BigDecimal(weightText.trim());
            if (w.signum() >= 0 && w.compareTo(BigDecimal.ONE) <= 0) {
                return new ModelBlend(id, w.doubleValue());
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new OutputOptions.InvalidOption(
                WEIGHT_FIELD,
                "blendWeight must be a number from 0 to 1 (the blend model's share), got '" + weightText + "'",
                false);
    }

    /**
     * The blend recorded in a job's params ({@link #params()}), or null for none.
     *
     * @param member the text of a params member by name, null when absent
     * @throws OutputOptions.InvalidOption when the recorded values are not valid
     */
    public static ModelBlend fromParams(Function<String, String> member) {
        return parse(member.apply(MODEL_FIELD), member.apply(WEIGHT_FIELD));
    }

    /** The blend as members of a job's params JSON, without braces. */
    public String params() {
        return "\"" + MODEL_FIELD + "\":\"" + modelId + "\",\"" + WEIGHT_FIELD + "\":" + weightText();
    }

    /** The share as written in params and labels: {@code 0.3}, {@code 1}. */
    public String weightText() {
        return OutputOptions.text(weight);
    }

    /** The share in percent, as a label reads it: {@code 30%}. */
    public String percent() {
        return OutputOptions.text(BigDecimal.valueOf(weight * 100)
                        .setScale(1, java.math.RoundingMode.HALF_UP)
                        .doubleValue())
                + "%";
    }
}
