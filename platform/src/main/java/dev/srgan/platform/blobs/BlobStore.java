package dev.srgan.platform.blobs;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;

/**
 * Large binaries (images, datasets, checkpoints, models) in PostgreSQL as 1 MiB chunks of bytea.
 * Writing streams chunk by chunk inside the caller's transaction, so a failed upload leaves no
 * row behind; reading streams chunk by chunk, so no blob is ever held whole in the heap.
 */
@ApplicationScoped
public class BlobStore {
    /** Chunk size: large enough for few rows, small enough to stream. */
    public static final int CHUNK = 1 << 20;

    /** What was stored. */
    public record Blob(UUID id, String contentType, long sizeBytes, String sha256) {}

    /** Thrown when a stream is longer than the caller allows; nothing of it is kept once the transaction rolls back. */
    public static class TooLargeException extends IOException {
        private final long limit;

        public TooLargeException(long limit) {
            super("larger than the limit of " + limit + " bytes");
            this.limit = limit;
        }

        public long limit() {
            return limit;
        }
    }

    /** Writes a blob's bytes to the stream it is given (a checkpoint's {@code write}, an encoder). */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Streams {@code in} into a new blob on connection {@code c} (in the caller's transaction).
     * Stops with {@link TooLargeException} as soon as more than {@code maxBytes} arrive.
     */
    public Blob write(Connection c, InputStream in, String contentType, long maxBytes)
            throws IOException, SQLException {
        return write(c, contentType, maxBytes, in::transferTo);
    }

    /**
     * Streams what {@code content} writes into a new blob on connection {@code c} (in the caller's
     * transaction), one chunk in memory at a time: no scratch file, no second copy in the heap.
     * Stops with {@link TooLargeException} as soon as more than {@code maxBytes} arrive; a database
     * error while a chunk is stored comes out as that {@link SQLException}.
     */
    public Blob write(Connection c, String contentType, long maxBytes, Content content)
            throws IOException, SQLException {
        UUID id = UUID.randomUUID();
        ChunkWriter chunks;
        try (PreparedStatement insert =
                c.prepareStatement("INSERT INTO blob_chunks (blob_id, seq, data) VALUES (?, ?, ?)")) {
            // the blob's row goes in before its first full chunk; a blob of one chunk is written whole below
            chunks = new ChunkWriter(id, insert, maxBytes, () -> insertHead(c, id, contentType));
            content.writeTo(chunks);
            if (chunks.seq > 0) {
                chunks.finish();
            }
        } catch (ChunkNotStored e) {
            throw e.getCause();
        }
        String digest = HexFormat.of().formatHex(chunks.sha.digest());
        if (chunks.seq == 0) {
            // one statement for a blob that fits in a chunk (most images): its row and its chunk;
            // the foreign key is checked at the end of the statement
            String sql = chunks.filled == 0
                    ? "INSERT INTO blobs (id, content_type, size_bytes, sha256, complete) VALUES (?, ?, ?, ?, true)"
                    : """
                      WITH head AS (INSERT INTO blobs (id, content_type, size_bytes, sha256, complete) VALUES (?, ?, ?, ?, true))
                      INSERT INTO blob_chunks (blob_id, seq, data) VALUES (?, 0, ?)""";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setObject(1, id);
                ps.setString(2, contentType);
                ps.setLong(3, chunks.total);
                ps.setString(4, digest);
                if (chunks.filled > 0) {
                    ps.setObject(5, id);
                    ps.setBytes(6, Arrays.copyOf(chunks.buffer, chunks.filled));
                }
                ps.executeUpdate();
            }
            return new Blob(id, contentType, chunks.total, digest);
        }
        try (PreparedStatement done =
                c.prepareStatement("UPDATE blobs SET size_bytes = ?, sha256 = ?, complete = true WHERE id = ?")) {
            done.setLong(1, chunks.total);
            done.setString(2, digest);
            done.setObject(3, id);
            done.executeUpdate();
        }
        return new Blob(id, contentType, chunks.total, digest);
    }

