package dev.srgan.worker.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class StorageFaultsTest {
    /** What the PostgreSQL driver reports when the server cannot extend a table's file. */
    private static final SQLException DISK_FULL = new SQLException("""
            ERROR: could not extend file "base/16384/16385": No space left on device
              Hint: Check free disk space.
              Where: PL/pgSQL function f() line 3 at RAISE""", "53100");

    @Test
    void aFullLocalDiskIsSaidInWords() throws Exception {
        // /dev/full answers every write with the kernel's ENOSPC: the very IOException a full disk gives
        Path full = Path.of("/dev/full");
        assumeTrue(Files.isWritable(full), "no /dev/full on this system");
        IOException error = assertThrows(IOException.class, () -> {
            try (OutputStream out = Files.newOutputStream(full)) {
                out.write(new byte[4096]);
                out.flush();
            }
        });

        assertEquals("the worker's disk is full (No space left on device)", StorageFaults.describe(error));
        assertTrue(StorageFaults.isLocalDiskFull(new IllegalStateException("unpacking failed", error)));
        assertFalse(
                StorageFaults.isTransient(error), "a full disk stays full for a while: not worth trying again at once");
    }

    @Test
    void commonSqlStatesAreSaidInWordsWithTheServersMessage() {
        assertEquals(
                "the database is out of disk space (SQLSTATE 53100: could not extend file \"base/16384/16385\": No space left on device)",
                StorageFaults.describe(new IllegalStateException("wrapped", DISK_FULL)));
        assertEquals(
                "the database is out of memory (SQLSTATE 53200: out of memory)",
                StorageFaults.describe(new SQLException("ERROR: out of memory", "53200")));
        assertEquals(
                "the connection to the database was lost (SQLSTATE 08006: An I/O error occurred while sending to the backend.)",
                StorageFaults.describe(
                        new SQLException("An I/O error occurred while sending to the backend.", "08006")));
        assertEquals(
                "the database server was shut down or ended the session (SQLSTATE 57P01: terminating connection due to administrator command)",
                StorageFaults.describe(
                        new SQLException("FATAL: terminating connection due to administrator command", "57P01")));
        assertEquals(
                "the database refused the write (SQLSTATE 23505: duplicate key value violates unique constraint \"x\")",
                StorageFaults.describe(
                        new SQLException("ERROR: duplicate key value violates unique constraint \"x\"", "23505")));
        assertEquals(
                "the database could not be used (Acquisition timeout while waiting for new connection)",
                StorageFaults.describe(new SQLException("Acquisition timeout while waiting for new connection")));
    }

    @Test
    void lostConnectionsAndConflictsAreTransientAFullDiskIsNot() {
        assertTrue(StorageFaults.isTransient(new SQLException("gone", "08006")));
        assertTrue(StorageFaults.isTransient(new SQLException("refused", "08001")));
        assertTrue(StorageFaults.isTransient(new SQLException("terminating connection", "57P01")));
        assertTrue(StorageFaults.isTransient(new SQLException("could not serialize access", "40001")));
        assertTrue(
                StorageFaults.isTransient(new IllegalStateException(new SQLException("deadlock detected", "40P01"))));
        assertFalse(StorageFaults.isTransient(DISK_FULL));
        assertFalse(StorageFaults.isTransient(new SQLException("out of memory", "53200")));
        assertFalse(StorageFaults.isTransient(new SQLException("duplicate key", "23505")));
    }
}
