package dev.srgan.worker.blobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.srgan.embedded.EmbeddedServicesTestResource;
import dev.srgan.platform.KafkaSettings;
import dev.srgan.platform.blobs.BlobStore;
import dev.srgan.worker.JobFixtures;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** Blobs written from a stream and from a writer (how checkpoints are stored) end up as the same chunks. */
@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class BlobWriteTest {
    @Inject
    DataSource dataSource;

    @Inject
    JobFixtures fixtures;

    @Inject
    BlobStore blobs;

    @Inject
    KafkaSettings kafka;

    @Test
    void aWriterAndAStreamStoreTheSameChunksAndDigest() throws Exception {
        byte[] bytes = new byte[2 * BlobStore.CHUNK + 12345];
        new Random(3).nextBytes(bytes);
        String sha =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));

        BlobStore.Blob streamed;
        BlobStore.Blob written;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            streamed = blobs.write(c, new ByteArrayInputStream(bytes), "application/octet-stream", Long.MAX_VALUE);
            // odd-sized writes and single bytes, as a zip writer makes them
            written = blobs.write(c, "application/octet-stream", Long.MAX_VALUE, out -> {
                out.write(bytes[0]);
                for (int off = 1; off < bytes.length; off += 70_001) {
                    out.write(bytes, off, Math.min(70_001, bytes.length - off));
                }
            });
            c.commit();
        }
        for (BlobStore.Blob blob : List.of(streamed, written)) {
            assertEquals(bytes.length, blob.sizeBytes());
            assertEquals(sha, blob.sha256());
            assertArrayEquals(bytes, fixtures.readBlob(blob.id()));
            assertEquals(
                    List.of((long) BlobStore.CHUNK, (long) BlobStore.CHUNK, 12345L),
                    fixtures.numbers("SELECT length(data) FROM blob_chunks WHERE blob_id = ? ORDER BY seq", blob.id()));
        }
    }

    @Test
    void blobsOfAtMostOneChunkAndOfWholeChunksReadBackWhole() throws Exception {
        for (int size : new int[] {0, 1, 8 * 1024, BlobStore.CHUNK - 1, BlobStore.CHUNK, 2 * BlobStore.CHUNK}) {
            byte[] bytes = new byte[size];
            new Random(size).nextBytes(bytes);
            BlobStore.Blob blob;
            java.io.ByteArrayOutputStream back = new java.io.ByteArrayOutputStream();
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                blob = blobs.write(c, new ByteArrayInputStream(bytes), "image/png", Long.MAX_VALUE);
                c.commit();
                assertEquals(size, blobs.copyTo(c, blob.id(), back), "bytes read back, size " + size);
                assertEquals(size, blobs.find(c, blob.id()).orElseThrow().sizeBytes(), "complete, with its size");
            }
            assertArrayEquals(bytes, back.toByteArray(), "size " + size);
            assertEquals(
                    HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)),
                    blob.sha256());
            assertEquals(
                    (long) ((size + BlobStore.CHUNK - 1) / BlobStore.CHUNK),
                    fixtures.number("SELECT count(*) FROM blob_chunks WHERE blob_id = ?", blob.id()),
                    "chunks of size " + size);
        }
    }

    @Test
    void aWriterPastTheLimitStopsAndLeavesNothingOnceRolledBack() throws Exception {
        long before = fixtures.number("SELECT count(*) FROM blobs");
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            BlobStore.TooLargeException e = assertThrows(
                    BlobStore.TooLargeException.class,
                    () -> blobs.write(
                            c,
                            "application/zip",
                            BlobStore.CHUNK + 10L,
                            out -> out.write(new byte[BlobStore.CHUNK + 11])));
            assertEquals(BlobStore.CHUNK + 10L, e.limit());
            c.rollback();
        }
        assertEquals(before, fixtures.number("SELECT count(*) FROM blobs"));
    }

    private BlobStore.Blob stored(byte[] bytes) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            BlobStore.Blob blob =
                    blobs.write(c, new ByteArrayInputStream(bytes), "application/octet-stream", Long.MAX_VALUE);
            c.commit();
            return blob;
        }
    }

    @Test
    void aMissingOrShortChunkFailsLoudlyInsteadOfEndingTheFile() throws Exception {
        byte[] bytes = new byte[2 * BlobStore.CHUNK + 100];
        new Random(11).nextBytes(bytes);
        BlobStore.Blob missing = stored(bytes);
        fixtures.exec("DELETE FROM blob_chunks WHERE blob_id = ? AND seq = 2", missing.id());
        BlobStore.Blob shortened = stored(bytes);
        fixtures.exec(
                "UPDATE blob_chunks SET data = substring(data from 1 for 1000) WHERE blob_id = ? AND seq = 1",
                shortened.id());

        java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(
                java.io.IOException.class, () -> fixtures.readBlob(missing.id()));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("chunk 2 is missing"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(
                java.io.IOException.class, () -> fixtures.readBlob(shortened.id()));
        org.junit.jupiter.api.Assertions.assertTrue(
                e.getMessage().contains("chunk 1 holds 1000 bytes"), e.getMessage());
        try (java.io.InputStream in = BlobInputStream.open(dataSource, missing.id())) {
            e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, in::readAllBytes);
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("chunk 2 is missing"), e.getMessage());
        }
    }

    @Test
    void aCopyIsMadeInTheDatabaseWithTheSameBytesAndADamagedOriginalIsRefused() throws Exception {
        byte[] bytes = new byte[2 * BlobStore.CHUNK + 77];
        new Random(13).nextBytes(bytes);
        BlobStore.Blob original = stored(bytes);
        BlobStore.Blob copy;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            copy = blobs.copy(c, original.id());
            c.commit();
        }
        assertNotEquals(original.id(), copy.id());
        assertEquals(
                new BlobStore.Blob(copy.id(), original.contentType(), original.sizeBytes(), original.sha256()), copy);
        fixtures.exec("DELETE FROM blobs WHERE id = ?", original.id());
        assertArrayEquals(bytes, fixtures.readBlob(copy.id()), "the copy outlives its original");

        BlobStore.Blob damaged = stored(bytes);
        fixtures.exec("DELETE FROM blob_chunks WHERE blob_id = ? AND seq = 1", damaged.id());
        long blobsBefore = fixtures.number("SELECT count(*) FROM blobs");
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            java.io.IOException e = assertThrows(java.io.IOException.class, () -> blobs.copy(c, damaged.id()));
            assertEquals(
                    "blob " + damaged.id() + " is damaged: its 2 chunks hold " + (BlobStore.CHUNK + 77L)
                            + " bytes where " + bytes.length + " were stored in 3",
                    e.getMessage());
            c.rollback();
        }
        assertEquals(blobsBefore, fixtures.number("SELECT count(*) FROM blobs"), "nothing of the copy is kept");
    }

    @Test
    void aBlobBeingReadIsNotDeletedByRetention() throws Exception {
        byte[] bytes = new byte[BlobStore.CHUNK + 10];
        new Random(12).nextBytes(bytes);
        BlobStore.Blob blob = stored(bytes);
        try (java.io.InputStream in = BlobInputStream.open(dataSource, blob.id())) {
            in.read(new byte[100]);
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                org.junit.jupiter.api.Assertions.assertFalse(
                        blobs.deleteIfUnread(c, blob.id()), "held by a reader: left alone");
                c.commit();
            }
            byte[] rest = in.readAllBytes();
            assertEquals(bytes.length - 100, rest.length, "the reader reads it whole");
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            org.junit.jupiter.api.Assertions.assertTrue(blobs.deleteIfUnread(c, blob.id()), "no reader any more");
            c.commit();
        }
    }
}
