package dev.srgan.worker.training;

import dev.srgan.domain.datasets.ValidationSplit;
import dev.srgan.domain.images.ImageFormat;
import dev.srgan.worker.jobs.JobFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * A dataset ZIP unpacked for training. The api validated the archive when it was uploaded; the
 * worker checks again because it writes the entries to its disk: an entry with an absolute or
 * parent-directory path fails the job, and files are written under names the worker makes up, so
 * no entry name can ever reach outside the target directory. Only .png, .jpg and .jpeg files are
 * kept; directories, hidden files (macOS' {@code ._name} and {@code __MACOSX/}) and others are skipped.
 *
 * <p>Images are ordered by their name in the archive, which makes the validation split the same
 * on every worker and every attempt: the last 10% (at least one) are held out when there are two
 * or more; a single image is used for both.
 */
public final class DatasetArchive {
    /** An extracted image: its name in the archive and where it lies now. */
    public record Image(String name, Path file) {}

    /** Training and validation images. */
    record Split(List<Image> training, List<Image> validation) {}

    private DatasetArchive() {}

    /**
     * Extracts the images of {@code zipFile} into {@code dir}.
     *
     * @return the images, ordered by name
     * @throws JobFailure (permanent) if the archive is unreadable, unsafe or holds no image
     */
    public static List<Image> extract(Path zipFile, Path dir, long maxBytes) throws JobFailure, IOException {
        List<Image> images = new ArrayList<>();
        long total = 0;
        byte[] buffer = new byte[64 * 1024];
        try (ZipFile zip = new ZipFile(zipFile.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                String name = entry.getName();
                if (unsafe(name)) {
                    throw JobFailure.permanent("the dataset holds an entry with an unsafe path: " + name);
                }
                String extension = imageExtension(name);
                if (entry.isDirectory() || extension == null || hidden(name)) {
                    continue;
                }
                Path target = dir.resolve(String.format("%06d%s", images.size(), extension));
                // counted while copying: a forged entry size cannot make it fill the disk
                try (InputStream in = zip.getInputStream(entry);
                        OutputStream out = Files.newOutputStream(target)) {
                    int n;
                    while ((n = in.read(buffer)) > 0) {
                        total += n;
                        if (total > maxBytes) {
                            throw JobFailure.permanent("the dataset unpacks to more than " + maxBytes
                                    + " bytes of images, this worker's limit");
                        }
                        out.write(buffer, 0, n);
                    }
                }
                images.add(new Image(name, target));
            }
        } catch (ZipException e) {
            throw JobFailure.permanent("the dataset is not a readable ZIP archive (" + e.getMessage() + ")");
        }
        if (images.isEmpty()) {
            throw JobFailure.permanent("the dataset holds no .png, .jpg or .jpeg image");
        }
        images.sort(Comparator.comparing(Image::name));
        return images;
    }

    /** Holds out the last 10% of the images by name (at least one) for validation ({@link ValidationSplit}). */
    static Split split(List<Image> images) {
        if (images.size() < 2) {
            return new Split(images, images);
        }
        int cut = images.size() - ValidationSplit.heldOut(images.size());
        return new Split(List.copyOf(images.subList(0, cut)), List.copyOf(images.subList(cut, images.size())));
    }

    static boolean unsafe(String name) {
        if (name.isEmpty()
                || name.startsWith("/")
                || name.contains("\\")
                || name.indexOf('\0') >= 0
                || (name.length() > 1 && name.charAt(1) == ':')) {
            return true;
        }
        for (String segment : name.split("/")) {
            if (segment.equals("..")) {
                return true;
            }
        }
        return false;
    }

    private static boolean hidden(String name) {
        for (String segment : name.split("/")) {
            if (segment.startsWith(".") || segment.equals("__MACOSX")) {
                return true;
            }
        }
        return false;
    }

    /** ".png", ".jpg" or ".webp" for a name the dataset reads as an image, else null. */
    private static String imageExtension(String name) {
        return ImageFormat.byName(name).map(f -> "." + f.extension()).orElse(null);
    }
}
