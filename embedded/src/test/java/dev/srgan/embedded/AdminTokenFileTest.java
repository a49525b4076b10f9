package dev.srgan.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin token {@code ./srgan up} creates: owner-only, created once, the same on every later start. */
class AdminTokenFileTest {

    @Test
    void firstStartCreatesAnOwnerOnlyTokenFile(@TempDir Path dataDir) throws Exception {
        AdminTokenFile.Token token = AdminTokenFile.loadOrCreate(dataDir);
        assertTrue(token.created());
        Path file = dataDir.resolve("admin-token");
        assertEquals(file, token.file());
        assertEquals(token.value(), Files.readString(file).trim());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertTrue(token.value().startsWith("srgan_") && token.value().length() == 6 + 43, token.value());
        assertFalse(Files.exists(dataDir.resolve("admin-token.tmp")), "no temporary file left behind");
    }

    @Test
    void aSecondStartReusesTheTokenAndDoesNotPrintItAgain(@TempDir Path dataDir) {
        AdminTokenFile.Token first = AdminTokenFile.loadOrCreate(dataDir);
        AdminTokenFile.Token second = AdminTokenFile.loadOrCreate(dataDir);
        assertFalse(second.created());
        assertEquals(first.value(), second.value());
    }

    @Test
    void tokensAreRandom() {
        assertNotEquals(AdminTokenFile.generate(), AdminTokenFile.generate());
    }

    @Test
    void anEmptyTokenFileIsAReadableError(@TempDir Path dataDir) throws Exception {
        Files.writeString(dataDir.resolve("admin-token"), "\n");
        LaunchException e = assertThrows(LaunchException.class, () -> AdminTokenFile.loadOrCreate(dataDir));
        assertTrue(e.getMessage().contains("admin-token"), e.getMessage());
    }
}
