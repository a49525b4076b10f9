package dev.srgan.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The images are built from what Maven writes, listen where the apps listen, and never run as root. */
class DockerfilesTest {
    // The Quarkus fast-jar layout: the launcher jar and the three folders it loads from.
    private static final List<String> FAST_JAR = List.of("lib/", "*.jar", "app/", "quarkus/");

    @Test
    void everyImageCopiesTheFastJarLayoutTheMavenBuildProduces() throws Exception {
        for (String file : Dockerfile.FILES) {
            Dockerfile d = Dockerfile.load(file);
            String prefix = d.module() + "/target/quarkus-app/";
            List<String> sources = d.args("COPY").stream()
                    .filter(a -> !a.contains("--from="))
                    .map(a -> a.replaceAll("--\\S+\\s+", "").split("\\s+")[0])
                    .toList();
            assertEquals(
                    FAST_JAR.stream().map(p -> prefix + p).toList(),
                    sources,
                    file + " copies the fast-jar folders, lib/ first");
            Path built = Repo.path(prefix);
            if (Files.isDirectory(built)) {
                // built in this reactor (or before): the copied paths must be what Quarkus wrote
                for (String folder : List.of("lib", "app", "quarkus")) {
                    assertTrue(Files.isDirectory(built.resolve(folder)), built.resolve(folder) + " exists");
                }
                assertTrue(Files.isRegularFile(built.resolve("quarkus-run.jar")), "quarkus-run.jar is built");
            }
            assertTrue(
                    d.args("ENTRYPOINT").get(0).contains("-jar /deployments/quarkus-run.jar"),
                    file + " runs the fast-jar launcher");
            String ignore = Repo.read("deploy/docker/" + file + ".dockerignore");
            assertTrue(
                    ignore.contains("\n*\n") && ignore.contains("!" + prefix),
                    file + ".dockerignore sends only " + prefix);
        }
    }

    @Test
    void imagesExposeTheAppsPortAndCheckTheirHealthThere() {
        for (String file : Dockerfile.FILES) {
            Dockerfile d = Dockerfile.load(file);
            int port = Repo.AppConfig.of(d.module()).httpPort();
            assertEquals(
                    List.of(String.valueOf(port)),
                    d.args("EXPOSE"),
                    file + " exposes quarkus.http.port of " + d.module());
            List<String> health = d.args("HEALTHCHECK");
            assertEquals(1, health.size(), file + " has a HEALTHCHECK");
            Matcher url = Pattern.compile("http://localhost:\\$\\{QUARKUS_HTTP_PORT:-(\\d+)}(/q/health/\\w+)")
                    .matcher(health.get(0));
            assertTrue(url.find(), file + " checks a health endpoint: " + health.get(0));
            assertEquals(String.valueOf(port), url.group(1), file + " health check port");
            assertTrue(List.of("/q/health/live", "/q/health/ready").contains(url.group(2)), url.group(2));
        }
    }

    @Test
    void imagesRunAsANonRootUser() {
        for (String file : Dockerfile.FILES) {
            List<String> users = Dockerfile.load(file).args("USER");
            assertFalse(users.isEmpty(), file + " sets USER");
            String user = users.get(users.size() - 1).split(":")[0];
            assertFalse(user.equals("root") || user.equals("0"), file + " runs as " + user);
        }
    }

    @Test
    void workerFlavoursUseTheirBaseImageAndRefuseTheOtherBuild() {
        Dockerfile cpu = Dockerfile.load("worker.Dockerfile");
        assertTrue(
                cpu.args("FROM").get(0).startsWith("eclipse-temurin:17-jre"),
                cpu.args("FROM").toString());
        assertTrue(String.join(" ", cpu.args("RUN")).contains("ai.djl.pytorch.pytorch-native-cpu-"));

        // the CUDA image: the CUDA 12.4 runtime last (it is what runs), a Java 17 runtime copied in,
        // and the check for the native library the root pom's cuda profile selects
        Dockerfile cuda = Dockerfile.load("worker-cuda.Dockerfile");
        List<String> from = cuda.args("FROM");
        assertTrue(from.get(from.size() - 1).startsWith("nvidia/cuda:12.4"), from.toString());
        assertTrue(from.get(0).startsWith("eclipse-temurin:17-jre"), from.toString());
        assertTrue(
                cuda.args("COPY").stream().anyMatch(c -> c.startsWith("--from=jre /opt/java/openjdk")),
                "JRE copied in");
        Matcher profile = Pattern.compile(
                        "(?s)<id>cuda</id>.*?<pytorch\\.native\\.artifact>([^<]+)</pytorch\\.native\\.artifact>")
                .matcher(Repo.read("pom.xml"));
        assertTrue(profile.find(), "root pom has the cuda profile");
        assertTrue(
                String.join(" ", cuda.args("RUN")).contains("ai.djl.pytorch." + profile.group(1) + "-"),
                "checks for " + profile.group(1));
        assertTrue(
                Repo.read("deploy/docker/worker-cuda.Dockerfile").contains("mvn -B -Pcuda package"),
                "documents the -Pcuda build");
    }

    @Test
    void imageNamesAreTheOnesTheDocsBuild() {
        String deployDoc = Repo.read("docs/deploy.md");
        for (String file : Dockerfile.FILES) {
            Dockerfile d = Dockerfile.load(file);
            assertTrue(
                    deployDoc.contains(d.buildCommand()),
                    "docs/deploy.md builds " + file + " with: " + d.buildCommand());
        }
    }
}