    /**
     * Copies a complete blob into a new one with its content type and digest, in the caller's
     * transaction on {@code c}, inside PostgreSQL: the chunks go from row to row without passing
     * through this process (a batch of 100 photos run again copies them in one statement each, not
     * 100 round trips of their bytes). The original stays as it is and is key-share locked until
     * the transaction ends, as {@link #copyTo} locks it. The copy's chunks are checked against the
     * original's size, as {@link #copyTo} checks them.
     *
     * @throws IOException when the blob does not exist, was never written completely, or its
     *     chunks do not add up to its size (nothing is kept once the transaction rolls back)
     */
    public Blob copy(Connection c, UUID id) throws SQLException, IOException {
        lockForReading(c, id);
        Blob source = find(c, id).orElseThrow(() -> new IOException("blob " + id + " does not exist"));
        UUID copy = UUID.randomUUID();
        try (PreparedStatement head = c.prepareStatement("""
                        INSERT INTO blobs (id, content_type, size_bytes, sha256, complete)
                        SELECT ?, content_type, size_bytes, sha256, true FROM blobs WHERE id = ?""");
                PreparedStatement chunks = c.prepareStatement(
                        "INSERT INTO blob_chunks (blob_id, seq, data) SELECT ?, seq, data FROM blob_chunks WHERE blob_id = ?");
                PreparedStatement check = c.prepareStatement(
                        "SELECT count(*), coalesce(max(seq), -1), coalesce(sum(octet_length(data)), 0)"
                                + " FROM blob_chunks WHERE blob_id = ?")) {
            head.setObject(1, copy);
            head.setObject(2, id);
            head.executeUpdate();
            chunks.setObject(1, copy);
            chunks.setObject(2, id);
            chunks.executeUpdate();
            check.setObject(1, copy);
            try (ResultSet rs = check.executeQuery()) {
                rs.next();
                long expected = (source.sizeBytes() + CHUNK - 1) / CHUNK;
                if (rs.getLong(1) != expected || rs.getLong(2) != expected - 1 || rs.getLong(3) != source.sizeBytes()) {
                    throw new IOException("blob " + id + " is damaged: its " + rs.getLong(1) + " chunks hold "
                            + rs.getLong(3) + " bytes where " + source.sizeBytes() + " were stored in " + expected);
                }
            }
        }
        return new Blob(copy, source.contentType(), source.sizeBytes(), source.sha256());
    }

    private static void insertHead(Connection c, UUID id, String contentType) throws SQLException {
        try (PreparedStatement head = c.prepareStatement("INSERT INTO blobs (id, content_type) VALUES (?, ?)")) {
            head.setObject(1, id);
            head.setString(2, contentType);
            head.executeUpdate();
        }
    }

