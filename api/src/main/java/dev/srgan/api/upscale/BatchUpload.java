package dev.srgan.api.upscale;

import dev.srgan.api.datasets.DatasetInspector;
import dev.srgan.core.errors.ApiException;
import dev.srgan.domain.images.ImageFormat;
import dev.srgan.domain.images.OutputOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * The images of one batch submission, every one checked before anything is stored: several
 * {@code images} parts, or the PNG, JPEG, WebP and TIFF entries of one {@code file} zip (unpacked to temporary
 * files, their bytes counted while reading). Each image passes the checks of a single upscale
 * ({@link ImageInspector}: format from its first bytes, size from its header, a walk of its
 * structure, the size its output options ask for and the output limit at the scale, {@link
 * OutputChecks}), and the batch as a whole is held to its count, its total pixels and the upload
 * size. Every refusal names the image. Close it to delete the files.
 */
final class BatchUpload implements AutoCloseable {

    /** The limits a batch is held to. */
    record Limits(int maxImages, long maxTotalPixels, long maxBytes, long maxInputPixels, long maxOutputPixels) {}

    /**
     * One checked image: its name as uploaded (a zip entry keeps its folder), its bytes (a file, or
     * the stored image of an earlier batch's upscale, {@code source}) and its header.
     */
    record Image(String name, Path file, ImageInspector.ImageInfo info, SourceImage source) {}

    private final List<Image> images;
    private final List<Path> temporary;
    private final String label;
    private int scale;

    private BatchUpload(List<Image> images, List<Path> temporary, String label) {
        this.images = images;
        this.temporary = temporary;
        this.label = label;
    }

    /** The images, in the order of the upload. */
    List<Image> images() {
        return Collections.unmodifiableList(images);
    }

    /** The model scale of every image: the one asked for, or the smallest that reaches the options' size for all. */
    int scale() {
        return scale;
    }

    /** The zip's file name, or null for images sent as parts. */
    String zipName() {
        return label;
    }

    /**
     * Reads and checks a submission.
     *
     * @param requestedScale the scale asked for, or null to choose it from the options
     * @throws ApiException 400 for a missing, mixed or unreadable upload or a damaged image, 413 for
     *     too many, too large or too many pixels, 415 for an image in another format, 422 for a zip
     *     without images or a size the model cannot reach; each names the image
     */
    static BatchUpload read(
            List<FileUpload> parts, FileUpload zip, Integer requestedScale, OutputOptions options, Limits limits)
            throws IOException {
        List<FileUpload> files = parts == null
                ? List.of()
                : parts.stream()
                        .filter(f -> f != null && f.uploadedFile() != null)
                        .toList();
        boolean hasZip = zip != null && zip.uploadedFile() != null;
        if (hasZip && !files.isEmpty()) {
            throw ApiException.badRequest(
                    "images",
                    "send either several images (field 'images') or one zip of images (field 'file'), not both");
        }
        if (!hasZip && files.isEmpty()) {
            throw ApiException.badRequest(
                    "images",
                    "choose the images to upscale (multipart fields 'images', or one zip in 'file'), or send"
                            + " sourceJobId to upscale an earlier batch's images again");
        }
        // the field errors name: "images", or "imageUrls" for images the api fetched (ImageUrls)
        String field = hasZip
                ? "file"
                : files.get(0).name() == null ? "images" : files.get(0).name();
        BatchUpload upload = hasZip ? unzip(zip, limits) : fromParts(files, limits, field);
        try {
            upload.check(requestedScale, options, limits, field);
            return upload;
        } catch (RuntimeException e) {
            upload.close();
            throw e;
        }
    }

    /**
     * The images of an earlier batch, checked as an upload's are against today's limits (they may
     * have been lowered since): 413 for too many, one over the input limit or too many pixels in
     * all, 422 for a size the model cannot reach; each names the image.
     */
    static BatchUpload stored(SourceBatch source, Integer requestedScale, OutputOptions options, Limits limits) {
        requireCount(source.images().size(), limits.maxImages(), SourceImage.FIELD);
        List<Image> images = new ArrayList<>();
        for (SourceImage s : source.images()) {
            ImageInspector.ImageInfo info = s.info();
            if (info.pixels() > limits.maxInputPixels()) {
                throw ApiException.tooLarge(
                        SourceImage.FIELD,
                        "'" + s.inputName() + "' of batch " + source.jobId() + " is " + info.width() + "x"
                                + info.height() + " = " + ImageInspector.megapixels(info.pixels())
                                + " megapixels; the limit is " + ImageInspector.megapixels(limits.maxInputPixels())
                                + " megapixels");
            }
            images.add(new Image(s.inputName(), null, info, s));
        }
        BatchUpload upload = new BatchUpload(images, List.of(), source.zipName());
        upload.check(requestedScale, options, limits, SourceImage.FIELD);
        return upload;
    }

