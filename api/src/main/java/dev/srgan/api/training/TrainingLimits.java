package dev.srgan.api.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srgan.core.errors.ApiException;
import dev.srgan.core.models.ModelStore;
import dev.srgan.networks.training.TrainingConfig;
import dev.srgan.networks.training.TrainingRun;
import java.util.Locale;

/**
 * Turns submitted hyperparameters into a {@link TrainingConfig} with the networks module's own
 * parser (so api and worker agree on every field and default), then applies the ranges a shared
 * cluster enforces: bounds that keep one job from exhausting a worker. The feature extractor is
 * chosen by name, never by a path a user types.
 */
public final class TrainingLimits {
    /** The most steps, pre-training and GAN together, one run may take. */
    public static final int MAX_STEPS = 1_000_000;

    static final String FREEZE_BATCH_NORM = "freezeBatchNorm";

    private TrainingLimits() {}

    /**
     * Parses and bounds a run's hyperparameters.
     *
     * @param fromModel whether the run starts from a registered model: then {@code freezeBatchNorm}
     *     defaults to true (the model's BatchNorm statistics are kept; docs/api.md, "Fine-tuning"),
     *     and without one it may not be set
     * @throws ApiException 400 naming the field
     */
    public static TrainingConfig parse(
            JsonNode hyperparameters, String contentLoss, String vgg19Path, boolean fromModel, ObjectMapper json) {
        ObjectNode node = hyperparameters == null || hyperparameters.isNull()
                ? json.createObjectNode()
                : hyperparameters.isObject() ? ((ObjectNode) hyperparameters).deepCopy() : null;
        if (node == null) {
            throw ApiException.badRequest("hyperparameters", "hyperparameters must be a JSON object");
        }
        for (String forbidden : new String[] {"featureExtractorPath", "featureExtractorName"}) {
            if (node.has(forbidden)) {
                throw ApiException.badRequest(
                        forbidden, forbidden + " cannot be set per run; choose contentLoss 'pixel-mse' or 'vgg19'");
            }
        }
        if (fromModel && !node.has(FREEZE_BATCH_NORM)) {
            node.put(FREEZE_BATCH_NORM, true);
        }
        String loss = contentLoss == null || contentLoss.isBlank()
                ? "pixel-mse"
                : contentLoss.trim().toLowerCase(Locale.ROOT);
        switch (loss) {
            case "pixel-mse" -> {}
            case "vgg19" -> {
                if (vgg19Path == null || vgg19Path.isBlank()) {
                    throw ApiException.unprocessable(
                            "contentLoss",
                            "the VGG19 perceptual loss is not set up on this cluster "
                                    + "(srgan.training.vgg19-path); use contentLoss 'pixel-mse' or see README, 'Perceptual loss'");
                }
                node.put("featureExtractorPath", vgg19Path);
            }
            default ->
                throw ApiException.badRequest(
                        "contentLoss", "contentLoss must be 'pixel-mse' or 'vgg19', got '" + contentLoss + "'");
        }
        TrainingConfig config;
        try {
            config = TrainingConfig.fromJson(json.writeValueAsString(node));
        } catch (TrainingConfig.InvalidConfigException e) {
            throw ApiException.badRequest(e.field(), e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("hyperparameters", e.getMessage());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiException.badRequest("hyperparameters", "hyperparameters are not valid JSON");
        }
        if (config.freezeBatchNorm() && !fromModel) {
            throw ApiException.badRequest(FREEZE_BATCH_NORM, TrainingRun.FREEZE_NEEDS_A_GENERATOR);
        }
        range("residualBlocks", config.residualBlocks(), 1, 64);
        range("batchSize", config.batchSize(), 1, 64);
        range("hrCropSize", config.hrCropSize(), 16, 512);
        range("validateEvery", config.validateEvery(), 1, MAX_STEPS);
        range("checkpointEvery", config.checkpointEvery(), 1, MAX_STEPS);
        range("validationSamples", config.validationSamples(), 0, 16);
        if ((long) config.pretrainSteps() + config.ganSteps() > MAX_STEPS) {
            throw ApiException.badRequest("ganSteps", "pretrainSteps + ganSteps must be at most " + MAX_STEPS);
        }
        rangeD("learningRateG", config.learningRateG(), 1e-8, 1.0);
        rangeD("learningRateD", config.learningRateD(), 1e-8, 1.0);
        rangeD("adversarialWeight", config.adversarialWeight(), 0, 10);
        return config;
    }

    private static void range(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw ApiException.badRequest(field, field + " must be from " + min + " to " + max + ", got " + value);
        }
    }

    private static void rangeD(String field, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw ApiException.badRequest(field, field + " must be from " + min + " to " + max + ", got " + value);
        }
    }

    /** The dataset a run trains on, from a request: 400 naming {@code datasetId} unless it is a UUID. */
    public static java.util.UUID datasetId(Object requested) {
        try {
            return java.util.UUID.fromString(String.valueOf(requested).trim());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(
                    "datasetId", "datasetId must be the id of an uploaded dataset (POST /api/datasets)");
        }
    }

    /**
     * The model a run starts from, from a request: null when absent or blank (random weights), 400
     * naming {@code baseModelId} unless it is a UUID.
     */
    public static java.util.UUID baseModelId(String requested) {
        return optionalId(requested, ModelStore.BASE_MODEL_FIELD, "the id of a registered model (GET /api/models)");
    }

    /**
     * The dataset a run validates on, from a request: null when absent or blank (the held-out
     * tenth of its training dataset), 400 naming {@code validationDatasetId} unless it is a UUID.
     */
    public static java.util.UUID validationDatasetId(String requested) {
        return optionalId(requested, "validationDatasetId", "the id of an uploaded dataset (POST /api/datasets)");
    }

    /** Null when absent or blank, else the UUID; 400 naming {@code field} ("must be {@code what}"). */
    private static java.util.UUID optionalId(String requested, String field, String what) {
        if (requested == null || requested.isBlank()) {
            return null;
        }
        try {
            return java.util.UUID.fromString(requested.trim());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(field, field + " must be " + what + ", got '" + requested + "'");
        }
    }

    /** A run's or sweep's name from a request: null when blank, else trimmed; 400 over 200 characters. */
    public static String name(String requested) {
        String name = requested == null || requested.isBlank() ? null : requested.trim();
        if (name != null && name.length() > 200) {
            throw ApiException.badRequest("name", "name must be at most 200 characters");
        }
        return name;
    }
}
