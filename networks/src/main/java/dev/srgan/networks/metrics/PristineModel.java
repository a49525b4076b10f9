package dev.srgan.networks.metrics;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * NIQE's multivariate Gaussian model of natural-image patch features: the mean and covariance of
 * the {@value NiqeFeatures#COUNT} features over the sharpest patches of a set of pristine photos
 * (see {@link Niqe#fit}). Stored as JSON ({@link #toJson()}, {@link #fromJson(String)}), with the
 * names and source of the photos it was fitted on.
 *
 * @param patchSize the patch size at the first scale, in pixels (96)
 * @param sharpnessThreshold the fraction of a photo's sharpest patch a patch had to exceed (0.75)
 * @param luminance how the photos were turned to gray, in words
 * @param source where the photos come from (a script, a package, a license note)
 * @param photos the file names of the photos
 * @param patches how many patches the model was fitted on
 * @param mean the {@value NiqeFeatures#COUNT} feature means
 * @param covariance their {@value NiqeFeatures#COUNT}x{@value NiqeFeatures#COUNT} covariance
 */
public record PristineModel(
        int patchSize,
        double sharpnessThreshold,
        String luminance,
        String source,
        List<String> photos,
        int patches,
        double[] mean,
        double[][] covariance) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true);

    /** Validates the sizes. */
    public PristineModel {
        if (patchSize < 8 || patchSize % 2 != 0) {
            throw new IllegalArgumentException("patchSize must be even and at least 8, got " + patchSize);
        }
        if (mean == null || mean.length != NiqeFeatures.COUNT) {
            throw new IllegalArgumentException("mean must hold " + NiqeFeatures.COUNT + " values");
        }
        if (covariance == null || covariance.length != NiqeFeatures.COUNT) {
            throw new IllegalArgumentException("covariance must be " + NiqeFeatures.COUNT + "x" + NiqeFeatures.COUNT);
        }
        for (double[] row : covariance) {
            if (row == null || row.length != NiqeFeatures.COUNT) {
                throw new IllegalArgumentException(
                        "covariance must be " + NiqeFeatures.COUNT + "x" + NiqeFeatures.COUNT);
            }
        }
        photos = photos == null ? List.of() : List.copyOf(photos);
        source = source == null ? "" : source;
        luminance = luminance == null ? "" : luminance;
    }

    /**
     * Returns a copy naming the photos it was fitted on and their source.
     *
     * @param names the photos' file names
     * @param from where they come from
     * @return the model with that provenance
     */
    public PristineModel withProvenance(List<String> names, String from) {
        return new PristineModel(patchSize, sharpnessThreshold, luminance, from, names, patches, mean, covariance);
    }

    /**
     * Serializes as indented JSON, one covariance row per line.
     *
     * @return the JSON text
     */
    public String toJson() {
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                .withArrayIndenter(new RowsIndenter());
        try {
            return JSON.writer(printer).writeValueAsString(this) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Parses {@link #toJson()}'s output.
     *
     * @param json the JSON text
     * @return the model
     * @throws IllegalArgumentException if it is not a valid model
     */
    public static PristineModel fromJson(String json) {
        try {
            return JSON.readValue(json, PristineModel.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a NIQE pristine model: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a model from a stream of JSON.
     *
     * @param in the JSON bytes
     * @return the model
     * @throws IOException if the stream cannot be read or holds no valid model
     */
    public static PristineModel read(InputStream in) throws IOException {
        try {
            return JSON.readValue(in, PristineModel.class);
        } catch (IllegalArgumentException e) {
            throw new IOException("not a NIQE pristine model: " + e.getMessage(), e);
        }
    }

    /**
     * Puts each covariance row, and the mean, on one line; the elements of other arrays on lines
     * of their own.
     */
    private static final class RowsIndenter implements DefaultPrettyPrinter.Indenter {
        private final DefaultIndenter lines = new DefaultIndenter("  ", "\n");

        @Override
        public void writeIndentation(JsonGenerator g, int level) throws IOException {
            JsonStreamContext array = g.getOutputContext();
            JsonStreamContext parent = array.getParent();
            boolean oneLine = parent != null && (parent.inArray() || "mean".equals(parent.getCurrentName()));
            if (oneLine) {
                g.writeRaw(' ');
            } else {
                lines.writeIndentation(g, level);
            }
        }

        @Override
        public boolean isInline() {
            return false;
        }
    }
}
