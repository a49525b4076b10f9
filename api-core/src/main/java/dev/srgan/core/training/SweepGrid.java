package dev.srgan.core.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srgan.core.errors.ApiException;
import dev.srgan.networks.training.TrainingConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The grid of a hyperparameter sweep, {@code {"learningRateG": [1e-4, 1e-3], "batchSize": [8, 16]}}:
 * checked for shape (known hyperparameters, non-empty lists, no value twice, at most
 * {@code maxRuns} points) and expanded into its cartesian product, the last parameter varying
 * fastest. Whether each point is a valid training config is the caller's check, with
 * {@code TrainingLimits} (api) as for a single run.
 */
public final class SweepGrid {
    /** Hyperparameters a grid may vary: every field of the training config a run may set. */
    public static final List<String> PARAMETERS = Arrays.stream(TrainingConfig.class.getRecordComponents())
            .map(java.lang.reflect.RecordComponent::getName)
            .filter(name -> !name.startsWith("featureExtractor"))
            .toList();

    private final List<String> parameters;
    private final List<List<JsonNode>> values;

    private SweepGrid(List<String> parameters, List<List<JsonNode>> values) {
        this.parameters = parameters;
        this.values = values;
    }

    /** One grid point: its index in the sweep and its value of each swept parameter, in grid order. */
    public record Point(int index, ObjectNode values) {
        /** The point as people read it: {@code learningRateG=0.001, batchSize=8}. */
        public String label() {
            List<String> parts = new ArrayList<>();
            values.fields().forEachRemaining(e -> parts.add(e.getKey() + "=" + text(e.getValue())));
            return String.join(", ", parts);
        }
    }

    /**
     * Checks a grid's shape and size.
     *
     * @throws ApiException 400 naming what is wrong: no grid, an unknown parameter, a list that is
     *     empty or repeats a value, more points than {@code maxRuns}
     */
    public static SweepGrid parse(JsonNode grid, int maxRuns) {
        String example = "e.g. {\"learningRateG\": [0.0001, 0.001], \"batchSize\": [8, 16]}";
        if (grid == null || grid.isNull() || grid.isMissingNode()) {
            throw ApiException.badRequest(
                    "grid", "grid is missing: give each hyperparameter to sweep a list of values, " + example);
        }
        if (!grid.isObject()) {
            throw ApiException.badRequest(
                    "grid", "grid must be a JSON object of hyperparameter -> list of values, " + example);
        }
        if (grid.isEmpty()) {
            throw ApiException.badRequest(
                    "grid", "grid is empty: name at least one hyperparameter with its values, " + example);
        }
        List<String> parameters = new ArrayList<>();
        List<List<JsonNode>> values = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = grid.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            if (name.startsWith("featureExtractor")) {
                throw ApiException.badRequest(
                        name, name + " cannot be set per run; choose contentLoss 'pixel-mse' or 'vgg19'");
            }
            if (!PARAMETERS.contains(name)) {
                throw ApiException.badRequest(
                        "grid",
                        "grid names an unknown hyperparameter '" + name + "'; the known ones are "
                                + String.join(", ", PARAMETERS));
            }
            JsonNode list = e.getValue();
            if (!list.isArray() || list.isEmpty()) {
                throw ApiException.badRequest(
                        name,
                        "grid." + name + " must be a non-empty list of values, e.g. [" + exampleValues(name) + "]");
            }
            Set<JsonNode> seen = new HashSet<>();
            List<JsonNode> items = new ArrayList<>();
            for (JsonNode v : list) {
                if (v.isObject()) {
                    throw ApiException.badRequest(
                            name, "grid." + name + " lists an object (" + v + "); list plain values");
                }
                // 0.001 and 1e-3 are the same value: compare numbers by value
                JsonNode key = v.isNumber()
                        ? com.fasterxml.jackson.databind.node.DecimalNode.valueOf(
                                v.decimalValue().stripTrailingZeros())
                        : v;
                if (!seen.add(key)) {
                    throw ApiException.badRequest(
                            name, "grid." + name + " lists " + text(v) + " twice; list each value once");
                }
                items.add(v);
            }
            parameters.add(name);
            values.add(items);
        }
        long points = 1;
        for (List<JsonNode> v : values) {
            points = Math.min(points * v.size(), Integer.MAX_VALUE);
        }
        if (points > maxRuns) {
            String product = values.stream().map(v -> String.valueOf(v.size())).collect(Collectors.joining(" × "));
            throw ApiException.badRequest(
                    "grid",
                    "the grid has " + (values.size() > 1 ? product + " = " : "") + points
                            + " points; a sweep runs at most " + maxRuns
                            + " (srgan.training.sweep.max-runs): list fewer values");
        }
        return new SweepGrid(List.copyOf(parameters), List.copyOf(values));
    }

    /** The swept hyperparameters, in the order the grid gave them. */
    public List<String> parameters() {
        return parameters;
    }

    /** Every grid point, the last parameter varying fastest. */
    public List<Point> points(ObjectMapper json) {
        int count = 1;
        for (List<JsonNode> v : values) {
            count *= v.size();
        }
        List<Point> points = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ObjectNode point = json.createObjectNode();
            int rest = i;
            int[] pick = new int[values.size()];
            for (int p = values.size() - 1; p >= 0; p--) {
                pick[p] = rest % values.get(p).size();
                rest /= values.get(p).size();
            }
            for (int p = 0; p < values.size(); p++) {
                point.set(parameters.get(p), values.get(p).get(pick[p]).deepCopy());
            }
            points.add(new Point(i, point));
        }
        return points;
    }

    /** A value as people write it: 0.0001 rather than 1.0E-4, "5000, 8000" for a list, "none" for null. */
    public static String text(JsonNode value) {
        if (value == null || value.isNull()) {
            return "none";
        }
        if (value.isArray()) {
            List<String> parts = new ArrayList<>();
            value.forEach(n -> parts.add(text(n)));
            return "[" + String.join(", ", parts) + "]";
        }
        if (value.isFloatingPointNumber() || value.isBigDecimal()) {
            return value.decimalValue().stripTrailingZeros().toPlainString();
        }
        return value.asText();
    }

    private static String exampleValues(String name) {
        return switch (name) {
            case "scale" -> "2, 4";
            case "learningRateG", "learningRateD" -> "0.0001, 0.001";
            case "emaDecay" -> "null, 0.999";
            case "freezeBatchNorm" -> "false, true";
            case "blurSigma", "noiseSigma" -> "0, 2";
            case "jpegQuality" -> "null, 50";
            case "lrMilestones" -> "[], [5000]";
            case "adversarialWeight", "featureLossWeight", "beta1", "beta2", "lrGamma" -> "0.001, 0.01";
            default -> "8, 16";
        };
    }
}
