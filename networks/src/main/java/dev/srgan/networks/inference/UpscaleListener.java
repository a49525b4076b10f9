package dev.srgan.networks.inference;

/**
 * Follows an upscale tile by tile and may cancel it: {@link Upscaler} calls {@link
 * #onProgress(int, int)} after each batch of tiles and asks {@link #isCancelled()} before the next
 * one, throwing {@link java.util.concurrent.CancellationException} when it says yes.
 */
public interface UpscaleListener {

    /** A listener that ignores progress and never cancels. */
    UpscaleListener NONE = (done, total) -> {};

    /**
     * Called after tiles were upscaled.
     *
     * @param tilesDone tiles finished so far
     * @param tilesTotal tiles of the whole image
     */
    void onProgress(int tilesDone, int tilesTotal);

    /** Returns true to stop the upscale before its next batch of tiles. */
    default boolean isCancelled() {
        return false;
    }
}
