package dev.srgan.api.upload;

import dev.srgan.core.config.ApiConfig;
import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;
import jakarta.annotation.Priority;

/**
 * Derives {@code quarkus.http.limits.max-body-size} from {@code srgan.upload.max-bytes} plus
 * 1 MiB of headroom for the multipart framing and the other form fields, so there is one setting
 * for the upload size and the HTTP layer refuses a too-large body while it streams in, before the
 * upload is buffered to disk. Set {@code quarkus.http.limits.max-body-size} explicitly (in a
 * property file or {@code QUARKUS_HTTP_LIMITS_MAX_BODY_SIZE}) to override.
 */
@Priority(Priorities.APPLICATION)
public class UploadBodyLimit implements ConfigSourceInterceptor {
    static final String BODY = "quarkus.http.limits.max-body-size";
    static final String UPLOAD = "srgan.upload.max-bytes";
    static final long HEADROOM = 1024 * 1024;

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue value = context.proceed(name);
        if (!BODY.equals(name) || (value != null && value.getConfigSourceOrdinal() > 0 && !isDefault(value))) {
            return value;
        }
        ConfigValue upload = context.proceed(UPLOAD);
        long bytes = Long.parseLong(ApiConfig.Upload.DEFAULT_MAX_BYTES);
        if (upload != null && upload.getValue() != null) {
            try {
                bytes = Long.parseLong(upload.getValue().trim());
            } catch (NumberFormatException ignored) {
                // UpscaleResource reports the malformed setting; keep the documented default here
            }
        }
        String derived = String.valueOf(bytes + HEADROOM);
        return value == null
                ? ConfigValue.builder().withName(BODY).withValue(derived).build()
                : value.withValue(derived);
    }

    /** Quarkus' own default (10240K) comes from its defaults source, which is not an explicit setting. */
    private static boolean isDefault(ConfigValue value) {
        String source = value.getConfigSourceName();
        return source == null || source.contains("Default") || source.contains("default");
    }
}
