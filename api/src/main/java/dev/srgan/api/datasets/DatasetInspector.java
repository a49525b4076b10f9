package dev.srgan.api.datasets;

import dev.srgan.api.upscale.ImageInspector;
import dev.srgan.api.upscale.ImageStructure;
import dev.srgan.core.datasets.DatasetStore;
import dev.srgan.core.errors.ApiException;
import dev.srgan.domain.images.ImageFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Checks a dataset zip before it is stored: entry count, total uncompressed size (measured by
 * reading, not trusted from the headers), no path traversal, and at least one PNG, JPEG, WebP or TIFF
 * image.
 */
public final class DatasetInspector {
    private DatasetInspector() {}

    /**
     * What the zip holds; {@code smallestSide} is the shortest side over its images, as stored
     * (EXIF orientation does not change it), and {@code smallestImage} the entry that has it.
     */
    public record Contents(
            int images,
            long uncompressedBytes,
            long pixels,
            int smallestSide,
            String smallestImage,
            List<DatasetStore.ImageEntry> entries) {}

    /**
     * Inspects a dataset zip. Every image entry is checked from its structure without a decode
     * ({@link ImageStructure}): PNG, JPEG, WebP or TIFF by its first bytes, whole (truncated, damaged or
     * an animation: 400),
     * at most {@code maxPixels} (413), all of them together at most {@code maxTotalPixels} (413,
     * what a training run decodes into memory); each message names the entry.
     */
    public static Contents inspectZip(
            Path zip, String name, int maxEntries, long maxUncompressed, long maxPixels, long maxTotalPixels) {
        int images = 0;
        int smallestSide = Integer.MAX_VALUE;
        String smallestImage = null;
        long total = 0;
        long pixels = 0;
        int entries = 0;
        List<DatasetStore.ImageEntry> found = new ArrayList<>();
        try (ZipFile file = new ZipFile(zip.toFile())) {
            var it = file.entries();
            while (it.hasMoreElements()) {
                ZipEntry e = it.nextElement();
                if (++entries > maxEntries) {
                    throw ApiException.tooLarge("file", "'" + name + "' has more than " + maxEntries + " entries");
                }
                String path = e.getName().replace('\\', '/');
                if (path.startsWith("/") || path.matches("^[A-Za-z]:.*") || ("/" + path + "/").contains("/../")) {
                    throw ApiException.badRequest("file", "'" + name + "' contains an unsafe path: " + e.getName());
                }
                if (e.isDirectory()) {
                    continue;
                }
                long entryBytes = 0;
                try (InputStream in = file.getInputStream(e)) {
                    byte[] buf = new byte[64 * 1024];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        total += n;
                        entryBytes += n;
                        if (total > maxUncompressed) {
                            throw ApiException.tooLarge(
                                    "file", "'" + name + "' unpacks to more than " + maxUncompressed + " bytes");
                        }
                    }
                }
                if (isImageName(path)) {
                    images++;
                    ImageStructure.Inspection image = checkImage(file, e, name, maxPixels);
                    pixels += image.pixels();
                    found.add(new DatasetStore.ImageEntry(e.getName(), image.width(), image.height(), entryBytes));
                    int side = Math.min(image.width(), image.height());
                    if (side < smallestSide) {
                        smallestSide = side;
                        smallestImage = path;
                    }
                    if (pixels > maxTotalPixels) {
                        throw ApiException.tooLarge(
                                "file",
                                "the images of '" + name + "' add up to more than "
                                        + ImageInspector.megapixels(maxTotalPixels) + " megapixels (at '" + e.getName()
                                        + "'), the most one training run decodes; use fewer or smaller images");
                    }
                }
            }
        } catch (ApiException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw ApiException.badRequest("file", "'" + name + "' is not a readable zip file");
        }
        if (images == 0) {
            throw ApiException.unprocessable(
                    "file",
                    "'" + name + "' holds no " + ImageFormat.NAMES + " images (" + ImageFormat.EXTENSIONS + ")");
        }
        return new Contents(images, total, pixels, smallestSide, smallestImage, List.copyOf(found));
    }

    /** Checks one image entry from its structure and returns what it found; the messages name the entry. */
    private static ImageStructure.Inspection checkImage(ZipFile file, ZipEntry e, String zipName, long maxPixels)
            throws IOException {
        String entry = "'" + e.getName() + "' in '" + zipName + "'";
        byte[] head;
        try (InputStream in = file.getInputStream(e)) {
            head = in.readNBytes(ImageFormat.HEAD_BYTES);
        }
        ImageFormat format = ImageFormat.sniff(head)
                .orElseThrow(() -> ApiException.badRequest(
                        "file",
                        entry + " is named as an image but is " + ImageFormat.describe(head) + "; only "
                                + ImageFormat.ALL + " are read"));
        ImageStructure.Inspection found;
        try (InputStream in = file.getInputStream(e)) {
            found = ImageStructure.inspect(in, format);
        }
        if (found.width() > 0 && found.height() > 0 && found.pixels() > maxPixels) {
            throw ApiException.tooLarge(
                    "file",
                    entry + " is " + found.width() + "x" + found.height() + " = "
                            + ImageInspector.megapixels(found.pixels()) + " megapixels; the limit is "
                            + ImageInspector.megapixels(maxPixels) + " megapixels");
        }
        ImageInspector.requireWhole(found, format, "file", entry);
        if (found.width() <= 0 || found.height() <= 0) {
            throw ApiException.badRequest("file", entry + " has no pixels");
        }
        return found;
    }

    /** True for names the training job reads as images (hidden files such as __MACOSX/._x.png excluded). */
    public static boolean isImageName(String path) {
        String lower = path.toLowerCase(Locale.ROOT);
        String base = lower.substring(lower.lastIndexOf('/') + 1);
        return !base.startsWith(".") && !lower.startsWith("__macosx/") && ImageFormat.isImageName(lower);
    }
}
