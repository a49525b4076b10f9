package dev.srgan.api.ops;

import java.time.Duration;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Applies or awaits the database migrations outside the running app, for deployments that migrate
 * once per rollout (the Kubernetes {@code srgan-migrate} Job) instead of in every pod at start.
 * Runs from the api image's own class path, so it applies exactly the migrations that image ships:
 *
 * <pre>
 * java -cp '/deployments/app/*:/deployments/lib/boot/*:/deployments/lib/main/*' dev.srgan.api.ops.MigrateCommand migrate
 * java -cp '/deployments/app/*:/deployments/lib/boot/*:/deployments/lib/main/*' dev.srgan.api.ops.MigrateCommand wait 600
 * </pre>
 *
 * {@code migrate} applies what is pending (Flyway's PostgreSQL advisory lock serialises two runs);
 * {@code wait} blocks until no migration of this image is pending, so an init container keeps a new
 * pod from starting on an old schema. Reads the apps' own variables: SRGAN_DB_URL, SRGAN_DB_USER,
 * SRGAN_DB_PASSWORD. Exit status 0 on success, 1 on failure or timeout, 2 on bad usage.
 */
public final class MigrateCommand {
    private MigrateCommand() {}

    public static void main(String[] args) {
        if (args.length == 0 || !(args[0].equals("migrate") || args[0].equals("wait"))) {
            System.err.println("usage: MigrateCommand migrate | wait [timeout-seconds]");
            System.exit(2);
        }
        Map<String, String> env = System.getenv();
        String url = env.getOrDefault("SRGAN_DB_URL", "jdbc:postgresql://localhost:5432/srgan");
        String user = env.getOrDefault("SRGAN_DB_USER", "postgres");
        String password = env.getOrDefault("SRGAN_DB_PASSWORD", "");
        try {
            if (args[0].equals("migrate")) {
                int applied = migrate(url, user, password);
                System.out.println("srgan-migrate: " + applied + " migration(s) applied to " + url);
            } else {
                Duration timeout = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 600);
                awaitSchema(url, user, password, timeout);
                System.out.println("srgan-migrate: schema of " + url + " is current");
            }
        } catch (RuntimeException e) {
            System.err.println("srgan-migrate: " + firstLine(e.getMessage()));
            System.exit(1);
        }
    }

    /** Applies the pending migrations and returns how many ran (0 when the schema was current). */
    public static int migrate(String url, String user, String password) {
        MigrateResult result = flyway(url, user, password).migrate();
        return result.migrationsExecuted;
    }

    /**
     * Returns once the database holds every migration on this class path; the database being
     * unreachable counts as not yet (it may be starting too). Throws when {@code timeout} passes.
     */
    public static void awaitSchema(String url, String user, String password, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "not checked";
        while (true) {
            try {
                MigrationInfo[] pending = flyway(url, user, password).info().pending();
                if (pending.length == 0) {
                    return;
                }
                last = pending.length + " migration(s) pending, first " + pending[0].getVersion();
            } catch (RuntimeException e) {
                last = firstLine(e.getMessage());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("schema not current after " + timeout.toSeconds() + " s: " + last);
            }
            System.out.println("srgan-migrate: waiting for the schema (" + last + ")");
            try {
                Thread.sleep(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the schema");
            }
        }
    }

    // Flyway's messages append SQL state and a ruler on further lines: one line per attempt is enough.
    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl).trim();
    }

    // The same settings as the apps' quarkus.flyway defaults: classpath:db/migration, default history table.
    private static Flyway flyway(String url, String user, String password) {
        return Flyway.configure()
                .dataSource(url, user, password)
                .locations("classpath:db/migration")
                .connectRetries(0)
                .load();
    }
}
