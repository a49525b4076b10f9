package dev.srgan.networks.metrics;

import dev.srgan.networks.image.Images;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Fits the NIQE pristine model on every PNG/JPEG of a folder (sorted by name) and writes it as
 * JSON. Not a test: run it over the test classpath, see networks/README.md (NIQE).
 *
 * <pre>
 * java -cp networks/target/classes:networks/target/test-classes:$(cat /tmp/cp.txt) \
 *     dev.srgan.networks.metrics.FitPristineModel DIR OUT.json [SOURCE]
 * </pre>
 */
public final class FitPristineModel {

    /** Where the shipped model's photos come from, unless a SOURCE argument says otherwise. */
    static final String DEFAULT_SOURCE = "the pristine split of models/corpus/fetch-corpus.sh (data/corpus/pristine):"
            + " photos from Debian packages, reserved for NIQE, each downscaled to 640 px on its longer side;"
            + " package, license and credit of each in"
            + " models/corpus/manifest.tsv, see models/LICENSES.md";

    private FitPristineModel() {}

    /**
     * Fits and writes the model.
     *
     * @param args DIR OUT.json [SOURCE]
     * @throws IOException if a photo cannot be read or the model not written
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: FitPristineModel DIR OUT.json [SOURCE]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        Path out = Path.of(args[1]);
        String source = args.length == 3 ? args[2] : DEFAULT_SOURCE;
        List<String> names = new ArrayList<>();
        List<BufferedImage> photos = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
                if (Files.isRegularFile(f) && (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg"))) {
                    BufferedImage photo = Images.read(f);
                    if (photo.getWidth() < Niqe.PATCH_SIZE || photo.getHeight() < Niqe.PATCH_SIZE) {
                        System.err.println(
                                "skipped " + f.getFileName() + ": smaller than one " + Niqe.PATCH_SIZE + "px patch");
                        continue;
                    }
                    names.add(f.getFileName().toString());
                    photos.add(photo);
                }
            }
        }
        long t0 = System.nanoTime();
        PristineModel model = Niqe.fit(photos).withProvenance(names, source);
        Files.writeString(out, model.toJson());
        System.out.printf(
                Locale.ROOT,
                "fitted on %d photos, %d patches, in %.1f s: wrote %s%n",
                photos.size(),
                model.patches(),
                (System.nanoTime() - t0) / 1e9,
                out);
    }
}
