package dev.srgan.deploy;

import static dev.srgan.deploy.Repo.at;
import static dev.srgan.deploy.Repo.byName;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Renders every overlay under k8s/overlays and checks the manifests against the apps: ports, probe
 * paths, images, GPU requests, scaling limits and the variables the apps read. Rendering uses
 * {@link KustomizeRenderer}; where kubectl is installed, its output must be the same.
 */
@SuppressWarnings("unchecked")
class KustomizeOverlaysTest {
    private static final Repo.AppConfig API = Repo.AppConfig.of("api");
    private static final Repo.AppConfig WORKER = Repo.AppConfig.of("worker");

    private static List<Path> overlays() throws Exception {
        try (Stream<Path> dirs = Files.list(Repo.path("k8s/overlays"))) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("kustomization.yaml")))
                    .sorted()
                    .toList();
        }
    }

    private static Map<String, Map<String, Object>> render(Path overlay) {
        Map<String, Map<String, Object>> byKey = new TreeMap<>();
        for (Map<String, Object> r : KustomizeRenderer.render(overlay)) {
            String key = r.get("kind") + "/" + at(r, "metadata", "name");
            assertFalse(byKey.containsKey(key), "one " + key);
            byKey.put(key, r);
        }
        return byKey;
    }

    /** Parses rendered manifests (a YAML stream) by kind/name. */
    private static Map<String, Map<String, Object>> byKey(String yaml) {
        Map<String, Map<String, Object>> resources = new TreeMap<>();
        for (Object doc : Repo.yamlDocuments(yaml)) {
            @SuppressWarnings("unchecked")
            Map<String, Object> r = (Map<String, Object>) doc;
            resources.put(r.get("kind") + "/" + at(r, "metadata", "name"), r);
        }
        return resources;
    }

    /**
     * The Java rendering of each overlay equals what {@code kubectl kustomize} rendered, kept in
     * src/test/resources/kustomize/OVERLAY.yaml, so the comparison runs on every machine; where
     * kubectl is installed, its output today must equal that file too (regenerate it with
     * {@code kubectl kustomize k8s/overlays/OVERLAY > deploy-tests/src/test/resources/kustomize/OVERLAY.yaml}
     * after changing the overlays).
     */
    @Test
    void theJavaRendererAgreesWithKubectl() throws Exception {
        Optional<Path> kubectl = onPath("kubectl");
        List<Path> overlays = overlays();
        assertEquals(
                List.of("cpu", "gpu"),
                overlays.stream().map(p -> p.getFileName().toString()).toList());
        for (Path overlay : overlays) {
            Map<String, Map<String, Object>> ours = render(overlay);
            String name = overlay.getFileName().toString();
            Path recorded = Path.of("src/test/resources/kustomize", name + ".yaml");
            Map<String, Map<String, Object>> theirs = byKey(Files.readString(recorded));
            assertEquals(theirs.keySet(), ours.keySet(), overlay + ": the same resources as " + recorded);
            for (String key : theirs.keySet()) {
                assertEquals(
                        theirs.get(key),
                        ours.get(key),
                        overlay + ": " + key + " as kubectl rendered it in " + recorded);
            }
            if (kubectl.isPresent()) {
                Process p = new ProcessBuilder(kubectl.get().toString(), "kustomize", overlay.toString())
                        .redirectErrorStream(true)
                        .start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize finished");
                assertEquals(0, p.exitValue(), "kubectl kustomize " + overlay + ": " + out);
                assertEquals(
                        theirs,
                        byKey(out),
                        recorded + " is what kubectl renders today: regenerate it after changing the overlay");
            }
        }
    }

    @Test
    void containerPortsMatchTheAppsAndTheirServicesAndProbes() throws Exception {
        for (Path overlay : overlays()) {
            Map<String, Map<String, Object>> r = render(overlay);
            checkApp(r.get("Deployment/srgan-api"), "api", API);
            checkApp(r.get("Deployment/srgan-worker"), "worker", WORKER);

            Map<String, Object> apiContainer = container(r.get("Deployment/srgan-api"), "api");
            Map<String, Object> service = r.get("Service/srgan-api");
            assertEquals(
                    (Object) at(r.get("Deployment/srgan-api"), "spec", "selector", "matchLabels"),
                    at(service, "spec", "selector"));
            for (Object p : (List<?>) at(service, "spec", "ports")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> port = (Map<String, Object>) p;
                assertEquals(
                        API.httpPort(),
                        resolvePort(apiContainer, port.get("targetPort")),
                        "Service targets the api's port");
            }
            Map<String, Object> backend =
                    at(r.get("Ingress/srgan-api"), "spec", "rules", 0, "http", "paths", 0, "backend", "service");
            assertEquals("srgan-api", backend.get("name"));
            assertTrue(
                    byName(at(service, "spec", "ports"))
                            .containsKey(String.valueOf((Object) at(backend, "port", "name"))),
                    "Ingress port is a Service port");
        }
    }

    @Test
    void gpuOverlayRequestsOneGpuAndCpuOverlayNone() throws Exception {
        for (Path overlay : overlays()) {
            Map<String, Map<String, Object>> r = render(overlay);
            Map<String, Object> deployment = r.get("Deployment/srgan-worker");
            Map<String, Object> worker = container(deployment, "worker");
            String device = String.valueOf(
                    byName(worker.get("env")).get("SRGAN_WORKER_DEVICE").get("value"));
            boolean gpu = overlay.getFileName().toString().equals("gpu");
            if (gpu) {
                assertEquals((Object) 1, at(worker, "resources", "limits", "nvidia.com/gpu"));
                assertEquals((Object) 1, at(worker, "resources", "requests", "nvidia.com/gpu"));
                assertEquals("cuda:0", device);
                List<Map<String, Object>> tolerations = at(deployment, "spec", "template", "spec", "tolerations");
                assertTrue(
                        tolerations.stream().anyMatch(t -> "nvidia.com/gpu".equals(t.get("key"))),
                        "tolerates the GPU taint");
                assertTrue(
                        Dockerfile.load("worker-cuda.Dockerfile").builds((String) worker.get("image")),
                        String.valueOf(worker.get("image")));
            } else {
                for (Map<String, Object> resource : r.values()) {
                    assertFalse(
                            render(resource).contains("nvidia.com/gpu"),
                            "no GPU in the cpu overlay: " + resource.get("kind"));
                }
                assertEquals("cpu", device);
                assertTrue(
                        Dockerfile.load("worker.Dockerfile").builds((String) worker.get("image")),
                        String.valueOf(worker.get("image")));
            }
        }
    }

    @Test
    void everyImageIsOneTheDockerfilesBuildWithTheTagTheDocsUse() throws Exception {
        List<Dockerfile> dockerfiles =
                Dockerfile.FILES.stream().map(Dockerfile::load).toList();
        for (Path overlay : overlays()) {
            for (Map<String, Object> resource : render(overlay).values()) {
                for (Map<String, Object> c : allContainers(resource)) {
                    String image = (String) c.get("image");
                    Dockerfile d = dockerfiles.stream()
                            .filter(f -> f.builds(image))
                            .findFirst()
                            .orElseThrow(() -> new AssertionError(image + " is built by no Dockerfile"));
                    assertTrue(
                            d.buildCommand().contains(":" + image.substring(image.lastIndexOf(':') + 1) + " "),
                            image + " has the documented tag");
                    if (!c.get("name").equals("worker")) {
                        assertEquals("api", d.module(), c.get("name") + " runs the api image");
                    }
                }
            }
        }
    }

    @Test
    void workersScaleOnConsumerLagWithinThePartitionsAndStopGracefully() throws Exception {
        int partitions = Integer.parseInt(WORKER.value("srgan.kafka.partitions"));
        String prefix = WORKER.value("srgan.kafka.topic-prefix");
        for (Path overlay : overlays()) {
            Map<String, Map<String, Object>> r = render(overlay);
            Map<String, Object> scaled = r.get("ScaledObject/srgan-worker");
            assertEquals("srgan-worker", (Object) at(scaled, "spec", "scaleTargetRef", "name"));
            int max = at(scaled, "spec", "maxReplicaCount");
            assertTrue(max >= 1 && max <= partitions, "maxReplicaCount " + max + " <= " + partitions + " partitions");
            Map<String, String> topicsByGroup = new LinkedHashMap<>();
            for (Object t : (List<?>) at(scaled, "spec", "triggers")) {
                if ("kafka".equals(at(t, "type"))) {
                    Map<String, Object> m = at(t, "metadata");
                    // no topic: the group's lag over every topic it reads
                    topicsByGroup.put(
                            (String) m.get("consumerGroup"), m.get("topic") == null ? "*" : (String) m.get("topic"));
                    assertNotNull(m.get("lagThreshold"), "lagThreshold of " + m.get("consumerGroup"));
                    assertEquals(
                            at(r.get("ConfigMap/srgan-config"), "data", "SRGAN_KAFKA_BOOTSTRAP"),
                            m.get("bootstrapServers"));
                }
            }
            // the names JobType.topic/consumerGroup give: <prefix>.<type> and srgan-workers-<type>; the
            // upscale group reads two topics (single upscales and batch images, .bulk), both counted
            assertEquals(
                    Map.of(
                            "srgan-workers-upscale",
                            "*",
                            "srgan-workers-training",
                            prefix + ".training",
                            "srgan-workers-evaluate",
                            prefix + ".evaluate"),
                    topicsByGroup);

            Map<String, Object> pod = at(r.get("Deployment/srgan-worker"), "spec", "template", "spec");
            int grace = (Integer) pod.get("terminationGracePeriodSeconds");
            assertTrue(grace > Repo.workerShutdownGraceSeconds(), "grace " + grace + " s leaves time to checkpoint");
            for (String name : List.of("srgan-api", "srgan-worker")) {
                Map<String, Object> pdb = r.get("PodDisruptionBudget/" + name);
                assertEquals(
                        (Object) at(
                                r.get("Deployment/" + name),
                                "spec",
                                "template",
                                "metadata",
                                "labels",
                                "app.kubernetes.io/name"),
                        at(pdb, "spec", "selector", "matchLabels", "app.kubernetes.io/name"),
                        name + " PDB selects its pods");
            }
        }
    }

    @Test
    void migrationsRunOnceFromAJobAndPodsWaitForThem() throws Exception {
        assertTrue(Files.isRegularFile(Repo.path("api/src/main/java/dev/srgan/api/ops/MigrateCommand.java")));
        for (Path overlay : overlays()) {
            Map<String, Map<String, Object>> r = render(overlay);
            assertEquals(
                    "false",
                    at(r.get("ConfigMap/srgan-config"), "data", "SRGAN_MIGRATE_AT_START"),
                    "no pod migrates at start");
            Map<String, Object> job = container(r.get("Job/srgan-migrate"), "migrate");
            List<String> command = at(job, "command");
            assertEquals(
                    List.of("dev.srgan.api.ops.MigrateCommand", "migrate"),
                    command.subList(command.size() - 2, command.size()));
            for (String name : List.of("srgan-api", "srgan-worker")) {
                Map<String, Object> wait = byName(
                                at(r.get("Deployment/" + name), "spec", "template", "spec", "initContainers"))
                        .get("wait-for-schema");
                assertNotNull(wait, name + " waits for the schema");
                assertTrue(((List<?>) wait.get("command")).contains("wait"));
                assertTrue(Dockerfile.load("api.Dockerfile").builds((String) wait.get("image")));
            }
        }
    }

    @Test
    void everyVariableThePodsGetIsOneTheAppReads() throws Exception {
        for (Path overlay : overlays()) {
            Map<String, Map<String, Object>> r = render(overlay);
            List<String> fromConfigMap =
                    new ArrayList<>(((Map<String, Object>) at(r.get("ConfigMap/srgan-config"), "data")).keySet());
            for (Map<String, Object> resource : r.values()) {
                for (Map<String, Object> c : allContainers(resource)) {
                    Repo.AppConfig app = c.get("name").equals("worker") ? WORKER : API;
                    List<String> variables =
                            new ArrayList<>(byName(c.get("env")).keySet());
                    if (c.get("envFrom") != null) {
                        variables.addAll(fromConfigMap);
                    }
                    for (String v : variables) {
                        assertTrue(
                                app.reads(v),
                                resource.get("kind") + " container " + c.get("name") + " sets " + v + ", which "
                                        + app.module() + " does not read");
                    }
                }
            }
        }
    }

    @Test
    void operatorExamplesProvideWhatTheConfigMapPointsAt() throws Exception {
        Map<String, Object> config = at(render(overlays().get(0)).get("ConfigMap/srgan-config"), "data");
        Map<String, Map<String, Object>> kafka = new TreeMap<>();
        for (Object doc : Repo.yamlDocuments(Repo.read("k8s/operators/kafka.yaml"))) {
            kafka.put(at(doc, "kind") + "/" + at(doc, "metadata", "name"), at(doc, "spec"));
        }
        String cluster = kafka.keySet().stream()
                .filter(k -> k.startsWith("Kafka/"))
                .findFirst()
                .orElseThrow()
                .substring(6);
        assertTrue(
                String.valueOf(config.get("SRGAN_KAFKA_BOOTSTRAP")).startsWith(cluster + "-kafka-bootstrap:"),
                "Strimzi's bootstrap service");
        String prefix = WORKER.value("srgan.kafka.topic-prefix");
        // upscale.bulk: the images of batches (KafkaSettings.topic(type, inBatch))
        for (String type : List.of("upscale", "upscale.bulk", "training", "evaluate")) {
            Map<String, Object> topic = kafka.get("KafkaTopic/" + prefix + "." + type);
            assertNotNull(topic, "topic " + prefix + "." + type);
            assertEquals(
                    Integer.parseInt(WORKER.value("srgan.kafka.partitions")),
                    topic.get("partitions"),
                    "partitions of " + type);
        }
        Map<String, Object> postgres = (Map<String, Object>)
                Repo.yamlDocuments(Repo.read("k8s/operators/postgres.yaml")).get(0);
        assertEquals("Cluster", postgres.get("kind"));
        assertEquals(
                "jdbc:postgresql://" + at(postgres, "metadata", "name") + "-rw:5432/"
                        + at(postgres, "spec", "bootstrap", "initdb", "database"),
                config.get("SRGAN_DB_URL"),
                "CloudNativePG's read-write service");
        assertEquals(
                "srgan-db", at(postgres, "spec", "bootstrap", "initdb", "secret", "name"), "the Secret the pods read");
    }

    private static void checkApp(Map<String, Object> deployment, String containerName, Repo.AppConfig app) {
        Map<String, Object> c = container(deployment, containerName);
        assertEquals(
                String.valueOf(app.httpPort()),
                byName(c.get("env")).get("QUARKUS_HTTP_PORT").get("value"));
        assertEquals((Object) app.httpPort(), at(c, "ports", 0, "containerPort"), containerName + " container port");
        assertEquals("/q/health/live", at(c, "livenessProbe", "httpGet", "path"));
        assertEquals("/q/health/ready", at(c, "readinessProbe", "httpGet", "path"));
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
            assertEquals(
                    app.httpPort(),
                    resolvePort(c, at(c, probe, "httpGet", "port")),
                    containerName + " " + probe + " port");
        }
        assertEquals(
                String.valueOf(app.httpPort()),
                at(deployment, "spec", "template", "metadata", "annotations", "prometheus.io/port"));
    }

    private static int resolvePort(Map<String, Object> container, Object port) {
        if (port instanceof Integer i) {
            return i;
        }
        return (Integer)
                byName(container.get("ports")).get(String.valueOf(port)).get("containerPort");
    }

    private static Map<String, Object> container(Map<String, Object> workload, String name) {
        Map<String, Object> c =
                byName(at(workload, "spec", "template", "spec", "containers")).get(name);
        assertNotNull(c, "container " + name);
        return c;
    }

    private static List<Map<String, Object>> allContainers(Map<String, Object> resource) {
        List<Map<String, Object>> all = new ArrayList<>();
        for (String list : List.of("containers", "initContainers")) {
            all.addAll(byName(at(resource, "spec", "template", "spec", list)).values());
        }
        return all;
    }

    private static String render(Object value) {
        return String.valueOf(value);
    }

    private static Optional<Path> onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, command);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