    private static BatchUpload fromParts(List<FileUpload> files, Limits limits, String field) {
        requireCount(files.size(), limits.maxImages(), field);
        List<Image> images = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < files.size(); i++) {
            FileUpload f = files.get(i);
            String name = f.fileName() == null || f.fileName().isBlank() ? "image " + (i + 1) : f.fileName();
            bytes += f.size();
            if (f.size() > limits.maxBytes() || bytes > limits.maxBytes()) {
                throw ApiException.tooLarge(
                        field,
                        "the images add up to more than " + limits.maxBytes() + " bytes (at '" + name
                                + "'); a batch may upload at most " + limits.maxBytes()
                                + " bytes (srgan.upload.max-bytes)");
            }
            images.add(new Image(
                    name,
                    f.uploadedFile(),
                    ImageInspector.inspect(f.uploadedFile(), field, name, limits.maxInputPixels()),
                    null));
        }
        return new BatchUpload(images, List.of(), null);
    }

    private static BatchUpload unzip(FileUpload zip, Limits limits) throws IOException {
        String zipName = zip.fileName() == null || zip.fileName().isBlank() ? "images.zip" : zip.fileName();
        if (zip.size() > limits.maxBytes()) {
            throw ApiException.tooLarge(
                    "file",
                    "'" + zipName + "' is " + zip.size() + " bytes; the limit is " + limits.maxBytes() + " bytes");
        }
        List<Path> temporary = new ArrayList<>();
        BatchUpload upload = new BatchUpload(new ArrayList<>(), temporary, zipName);
        try (ZipFile file = openZip(zip.uploadedFile(), zipName)) {
            List<ZipEntry> entries = new ArrayList<>();
            var it = file.entries();
            while (it.hasMoreElements()) {
                ZipEntry e = it.nextElement();
                String path = e.getName().replace('\\', '/');
                if (path.startsWith("/") || path.matches("^[A-Za-z]:.*") || ("/" + path + "/").contains("/../")) {
                    throw ApiException.badRequest("file", "'" + zipName + "' contains an unsafe path: " + e.getName());
                }
                // folders, other files and hidden ones (__MACOSX/._a.png) are not images of the batch
                if (!e.isDirectory() && DatasetInspector.isImageName(path)) {
                    entries.add(e);
                }
            }
            requireCount(entries.size(), limits.maxImages(), "file");
            if (entries.isEmpty()) {
                throw ApiException.unprocessable(
                        "file",
                        "'" + zipName + "' holds no " + ImageFormat.NAMES + " images (" + ImageFormat.EXTENSIONS + ")");
            }
            long bytes = 0;
            for (ZipEntry e : entries) {
                Path to = Files.createTempFile("srgan-batch", ".img");
                temporary.add(to);
                try (InputStream in = file.getInputStream(e);
                        OutputStream out = Files.newOutputStream(to)) {
                    byte[] buffer = new byte[64 * 1024];
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        bytes += n;
                        if (bytes > limits.maxBytes()) {
                            throw ApiException.tooLarge(
                                    "file",
                                    "the images of '" + zipName + "' unpack to more than " + limits.maxBytes()
                                            + " bytes (at '" + e.getName() + "'); a batch may hold at most "
                                            + limits.maxBytes() + " bytes (srgan.upload.max-bytes)");
                        }
                        out.write(buffer, 0, n);
                    }
                } catch (IOException ex) {
                    throw ApiException.badRequest(
                            "file",
                            "'" + e.getName() + "' in '" + zipName + "' could not be unpacked: " + ex.getMessage());
                }
                upload.images.add(new Image(
                        e.getName(),
                        to,
                        ImageInspector.inspect(to, "file", e.getName(), limits.maxInputPixels()),
                        null));
            }
            return upload;
        } catch (RuntimeException | IOException e) {
            upload.close();
            throw e;
        }
    }

    private static ZipFile openZip(Path path, String zipName) {
        try {
            return new ZipFile(path.toFile());
        } catch (IOException e) {
            throw ApiException.badRequest("file", "'" + zipName + "' is not a readable zip file");
        }
    }

    /** 413 for a batch of more images than {@code srgan.upload.batch.max-images}. */
    static void requireCount(int count, int maxImages, String field) {
        if (count > maxImages) {
            throw ApiException.tooLarge(
                    field,
                    "a batch may hold at most " + maxImages + " images (srgan.upload.batch.max-images); "
                            + "this one has " + count);
        }
    }

    /**
     * Chooses the batch's one model scale (the one asked for, or the smallest that reaches the
     * options' size for every image), then checks each image's output at it and the pixels of all.
     */
    private void check(Integer requestedScale, OutputOptions options, Limits limits, String field) {
        scale = 2;
        for (Image image : images) {
            scale = Math.max(scale, OutputChecks.modelScale(requestedScale, options, image.info(), image.name()));
        }
        long pixels = 0;
        for (Image image : images) {
            ImageInspector.ImageInfo info = image.info();
            OutputChecks.check(info, image.name(), scale, options, limits.maxOutputPixels(), field);
            pixels += info.pixels();
            if (pixels > limits.maxTotalPixels()) {
                throw ApiException.tooLarge(
                        field,
                        "the images add up to more than " + ImageInspector.megapixels(limits.maxTotalPixels())
                                + " megapixels (at '" + image.name() + "'); a batch may hold at most "
                                + ImageInspector.megapixels(limits.maxTotalPixels())
                                + " megapixels (srgan.upload.batch.max-total-pixels)");
            }
        }
    }

    @Override
    public void close() {
        for (Path p : temporary) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // a leftover temporary file harms nothing; the OS cleans its temp dir
            }
        }
    }
}
