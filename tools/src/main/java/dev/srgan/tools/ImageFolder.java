package dev.srgan.tools;

import dev.srgan.domain.images.ImageFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The images of a folder, as the commands read them: its .png, .jpg, .jpeg and .webp files, by name. */
public final class ImageFolder {

    private ImageFolder() {}

    /**
     * The images directly inside {@code dir}, in name order.
     *
     * @throws IllegalArgumentException if {@code dir} is no folder or holds no image
     */
    public static List<Path> images(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("no image folder " + dir);
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> images = files.filter(f -> Files.isRegularFile(f)
                            && ImageFormat.isImageName(f.getFileName().toString()))
                    .sorted()
                    .toList();
            if (images.isEmpty()) {
                throw new IllegalArgumentException(
                        "no " + ImageFormat.NAMES + " images (" + ImageFormat.EXTENSIONS + ") in " + dir);
            }
            return images;
        }
    }
}
