package dev.srgan.deploy;

import static dev.srgan.deploy.Repo.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docker-compose.yml and its CPU override against the Dockerfiles and what the apps read. */
class ComposeTest {
    private final Map<String, Object> compose = Repo.yamlFile("docker-compose.yml");
    private final Map<String, Object> cpu = Repo.yamlFile("docker-compose.cpu.yml");

    @Test
    void servicesAreTheFourPartsWithHealthChecksAndOrderedStart() {
        Map<String, Object> services = at(compose, "services");
        assertEquals(Set.of("postgres", "kafka", "api", "worker"), services.keySet());
        assertTrue(String.valueOf((Object) at(services, "postgres", "image")).startsWith("postgres:17"));
        assertTrue(String.valueOf((Object) at(services, "kafka", "image")).startsWith("apache/kafka:"));
        for (String service : services.keySet()) {
            assertNotNull(at(services, service, "healthcheck", "test"), service + " has a health check");
        }
        for (String app : List.of("api", "worker")) {
            Map<String, Object> dependsOn = at(services, app, "depends_on");
            for (String dependency : List.of("postgres", "kafka")) {
                assertEquals(
                        "service_healthy", at(dependsOn, dependency, "condition"), app + " waits for " + dependency);
            }
        }
        assertEquals(
                "service_healthy",
                at(services, "worker", "depends_on", "api", "condition"),
                "workers start on a migrated schema");
    }

    @Test
    void kafkaRunsInKraftModeAndAdvertisesTheAddressTheAppsUse() {
        Map<String, Object> env = at(compose, "services", "kafka", "environment");
        assertEquals("broker,controller", env.get("KAFKA_PROCESS_ROLES"));
        assertNull(env.get("KAFKA_ZOOKEEPER_CONNECT"));
        String advertised = String.valueOf(env.get("KAFKA_ADVERTISED_LISTENERS"));
        for (String app : List.of("api", "worker")) {
            String bootstrap =
                    String.valueOf((Object) at(compose, "services", app, "environment", "SRGAN_KAFKA_BOOTSTRAP"));
            assertTrue(
                    advertised.contains("://" + bootstrap),
                    app + " bootstrap " + bootstrap + " is advertised: " + advertised);
        }
        assertTrue(String.valueOf(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS"))
                .startsWith(env.get("KAFKA_NODE_ID") + "@kafka:"));
    }

    @Test
    void appsReachPostgresWithTheCredentialsItIsCreatedWith() {
        Map<String, Object> pg = at(compose, "services", "postgres", "environment");
        for (String app : List.of("api", "worker")) {
            Map<String, Object> env = at(compose, "services", app, "environment");
            assertEquals("jdbc:postgresql://postgres:5432/" + pg.get("POSTGRES_DB"), env.get("SRGAN_DB_URL"));
            assertEquals(pg.get("POSTGRES_USER"), env.get("SRGAN_DB_USER"));
            assertEquals(pg.get("POSTGRES_PASSWORD"), env.get("SRGAN_DB_PASSWORD"));
        }
    }

    @Test
    void everyVariableTheComposeFilesSetIsOneTheAppReads() {
        for (Map<String, Object> file : List.of(compose, cpu)) {
            for (String app : List.of("api", "worker")) {
                Map<String, Object> env = at(file, "services", app, "environment");
                if (env == null) {
                    continue; // the CPU override leaves the api as it is
                }
                Repo.AppConfig config = Repo.AppConfig.of(app);
                for (String variable : env.keySet()) {
                    assertTrue(
                            config.reads(variable),
                            app + " does not read " + variable + " (its application.properties reads "
                                    + config.environmentVariables() + ")");
                }
            }
        }
    }

    @Test
    void appsPublishAndCheckTheirOwnPorts() {
        for (String app : List.of("api", "worker")) {
            int port = Repo.AppConfig.of(app).httpPort();
            Map<String, Object> service = at(compose, "services", app);
            assertEquals(String.valueOf(port), at(service, "environment", "QUARKUS_HTTP_PORT"));
            List<String> test = at(service, "healthcheck", "test");
            String check = String.join(" ", test);
            Matcher url =
                    Pattern.compile("http://localhost:(\\d+)(/q/health/\\w+)").matcher(check);
            assertTrue(url.find(), check);
            assertEquals(String.valueOf(port), url.group(1), app + " health check port");
            assertTrue(List.of("/q/health/live", "/q/health/ready").contains(url.group(2)), url.group(2));
        }
        List<String> apiPorts = at(compose, "services", "api", "ports");
        assertEquals(1, apiPorts.size());
        assertTrue(apiPorts.get(0).endsWith(":" + Repo.AppConfig.of("api").httpPort()), apiPorts.toString());
    }

    @Test
    void workersScaleOutAndGetTimeToCheckpoint() {
        Map<String, Object> worker = at(compose, "services", "worker");
        // `docker compose up --scale worker=3` needs both absent: a host port or a fixed name can be taken once
        assertNull(worker.get("ports"), "workers publish no host port");
        assertNull(worker.get("container_name"), "workers have no fixed container name");
        Matcher grace = Pattern.compile("(\\d+)s").matcher(String.valueOf(worker.get("stop_grace_period")));
        assertTrue(grace.matches(), "stop_grace_period in seconds");
        assertTrue(
                Integer.parseInt(grace.group(1)) > Repo.workerShutdownGraceSeconds(),
                "longer than srgan.worker.shutdown-grace");
        Map<String, Object> gpu = at(worker, "deploy", "resources", "reservations", "devices", 0);
        assertEquals("nvidia", gpu.get("driver"));
        assertEquals(List.of("gpu"), gpu.get("capabilities"));
    }

    @Test
    void imagesAndBuildsMatchTheDockerfiles() {
        Dockerfile api = Dockerfile.load("api.Dockerfile");
        Dockerfile cuda = Dockerfile.load("worker-cuda.Dockerfile");
        Dockerfile cpuWorker = Dockerfile.load("worker.Dockerfile");
        assertImage(at(compose, "services", "api"), api);
        assertImage(at(compose, "services", "worker"), cuda);
        assertEquals("cuda:0", at(compose, "services", "worker", "environment", "SRGAN_WORKER_DEVICE"));
        assertImage(at(cpu, "services", "worker"), cpuWorker);
        assertEquals("cpu", at(cpu, "services", "worker", "environment", "SRGAN_WORKER_DEVICE"));
    }

    @Test
    void cpuOverrideDropsTheGpuReservation() {
        Object devices = at(cpu, "services", "worker", "deploy", "resources", "reservations", "devices");
        Repo.Tagged reset = assertInstanceOf(Repo.Tagged.class, devices, "devices are replaced, not merged");
        assertEquals("!reset", reset.tag());
        assertEquals(List.of(), reset.value());
    }

    private static void assertImage(Map<String, Object> service, Dockerfile dockerfile) {
        String image = String.valueOf(service.get("image"))
                .replace("${SRGAN_VERSION:-", "")
                .replace("}", "");
        assertTrue(
                dockerfile.builds(image),
                image + " is what " + dockerfile.file() + " builds (" + dockerfile.image() + ")");
        assertEquals("deploy/docker/" + dockerfile.file(), at(service, "build", "dockerfile"));
        assertEquals(".", at(service, "build", "context"));
    }
}
