package dev.srgan.domain.images;

import java.math.BigDecimal;
import java.util.UUID;
import java.util.function.Function;

/**
 * An upscale's model blended with a second model of the same scale, in one of two ways ({@link
 * Mode}): {@link Mode#WEIGHTS} makes one network whose every generator parameter is {@code (1 -
 * weight) * model + weight * blend model} (ESRGAN's network interpolation), {@link Mode#PIXELS}
 * runs both models and mixes their outputs pixel by pixel in the same proportion (its image
 * interpolation). Between a model and its fine-tuned version it sets how much of the fine-tuning
 * applies: with the shipped "SRResNet 4x (real photos)" how strongly noise and JPEG blocks are
 * restored, with a GAN fine-tune how much texture is drawn. The api checks it at submission and
 * records it in the job's params, the worker blends the two models when it loads them.
 *
 * @param modelId the model blended in
 * @param weight its share, from 0 to 1
 * @param mode how the two are blended
 */
public record ModelBlend(UUID modelId, double weight, Mode mode) {

    /** The form fields and params members. */
    public static final String MODEL_FIELD = "blendModelId";

    public static final String WEIGHT_FIELD = "blendWeight";

    public static final String MODE_FIELD = "blendMode";

    /** How two models are blended. */
    public enum Mode {
        /**
         * One network whose parameters are the weighted mean of the two models': the cost of one
         * model, but only meaningful between a model and one fine-tuned from it, and not always a
         * straight line from one output to the other.
         */
        WEIGHTS,
        /**
         * Both models run, their outputs mixed pixel by pixel: twice the time, any two models of
         * one scale, a straight line from one output to the other.
         */
        PIXELS;

        /** The name in forms and params: {@code weights}, {@code pixels}. */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The mode of a name ({@code weights}, {@code pixels}, in any case), null for another. */
        public static Mode of(String id) {
            for (Mode m : values()) {
                if (m.id().equalsIgnoreCase(id.trim())) {
                    return m;
                }
            }
            return null;
        }
    }

    /** Checks the share. */
    public ModelBlend {
        if (modelId == null || mode == null) {
            throw new IllegalArgumentException("a blend names its model and its mode");
        }
        if (!(weight >= 0 && weight <= 1)) {
            throw new IllegalArgumentException("the blend weight must be from 0 to 1, got " + weight);
        }
    }

    /** A blend of the weights ({@link Mode#WEIGHTS}). */
    public ModelBlend(UUID modelId, double weight) {
        this(modelId, weight, Mode.WEIGHTS);
    }

    /** Reads a blend of the weights; see {@link #parse(String, String, String)}. */
    public static ModelBlend parse(String modelIdText, String weightText) {
        return parse(modelIdText, weightText, null);
    }

    /**
     * Reads a blend as it arrives in a form or on a command line: model and weight both given, or
     * neither (no blend, null); the mode optional ({@code weights} when absent).
     *
     * @throws OutputOptions.InvalidOption naming the field at fault (never unprocessable)
     */
    public static ModelBlend parse(String modelIdText, String weightText, String modeText) {
        boolean noModel = modelIdText == null || modelIdText.isBlank();
        boolean noWeight = weightText == null || weightText.isBlank();
        boolean noMode = modeText == null || modeText.isBlank();
        if (noModel && noWeight && noMode) {
            return null;
        }
        if (noModel) {
            throw new OutputOptions.InvalidOption(
                    MODEL_FIELD,
                    (noWeight ? "blendMode" : "blendWeight") + " needs blendModelId: the model to blend with",
                    false);
        }
        Mode mode = noMode ? Mode.WEIGHTS : Mode.of(modeText);
        if (mode == null) {
            throw new OutputOptions.InvalidOption(
                    MODE_FIELD,
                    "blendMode must be weights (one network of the mean weights) or pixels (both models run,"
                            + " their outputs mixed), got '" + modeText + "'",
                    false);
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
                return new ModelBlend(id, w.doubleValue(), mode);
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
        return parse(member.apply(MODEL_FIELD), member.apply(WEIGHT_FIELD), member.apply(MODE_FIELD));
    }

    /**
     * The blend as members of a job's params JSON, without braces; the mode only when it is not
     * {@link Mode#WEIGHTS}, as jobs recorded before there were modes read.
     */
    public String params() {
        return "\"" + MODEL_FIELD + "\":\"" + modelId + "\",\"" + WEIGHT_FIELD + "\":" + weightText()
                + (mode == Mode.WEIGHTS ? "" : ",\"" + MODE_FIELD + "\":\"" + mode.id() + "\"");
    }

    /** The share as written in params and labels: {@code 0.3}, {@code 1}. */
    public String weightText() {
        return OutputOptions.text(weight);
    }

    /** How the two were blended, as a label ends: empty for weights, {@code ", outputs mixed"}. */
    public String how() {
        return mode == Mode.WEIGHTS ? "" : ", outputs mixed";
    }

    /** The share in percent, as a label reads it: {@code 30%}. */
    public String percent() {
        return OutputOptions.text(BigDecimal.valueOf(weight * 100)
                        .setScale(1, java.math.RoundingMode.HALF_UP)
                        .doubleValue())
                + "%";
    }
}
