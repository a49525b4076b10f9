package dev.srgan.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** The repository the deployment files live in, and what the apps read from their configuration. */
final class Repo {
    static final Path HOME = Path.of(Objects.requireNonNull(System.getProperty("srgan.home"), "srgan.home"))
            .toAbsolutePath();

    private Repo() {}

    static Path path(String relative) {
        return HOME.resolve(relative);
    }

    static String read(String relative) {
        try {
            return Files.readString(path(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A YAML value carrying a tag that is not YAML's own, such as Compose's {@code !reset}. */
    record Tagged(String tag, Object value) {}

    /** Every document of a YAML file, maps and lists as plain Java collections; merge keys resolved. */
    static List<Object> yamlDocuments(String text) {
        List<Object> docs = new ArrayList<>();
        for (Object doc : new Yaml(new TolerantConstructor()).loadAll(text)) {
            if (doc != null) {
                docs.add(doc);
            }
        }
        return docs;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> yamlFile(String relative) {
        return (Map<String, Object>) yamlDocuments(read(relative)).get(0);
    }

    /** SnakeYAML's safe constructor, except that an unknown tag wraps its value instead of failing. */
    private static final class TolerantConstructor extends SafeConstructor {
        TolerantConstructor() {
            super(new LoaderOptions());
            this.yamlConstructors.put(null, new AbstractConstruct() {
                @Override
                public Object construct(Node node) {
                    Object value;
                    if (node instanceof ScalarNode s) {
                        value = s.getValue();
                    } else if (node instanceof SequenceNode s) {
                        value = constructSequence(s);
                    } else {
                        value = constructMapping((MappingNode) node);
                    }
                    return new Tagged(node.getTag().getValue(), value);
                }
            });
        }
    }

    /** What one app (api or worker) reads: its properties, and the environment variables that reach them. */
    record AppConfig(String module, Properties properties, Set<String> environmentVariables) {
        static AppConfig of(String module) {
            Properties p = new Properties();
            try (var in = Files.newBufferedReader(path(module + "/src/main/resources/application.properties"))) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Set<String> env = new LinkedHashSet<>();
            Pattern reference = Pattern.compile("\\$\\{([A-Z0-9_]+)[:}]");
            for (String key : p.stringPropertyNames()) {
                if (!key.startsWith("%")) {
                    // Quarkus maps every property to an environment variable: a.b-c -> A_B_C
                    env.add(key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT));
                }
                Matcher m = reference.matcher(p.getProperty(key));
                while (m.find()) {
                    env.add(m.group(1));
                }
            }
            env.addAll(documentedVariables(module));
            return new AppConfig(module, p, env);
        }

        /**
         * The environment variables of the properties docs/configuration.md lists for an app (the
         * apps' settings live in @ConfigMapping interfaces with their defaults, not in
         * application.properties; ConfigurationDocsTest holds the document to them): each row's
         * property in Quarkus' environment form, and the variables its environment column names.
         * The worker also reads the shared {@code srgan.kafka.*} and {@code kafka.*} rows.
         */
        static Set<String> documentedVariables(String module) {
            Set<String> env = new LinkedHashSet<>();
            Pattern row = Pattern.compile("^\\| `([a-z0-9.\\-]+)` \\|([^|]*)\\|");
            String section = "";
            for (String line : read("docs/configuration.md").split("\n")) {
                if (line.startsWith("## ")) {
                    section = line.substring(3);
                    continue;
                }
                Matcher m = row.matcher(line);
                if (!m.find()) {
                    continue;
                }
                String key = m.group(1);
                boolean shared = key.startsWith("srgan.kafka.") || key.startsWith("kafka.");
                if (section.startsWith(module) || (module.equals("worker") && shared)) {
                    env.add(key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT));
                    Matcher named = Pattern.compile("[A-Z][A-Z0-9_]{3,}").matcher(m.group(2));
                    while (named.find()) {
                        env.add(named.group());
                    }
                }
            }
            return env;
        }

        /** The value of a property as the app sees it without overrides: {@code ${VAR:default}} gives the default. */
        String value(String key) {
            if (properties.getProperty(key) == null) {
                return Objects.requireNonNull(
                        codeDefault(key),
                        module + " does not set " + key + " and no @ConfigMapping gives it a default");
            }
            String raw = properties.getProperty(key);
            Matcher m = Pattern.compile("^\\$\\{[A-Z0-9_]+:(.*)}$").matcher(raw);
            return m.matches() ? m.group(1) : raw;
        }

        int httpPort() {
            return Integer.parseInt(value("quarkus.http.port"));
        }

        boolean reads(String variable) {
            return environmentVariables.contains(variable);
        }
    }

    /**
     * The default a {@code @ConfigMapping} interface gives a {@code srgan.kafka.*} or {@code
     * srgan.worker.*} key ({@code @WithDefault} on the method named after the key's last part),
     * or null.
     */
    static String codeDefault(String key) {
        String file;
        if (key.startsWith("srgan.kafka.")) {
            file = "platform/src/main/java/dev/srgan/platform/KafkaConfig.java";
        } else if (key.startsWith("srgan.worker.")) {
            file = "worker/src/main/java/dev/srgan/worker/config/WorkerConfig.java";
        } else {
            return null;
        }
        String[] words = key.substring(key.lastIndexOf('.') + 1).split("-");
        StringBuilder method = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) {
            method.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
        }
        Matcher m = Pattern.compile("@WithDefault\\(\"([^\"]*)\"\\)\\s+[\\w<>.]+ " + method + "\\(\\)")
                .matcher(read(file));
        return m.find() ? m.group(1) : null;
    }

    /** The worker's shutdown grace in seconds: the default in the code, unless the properties set it. */
    static int workerShutdownGraceSeconds() {
        AppConfig worker = AppConfig.of("worker");
        String value = worker.properties().getProperty("srgan.worker.shutdown-grace");
        if (value == null) {
            Matcher m = Pattern.compile("@WithDefault\\(\"(\\d+)s\"\\)\\s+Duration shutdownGrace\\(\\)")
                    .matcher(read("worker/src/main/java/dev/srgan/worker/config/WorkerConfig.java"));
            if (!m.find()) {
                throw new AssertionError("srgan.worker.shutdown-grace default not found in WorkerConfig");
            }
            value = m.group(1) + "s";
        }
        return Integer.parseInt(value.replace("s", ""));
    }

    /** A nested value by keys and list indexes, or null where the path does not exist. */
    @SuppressWarnings("unchecked")
    static <T> T at(Object root, Object... path) {
        Object current = root;
        for (Object step : path) {
            if (current instanceof Map<?, ?> map && step instanceof String key) {
                current = map.get(key);
            } else if (current instanceof List<?> list && step instanceof Integer i && i < list.size()) {
                current = list.get(i);
            } else {
                return null;
            }
        }
        return (T) current;
    }

    /** Maps in {@code list} by their {@code name} entry, in order. */
    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> byName(Object list) {
        Map<String, Map<String, Object>> result = new LinkedHashMap<>();
        if (list instanceof List<?> l) {
            for (Object o : l) {
                Map<String, Object> m = (Map<String, Object>) o;
                result.put(String.valueOf(m.get("name")), m);
            }
        }
        return result;
    }
}
