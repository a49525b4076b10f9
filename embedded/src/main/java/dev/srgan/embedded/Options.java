package dev.srgan.embedded;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Launcher options: each is a flag ({@code --api-port 8080}) or the matching environment variable
 * ({@code SRGAN_API_PORT}); the flag wins. The table in README.md lists them all.
 */
public final class Options {
    /** flag name -> environment variable. */
    static final Map<String, String> ENV = Map.ofEntries(
            Map.entry("workers", "SRGAN_WORKERS"),
            Map.entry("api-port", "SRGAN_API_PORT"),
            Map.entry("worker-port", "SRGAN_WORKER_PORT"),
            Map.entry("pg-port", "SRGAN_PG_PORT"),
            Map.entry("kafka-port", "SRGAN_KAFKA_PORT"),
            Map.entry("kafka-controller-port", "SRGAN_KAFKA_CONTROLLER_PORT"),
            Map.entry("data-dir", "SRGAN_DATA_DIR"),
            Map.entry("db-url", "SRGAN_DB_URL"),
            Map.entry("db-user", "SRGAN_DB_USER"),
            Map.entry("db-password", "SRGAN_DB_PASSWORD"),
            Map.entry("kafka-bootstrap", "SRGAN_KAFKA_BOOTSTRAP"),
            Map.entry("only", "SRGAN_SERVICES_ONLY"),
            Map.entry("pg-durable", "SRGAN_PG_DURABLE"));

    private final Map<String, String> values = new HashMap<>();
    private final Map<String, String> env;

    Options(List<String> args, Map<String, String> env) {
        this.env = env;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                throw new LaunchException("unexpected argument '" + a + "'; see ./srgan help");
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (name.equals("watch-stdin")) {
                value = "true";
            } else {
                if (i + 1 >= args.size()) {
                    throw new LaunchException("option --" + name + " needs a value");
                }
                value = args.get(++i);
            }
            if (!ENV.containsKey(name) && !name.equals("watch-stdin")) {
                throw new LaunchException("unknown option --" + name + "; see ./srgan help");
            }
            values.put(name, value);
        }
    }

    String get(String name) {
        String v = values.get(name);
        if (v == null && ENV.containsKey(name)) {
            v = env.get(ENV.get(name));
        }
        return v == null || v.isBlank() ? null : v.trim();
    }

    boolean has(String name) {
        return get(name) != null;
    }

    int intValue(String name, int fallback, int min, int max) {
        String v = get(name);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new LaunchException("--" + name + " (" + ENV.get(name) + ") must be a whole number from " + min
                    + " to " + max + ", got '" + v + "'");
        }
    }

    Path dataDir() {
        String v = get("data-dir");
        return Path.of(v == null ? "data" : v).toAbsolutePath().normalize();
    }

    boolean flag(String name) {
        return "true".equals(values.get(name));
    }
}
