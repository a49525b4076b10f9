package dev.srgan.worker.blobs;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/**
 * Reads a blob as a stream, one 1 MiB chunk in memory at a time, for readers that want an
 * {@link InputStream} (a checkpoint, a model) rather than the push-style
 * {@code BlobStore.copyTo}. Holds one pooled connection until closed.
 */
public final class BlobInputStream extends InputStream {
    private final Connection connection;
    private final PreparedStatement select;
    private final UUID blobId;
    private int nextSeq;
    private byte[] chunk = new byte[0];
    private int pos;
    private boolean ended;

    private BlobInputStream(Connection connection, UUID blobId) throws SQLException {
        this.connection = connection;
        this.blobId = blobId;
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
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM blobs WHERE id = ? AND complete")) {
                ps.setObject(1, blobId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new IOException("blob " + blobId + " does not exist or is incomplete");
                    }
                }
            }
            return new BlobInputStream(c, blobId);
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
            if (ended) {
                return false;
            }
            try {
                select.setObject(1, blobId);
                select.setInt(2, nextSeq);
                try (ResultSet rs = select.executeQuery()) {
                    if (!rs.next()) {
                        ended = true;
                        return false;
                    }
                    chunk = rs.getBytes(1);
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
    public void close() throws IOException {
        chunk = new byte[0];
        try {
            select.close();
            connection.close();
        } catch (SQLException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // the pool discards a broken connection
            }
        }
    }
}