    /** The blob's metadata, if it exists and was written completely. */
    public Optional<Blob> find(Connection c, UUID id) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT content_type, size_bytes, sha256 FROM blobs WHERE id = ? AND complete")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? Optional.of(new Blob(id, rs.getString(1), rs.getLong(2), rs.getString(3)))
                        : Optional.empty();
            }
        }
    }

    /**
     * Copies the blob to {@code out}, one chunk in memory at a time, and returns the bytes written.
     * The blob's row is key-share locked until the copy ends (in its own transaction when
     * {@code c} is in auto-commit), so nothing deletes the blob while it is read (see
     * {@link #deleteIfUnread}). Every chunk is checked against the stored size: a missing or short
     * chunk fails loudly instead of passing for the end of the file.
     *
     * @throws IOException when the blob does not exist, was never written completely, or its
     *     chunks do not add up to its size
     */
    public long copyTo(Connection c, UUID id, OutputStream out) throws SQLException, IOException {
        boolean autoCommit = c.getAutoCommit();
        if (autoCommit) {
            c.setAutoCommit(false);
        }
        try {
            long size = lockForReading(c, id);
            long total = 0;
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT data FROM blob_chunks WHERE blob_id = ? AND seq = ?")) {
                for (int seq = 0; total < size; seq++) {
                    ps.setObject(1, id);
                    ps.setInt(2, seq);
                    try (ResultSet rs = ps.executeQuery()) {
                        byte[] data = rs.next() ? rs.getBytes(1) : null;
                        checkChunk(id, seq, data, size, total);
                        out.write(data);
                        total += data.length;
                    }
                }
            }
            return total;
        } finally {
            if (autoCommit) {
                c.commit();
                c.setAutoCommit(true);
            }
        }
    }

    /**
     * Key-share locks a complete blob's row for the caller's transaction and returns its size: a
     * reader's hold, which {@link #deleteIfUnread} respects and a plain {@link #delete} waits for.
     *
     * @throws IOException when the blob does not exist or was never written completely
     */
    public static long lockForReading(Connection c, UUID id) throws SQLException, IOException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT size_bytes FROM blobs WHERE id = ? AND complete FOR KEY SHARE")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IOException("blob " + id + " does not exist or was not written completely");
                }
                return rs.getLong(1);
            }
        }
    }

    /**
     * Checks chunk {@code seq} of a blob of {@code size} bytes, {@code before} of which came in the
     * chunks before it: it must exist and be full, but for the last, which holds exactly the rest.
     *
     * @throws IOException naming the blob, the chunk and the sizes
     */
    public static void checkChunk(UUID id, int seq, byte[] data, long size, long before) throws IOException {
        long expected = Math.min(CHUNK, size - before);
        if (data == null) {
            throw new IOException("blob " + id + " is damaged: chunk " + seq + " is missing (" + before + " of its "
                    + size + " bytes read)");
        }
        if (data.length != expected) {
            throw new IOException("blob " + id + " is damaged: chunk " + seq + " holds " + data.length + " bytes where "
                    + expected + " were stored (" + before + " of its " + size + " bytes read before it)");
        }
    }

    /**
     * Copies the blob to {@code out} on a connection of its own: what an HTTP response streaming a
     * blob needs, after the request's own queries are done. Database errors become IOExceptions.
     */
    public long copyTo(javax.sql.DataSource dataSource, UUID id, OutputStream out) throws IOException {
        try (Connection c = dataSource.getConnection()) {
            return copyTo(c, id, out);
        } catch (SQLException e) {
            throw new IOException("reading blob " + id + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Deletes the blob and its chunks unless a reader holds it now (see {@link #copyTo}); returns
     * whether it was deleted. For retention, which can simply try again later.
     */
    public boolean deleteIfUnread(Connection c, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM blobs WHERE id = (SELECT id FROM blobs WHERE id = ? FOR UPDATE SKIP LOCKED)")) {
            ps.setObject(1, id);
            return ps.executeUpdate() == 1;
        }
    }

    /** Deletes the blob and its chunks; waits for readers that hold it (see {@link #copyTo}). */
    public void delete(Connection c, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM blobs WHERE id = ?")) {
            ps.setObject(1, id);
            ps.executeUpdate();
        }
    }

    /** Carries a chunk's {@link SQLException} through {@link OutputStream#write}, which may only throw IOExceptions. */
    private static final class ChunkNotStored extends IOException {
        ChunkNotStored(SQLException cause) {
            super(cause);
        }

        @Override
        public synchronized SQLException getCause() {
            return (SQLException) super.getCause();
        }
    }

    /** Runs once before the first chunk is stored. */
    private interface BeforeFirstChunk {
        void run() throws SQLException;
    }

    /**
     * Fills a chunk-sized buffer and stores each full one as the next row of blob_chunks (after
     * the blob's own row, the first time). What is left in the buffer at the end is stored by
     * {@link #finish} or, for a blob of one chunk, by the caller.
     */
    private static final class ChunkWriter extends OutputStream {
        private final UUID id;
        private final PreparedStatement insert;
        private final long maxBytes;
        private final BeforeFirstChunk beforeFirst;
        private final MessageDigest sha = sha256();
        private final byte[] buffer = new byte[CHUNK];
        private int filled;
        private int seq;
        private long total;

        ChunkWriter(UUID id, PreparedStatement insert, long maxBytes, BeforeFirstChunk beforeFirst) {
            this.id = id;
            this.insert = insert;
            this.maxBytes = maxBytes;
            this.beforeFirst = beforeFirst;
        }

        @Override
        public void write(int b) throws IOException {
            if (total + 1 > maxBytes) {
                throw new TooLargeException(maxBytes);
            }
            total++;
            sha.update((byte) b);
            buffer[filled++] = (byte) b;
            if (filled == CHUNK) {
                store();
            }
        }

        @Override
        public void write(byte[] bytes, int off, int len) throws IOException {
            if (total + len > maxBytes) {
                throw new TooLargeException(maxBytes);
            }
            total += len;
            sha.update(bytes, off, len);
            while (len > 0) {
                int n = Math.min(len, CHUNK - filled);
                System.arraycopy(bytes, off, buffer, filled, n);
                filled += n;
                off += n;
                len -= n;
                if (filled == CHUNK) {
                    store();
                }
            }
        }

        void finish() throws IOException {
            if (filled > 0) {
                store();
            }
        }

        private void store() throws ChunkNotStored {
            try {
                if (seq == 0) {
                    beforeFirst.run();
                }
                insert.setObject(1, id);
                insert.setInt(2, seq++);
                insert.setBytes(3, filled == CHUNK ? buffer : Arrays.copyOf(buffer, filled));
                insert.executeUpdate();
            } catch (SQLException e) {
                throw new ChunkNotStored(e);
            }
            filled = 0;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
