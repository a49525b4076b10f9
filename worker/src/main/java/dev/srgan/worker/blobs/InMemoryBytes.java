package dev.srgan.worker.blobs;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;

/**
 * A growable byte buffer that can be read back without the copy {@link #toByteArray()} makes:
 * an image is held once, not twice, between the database and the decoder (or the encoder and the
 * database).
 */
public final class InMemoryBytes extends ByteArrayOutputStream {
    public InMemoryBytes(int expectedSize) {
        super(Math.max(32, expectedSize));
    }

    /** Reads what was written so far, sharing the buffer. */
    public InputStream asInputStream() {
        return new ByteArrayInputStream(buf, 0, count);
    }
}
