package dev.srgan.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The admin token of a local stack, in {@code <data dir>/admin-token}. Created once, at the first
 * {@code ./srgan up}, readable by its owner only (0600) from the moment it exists (it is written
 * to a file created with those permissions, then moved into place); later starts reuse it, so the
 * token printed the first time keeps working. The api stores only its hash.
 */
final class AdminTokenFile {
    static final String NAME = "admin-token";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The token and whether this call created it (then, and only then, the launcher prints it). */
    record Token(String value, boolean created, Path file) {}

    private AdminTokenFile() {}

    /** Reads the data dir's admin token, or creates one if there is none yet. */
    static Token loadOrCreate(Path dataDir) {
        Path file = dataDir.resolve(NAME);
        try {
            if (Files.exists(file)) {
                String value = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (value.length() < 20) {
                    throw new LaunchException(file + " does not hold a token; delete it and start again for a new one"
                            + " (only while no admin token is registered yet, i.e. on a fresh data dir)");
                }
                return new Token(value, false, file);
            }
            String value = generate();
            Path tmp = dataDir.resolve(NAME + ".tmp");
            Files.deleteIfExists(tmp);
            try {
                Files.createFile(
                        tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(tmp);
                tmp.toFile().setReadable(false, false);
                tmp.toFile().setReadable(true, true);
                tmp.toFile().setWritable(false, false);
                tmp.toFile().setWritable(true, true);
            }
            Files.writeString(tmp, value + "\n", StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException raced) {
                Files.deleteIfExists(tmp);
                return loadOrCreate(dataDir);
            }
            return new Token(value, true, file);
        } catch (IOException e) {
            throw new LaunchException("cannot read or write " + file + ": " + e.getMessage());
        }
    }

    /** 256 random bits, URL-safe, with the prefix the api's own tokens have. */
    static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "srgan_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
