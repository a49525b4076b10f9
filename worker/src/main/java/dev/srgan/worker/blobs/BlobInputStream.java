package dev.srgan.worker.blobs;

import dev.srgan.platform.blobs.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Reads a blob as a stream, one 1 MiB chunk in memory at a time, for readers that want an
 * {@link InputStream} (a checkpoint, a model) rather than the push-style
 * {@code BlobStore.copyTo}. Holds one pooled connection, in a transaction that key-share locks
 * the blob (retention does not delete a blob while it is read), until closed. Every chunk is
 * checked against the stored size: a missing or short chunk fails with an IOException.
 */
public final class BlobInputStream extends InputStream {
    private final Connection connection;
    private final PreparedStatement select;
    private final UUID blobId;
    private final long size;
    private long delivered;
    private int nextSeq;
    private byte[] chunk = new byte[0];
    private int pos;
    private boolean ended;

    private BlobInputStream(Connection connection, UUID blobId, long size) throws SQLException {
        this.connection = connection;
        this.blobId = blobId;
        this.size = size;
        this.select = connection.prepareStatement("SELECT data FROM blob_chunks WHERE blob_id = ? AND seq = ?");
    }

    /**
     * Opens a complete blob for reading.
     *
     * @throws IOException if it does not exist or was never completely written
     */
    public static BlobInputStream open(DataSource dataSource, UUID blobId) throws IOException {
        Connection c = null;
        try {
            c = dataSource.getConnection();
            // the read is one transaction that key-share locks the blob: retention leaves it alone meanwhile
            c.setAutoCommit(false);
            long size = BlobStore.lockForReading(c, blobId);
            return new BlobInputStream(c, blobId, size);
        } catch (SQLException e) {
            closeQuietly(c);
            throw new IOException("reading blob " + blobId + " failed: " + e.getMessage(), e);
        } catch (IOException e) {
            closeQuietly(c);
            throw e;
        }
    }

    private boolean fill() throws IOException {
        while (pos >= chunk.length) {
            if (ended || delivered >= size) {
                ended = true;
                return false;
            }
            try {
                select.setObject(1, blobId);
                select.setInt(2, nextSeq);
                try (ResultSet rs = select.executeQuery()) {
                    byte[] data = rs.next() ? rs.getBytes(1) : null;
                    // a missing or short chunk is damage, not the end of the blob
                    BlobStore.checkChunk(blobId, nextSeq, data, size, delivered);
                    chunk = data;
                    delivered += data.length;
                    pos = 0;
                    nextSeq++;
                }
            } catch (SQLException e) {
                throw new IOException("reading blob " + blobId + " chunk " + nextSeq + " failed: " + e.getMessage(), e);
            }
        }
        return true;
    }

    @Override
    public int read() throws IOException {
        return fill() ? chunk[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = Math.min(len, chunk.length - pos);
        System.arraycopy(chunk, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public void close() {
        chunk = new byte[0];
        try {
            select.close();
        } catch (SQLException ignored) {
            // the connection is broken; it is closed below all the same
        }
        // always back to the pool, even when the database went away meanwhile (a leaked
        // connection here, one per broken read, would drain the pool)
        closeQuietly(connection);
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.rollback();
                c.setAutoCommit(true);
            } catch (SQLException ignored) {
                // broken: the pool discards it
            }
            try {
                c.close();
            } catch (SQLException ignored) {
                // the pool discards a broken connection
            }
        }
    }
}
