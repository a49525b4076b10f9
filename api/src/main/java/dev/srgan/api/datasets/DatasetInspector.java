package dev.srgan.api.datasets;

import dev.srgan.api.errors.ApiException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Checks a dataset zip before it is stored: entry count, total uncompressed size (measured by
 * reading, not trusted from the headers), no path traversal, and at least one PNG or JPEG image.
 */
public final class DatasetInspector {
    private DatasetInspector() {
    }

    /** What the zip holds. */
    public record Contents(int images, long uncompressedBytes) {
    }

    public static Contents inspectZip(Path zip, String name, int maxEntries, long maxUncompressed) {
        int images = 0;
        long total = 0;
        int entries = 0;
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
                try (InputStream in = file.getInputStream(e)) {
                    byte[] buf = new byte[64 * 1024];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        total += n;
                        if (total > maxUncompressed) {
                            throw ApiException.tooLarge("file", "'" + name + "' unpacks to more than " + maxUncompressed + " bytes");
                        }
                    }
                }
                if (isImageName(path)) {
                    images++;
                }
            }
        } catch (ApiException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw ApiException.badRequest("file", "'" + name + "' is not a readable zip file");
        }
        if (images == 0) {
            throw ApiException.unprocessable("file", "'" + name + "' holds no PNG or JPEG images");
        }
        return new Contents(images, total);
    }

    /** True for names the training job reads as images (hidden files such as __MACOSX/._x.png excluded). */
    public static boolean isImageName(String path) {
        String lower = path.toLowerCase(Locale.ROOT);
        String base = lower.substring(lower.lastIndexOf('/') + 1);
        return !base.startsWith(".") && !lower.startsWith("__macosx/")
                && (lower.endsWith(".png") || lower.endsWith(".jpg") || lower.endsWith(".jpeg"));
    }
}
