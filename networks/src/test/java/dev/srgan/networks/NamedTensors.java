package dev.srgan.networks;

import dev.srgan.networks.model.TorchWeights;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/** Test resources in the named-tensor format ({@link TorchWeights}). */
public final class NamedTensors {

    private NamedTensors() {}

    /** Reads a test resource, keeping the file's order. */
    public static Map<String, TorchWeights.Tensor> readResource(String resource) throws IOException {
        try (InputStream raw = NamedTensors.class.getResourceAsStream(resource)) {
            if (raw == null) {
                throw new IOException("missing test resource " + resource);
            }
            return TorchWeights.read(raw);
        }
    }

    /** Returns the path of a test resource on disk. */
    public static java.nio.file.Path resourcePath(String resource) {
        try {
            return java.nio.file.Path.of(
                    NamedTensors.class.getResource(resource).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
