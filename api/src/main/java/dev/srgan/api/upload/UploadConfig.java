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
}
