package dev.srgan.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.core.config.ApiConfig;
import dev.srgan.platform.KafkaConfig;
import dev.srgan.worker.config.WorkerConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md against the apps' {@code @ConfigMapping} interfaces, which hold every
 * {@code srgan.*} setting and its one default: each setting is documented, each documented
 * {@code srgan.*} property exists, and each documented default is the code's.
 */
class ConfigurationDocsTest {
    private static final List<Class<?>> MAPPINGS = List.of(ApiConfig.class, WorkerConfig.class, KafkaConfig.class);

    /** A setting: its full key, and its default (null when it has none: optional or required). */
    record Setting(String key, String defaultValue, boolean optional) {}

    static List<Setting> settings() {
        List<Setting> all = new ArrayList<>();
        for (Class<?> mapping : MAPPINGS) {
            walk(mapping.getAnnotation(ConfigMapping.class).prefix(), mapping, all);
        }
        return all;
    }

    private static void walk(String prefix, Class<?> type, List<Setting> out) {
        Method[] methods = type.getDeclaredMethods();
        java.util.Arrays.sort(methods, Comparator.comparing(Method::getName));
        for (Method m : methods) {
            if (Modifier.isStatic(m.getModifiers()) || m.isDefault() || m.getParameterCount() > 0) {
                continue;
            }
            WithName named = m.getAnnotation(WithName.class);
            String key = prefix + "." + (named != null ? named.value() : kebab(m.getName()));
            Class<?> result = m.getReturnType();
            if (result.isInterface() && result.getDeclaringClass() != null) {
                walk(key, result, out);
                continue;
            }
            WithDefault d = m.getAnnotation(WithDefault.class);
            out.add(new Setting(key, d == null ? null : d.value(), result == Optional.class));
        }
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    /** The property rows of docs/configuration.md: key -> its default cell. */
    static Map<String, String> documented() throws IOException {
        Path doc = Path.of(System.getProperty("srgan.home", ".."))
                .toAbsolutePath()
                .normalize()
                .resolve("docs/configuration.md");
        Pattern row = Pattern.compile("^\\| `([a-z0-9.\\-]+)` \\|[^|]*\\|([^|]*)\\|");
        Map<String, String> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(doc)) {
            Matcher m = row.matcher(line);
            if (m.find()) {
                rows.put(m.group(1), m.group(2).trim());
            }
        }
        return rows;
    }

    @Test
    void everySettingIsDocumentedWithTheCodesDefault() throws IOException {
        Map<String, String> docs = documented();
        List<Setting> settings = settings();
        assertTrue(settings.size() >= 39, "the mappings hold " + settings.size() + " settings");
        List<String> problems = new ArrayList<>();
        for (Setting s : settings) {
            String cell = docs.get(s.key());
            if (cell == null) {
                problems.add(s.key() + " is not in docs/configuration.md");
            } else if (s.defaultValue() != null && !cell.replace("`", "").startsWith(s.defaultValue())) {
                problems.add(s.key() + ": the code's default is " + s.defaultValue() + ", the document says " + cell);
            } else if (s.defaultValue() == null && !cell.startsWith("unset")) {
                problems.add(
                        s.key() + " has no default in the code, the document says " + cell + " (say \"unset ...\")");
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void everyDocumentedSrganPropertyExists() throws IOException {
        List<String> keys = settings().stream().map(Setting::key).toList();
        List<String> unknown = documented().keySet().stream()
                .filter(k -> k.startsWith("srgan."))
                .filter(k -> !keys.contains(k))
                .toList();
        assertEquals(List.of(), unknown, "documented in docs/configuration.md but read by no @ConfigMapping");
    }

    @Test
    void kebabCaseIsQuarkusNaming() {
        assertEquals("max-input-pixels", kebab("maxInputPixels"));
        assertEquals("vgg19-path", kebab("vgg19Path"));
        assertEquals("lease", kebab("lease"));
    }
}
