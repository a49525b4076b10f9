package dev.srgan.domain.images;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The file names of upscaled images, the same in a batch's zip and from {@code ./srgan upscale}:
 * {@code photo.jpg} upscaled 4x is {@code photo-x4.png}; with output options ({@link
 * OutputOptions#label}) {@code photo-x3.jpg}, {@code photo-x2.5.jpg} or {@code photo-w1920.jpg}.
 */
public final class ResultNames {

    private ResultNames() {}

    /**
     * The names of upscaled images, in the order of their inputs: each input's file name without
     * its folder and extension, {@code -x<scale>.png}; a name that clashes with an earlier one (also
     * by case, for case-insensitive file systems) gets {@code -2}, {@code -3}, ...
     *
     * @param inputs the inputs' file names or paths; null or empty ones are {@code image-<n>}
     * @param scale the upscale factor
     */
    public static List<String> of(List<String> inputs, int scale) {
        return of(inputs, "x" + scale, "png");
    }

    /**
     * The names of results with output options: {@code photo.jpg} at outscale 3 as JPEG is {@code
     * photo-x3.jpg}; otherwise as {@link #of(List, int)}.
     *
     * @param inputs the inputs' file names or paths
     * @param options the output options of the upscale
     * @param modelScale the scale of its model (the label when no size is asked for)
     */
    public static List<String> of(List<String> inputs, OutputOptions options, int modelScale) {
        return of(inputs, options.label(modelScale), options.format().extension());
    }

    private static List<String> of(List<String> inputs, String label, String extension) {
        List<String> names = new ArrayList<>();
        Set<String> taken = new HashSet<>();
        for (int i = 0; i < inputs.size(); i++) {
            String stem = stem(inputs.get(i) == null ? "" : inputs.get(i));
            if (stem.isEmpty()) {
                stem = "image-" + (i + 1);
            }
            String base = stem + "-" + label;
            String name = base + "." + extension;
            for (int n = 2; !taken.add(name.toLowerCase(Locale.ROOT)); n++) {
                name = base + "-" + n + "." + extension;
            }
            names.add(name);
        }
        return names;
    }

    /** A file name without its folders and extension, without characters no file system takes. */
    public static String stem(String path) {
        String name = path.replace('\\', '/');
        name = name.substring(name.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        if (dot > 0) {
            name = name.substring(0, dot);
        }
        name = name.replaceAll("[\\x00-\\x1f:*?\"<>|]", "_");
        return name.replaceAll("^[.\\s]+", "").strip();
    }
}
