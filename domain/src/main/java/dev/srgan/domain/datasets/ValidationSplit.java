package dev.srgan.domain.datasets;

/**
 * Which images of a dataset a training run holds out for validation when it has no validation
 * dataset of its own: with its images ordered by their name in the zip, the last tenth (at least
 * one); a dataset of a single image trains and validates on it. The worker splits by it and the api
 * shows it, so both say the same.
 */
public final class ValidationSplit {
    private ValidationSplit() {}

    /** How many of {@code images} (ordered by name) are held out: the last ones. */
    public static int heldOut(int images) {
        return images < 2 ? images : Math.max(1, images / 10);
    }

    /** Whether the image at {@code index} of {@code images} (ordered by name) validates. */
    public static boolean validates(int index, int images) {
        return index >= images - heldOut(images);
    }

    /** Whether it trains: all but the held-out ones, or the single image of a one-image dataset. */
    public static boolean trains(int index, int images) {
        return images < 2 || !validates(index, images);
    }
}
