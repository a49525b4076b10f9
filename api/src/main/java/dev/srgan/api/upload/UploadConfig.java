package dev.srgan.api.upload;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * {@code srgan.upload.*}: the largest upload the api takes (an image, a dataset zip, a model
 * file), in bytes. The one place for its default; the HTTP body limit follows it
 * ({@link UploadBodyLimit}).
 */
@ConfigMapping(prefix = "srgan.upload")
public interface UploadConfig {

    /** The default of {@link #maxBytes()}: 50 MiB. */
    String DEFAULT_MAX_BYTES = "52428800";

    /** {@code srgan.upload.max-bytes}: the largest upload, in bytes. */
    @WithDefault(DEFAULT_MAX_BYTES)
    long maxBytes();

    /** {@code srgan.upload.batch.*}: what one batch upscale may hold, on top of the limits of each image. */
    Batch batch();

    /** The limits of {@code POST /api/upscale/batch}; the whole request is also held to {@link #maxBytes()}. */
    interface Batch {
        /** {@code srgan.upload.batch.max-images}: the most images in one batch. */
        @WithDefault("100")
        int maxImages();

        /** {@code srgan.upload.batch.max-total-pixels}: the most input pixels all images of a batch add up to. */
        @WithDefault("100000000")
        long maxTotalPixels();
    }
}
