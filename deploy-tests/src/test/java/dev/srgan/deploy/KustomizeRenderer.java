package dev.srgan.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders a kustomization the way {@code kubectl kustomize} does, for exactly the features k8s/
 * uses, so that the overlay checks run where kubectl is not installed: {@code resources} (files and
 * kustomization directories), {@code patches} (strategic-merge patch files matched by kind and
 * metadata.name), {@code images}, {@code namespace} and {@code labels} (metadata labels only). Any
 * other kustomization field fails loudly: using one means extending this class, and the comparison
 * with kubectl in {@link KustomizeOverlaysTest} proves the extension.
 */
final class KustomizeRenderer {
    private static final Set<String> SUPPORTED =
            Set.of("apiVersion", "kind", "resources", "patches", "images", "namespace", "labels");
    /** Strategic-merge keys of the built-in list fields k8s/ patches; other lists are replaced, as for custom resources. */
    private static final Map<String, String> MERGE_KEYS = Map.of(
            "containers",
            "name",
            "initContainers",
            "name",
            "env",
            "name",
            "volumes",
            "name",
            "volumeMounts",
            "mountPath",
            "ports",
            "containerPort",
            "imagePullSecrets",
            "name");

    private static final Set<String> BUILT_IN_GROUPS =
            Set.of("v1", "apps/v1", "batch/v1", "policy/v1", "networking.k8s.io/v1");

    private KustomizeRenderer() {}

    /** The resources the kustomization in {@code dir} produces. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> render(Path dir) {
        Map<String, Object> k =
                (Map<String, Object>) load(dir.resolve("kustomization.yaml")).get(0);
        for (String key : k.keySet()) {
            if (!SUPPORTED.contains(key)) {
                throw new UnsupportedOperationException(dir + ": kustomization field '" + key
                        + "' is not supported by this renderer (render with kubectl)");
            }
        }
        List<Map<String, Object>> resources = new ArrayList<>();
        for (String entry : (List<String>) k.getOrDefault("resources", List.of())) {
            Path p = dir.resolve(entry).normalize();
            if (Files.isDirectory(p)) {
                resources.addAll(render(p));
            } else {
                load(p).forEach(doc -> resources.add((Map<String, Object>) doc));
            }
        }
        for (Map<String, Object> patchEntry : (List<Map<String, Object>>) k.getOrDefault("patches", List.of())) {
            if (patchEntry.keySet().stream().anyMatch(key -> !key.equals("path"))) {
                throw new UnsupportedOperationException(
                        dir + ": only patches with a path are implemented: " + patchEntry);
            }
            for (Object doc : load(dir.resolve((String) patchEntry.get("path")))) {
                Map<String, Object> patch = (Map<String, Object>) doc;
                Map<String, Object> target = resources.stream()
                        .filter(r -> r.get("kind").equals(patch.get("kind")) && name(r).equals(name(patch)))
                        .findFirst()
                        .orElseThrow(() -> new IllegalStateException(
                                "patch target " + patch.get("kind") + "/" + name(patch) + " not found"));
                merge(target, patch, BUILT_IN_GROUPS.contains(String.valueOf(target.get("apiVersion"))));
            }
        }
        for (Map<String, Object> image : (List<Map<String, Object>>) k.getOrDefault("images", List.of())) {
            resources.forEach(r -> setImages(r, image, false));
        }
        if (k.get("namespace") instanceof String namespace) {
            resources.forEach(r -> metadata(r).put("namespace", namespace));
        }
        for (Map<String, Object> label : (List<Map<String, Object>>) k.getOrDefault("labels", List.of())) {
            if (label.keySet().stream().anyMatch(key -> !key.equals("pairs"))) {
                throw new UnsupportedOperationException(
                        dir + ": only labels with pairs (metadata labels) are implemented: " + label);
            }
            Map<String, Object> pairs = (Map<String, Object>) label.get("pairs");
            resources.forEach(
                    r -> ((Map<String, Object>) metadata(r).computeIfAbsent("labels", x -> new LinkedHashMap<>()))
                            .putAll(pairs));
        }
        return resources;
    }

    private static List<Object> load(Path file) {
        try {
            return Repo.yamlDocuments(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> metadata(Map<String, Object> resource) {
        return (Map<String, Object>) resource.computeIfAbsent("metadata", x -> new LinkedHashMap<>());
    }

    private static String name(Map<String, Object> resource) {
        return String.valueOf(metadata(resource).get("name"));
    }

    /** Strategic merge of {@code patch} into {@code target}: maps merge, null deletes, keyed lists merge by key. */
    @SuppressWarnings("unchecked")
    private static void merge(Map<String, Object> target, Map<String, Object> patch, boolean builtIn) {
        for (Map.Entry<String, Object> e : patch.entrySet()) {
            Object current = target.get(e.getKey());
            Object value = e.getValue();
            if (value == null) {
                target.remove(e.getKey());
            } else if (current instanceof Map && value instanceof Map) {
                merge((Map<String, Object>) current, (Map<String, Object>) value, builtIn);
            } else if (builtIn
                    && current instanceof List
                    && value instanceof List
                    && MERGE_KEYS.containsKey(e.getKey())) {
                mergeList((List<Object>) current, (List<Object>) value, MERGE_KEYS.get(e.getKey()), builtIn);
            } else {
                target.put(e.getKey(), value);
            }
        }
    }

    /**
     * Merges keyed list items as kustomize does: the patch's items first, in the patch's order
     * (merged into their namesakes, or new), then the items the patch did not mention.
     */
    @SuppressWarnings("unchecked")
    private static void mergeList(List<Object> target, List<Object> patch, String key, boolean builtIn) {
        List<Object> merged = new ArrayList<>();
        List<Object> rest = new ArrayList<>(target);
        for (Object item : patch) {
            Map<String, Object> p = (Map<String, Object>) item;
            Map<String, Object> match = (Map<String, Object>) rest.stream()
                    .filter(t -> ((Map<String, Object>) t).get(key).equals(p.get(key)))
                    .findFirst()
                    .orElse(null);
            if (match != null) {
                rest.remove(match);
                merge(match, p, builtIn);
                merged.add(match);
            } else {
                merged.add(p);
            }
        }
        merged.addAll(rest);
        target.clear();
        target.addAll(merged);
    }

    /** Applies one {@code images} entry to every container and init container image, wherever they are. */
    @SuppressWarnings("unchecked")
    private static void setImages(Object node, Map<String, Object> image, boolean inContainerList) {
        if (node instanceof Map<?, ?> map) {
            Map<String, Object> m = (Map<String, Object>) map;
            if (inContainerList && m.get("image") instanceof String ref) {
                m.put("image", retag(ref, image));
            }
            for (Map.Entry<String, Object> e : m.entrySet()) {
                setImages(
                        e.getValue(),
                        image,
                        e.getKey().equals("containers") || e.getKey().equals("initContainers"));
            }
        } else if (node instanceof List<?> list) {
            list.forEach(item -> setImages(item, image, inContainerList));
        }
    }

    private static String retag(String ref, Map<String, Object> image) {
        int at = ref.indexOf('@');
        String withoutDigest = at < 0 ? ref : ref.substring(0, at);
        int colon = withoutDigest.lastIndexOf(':');
        boolean hasTag = colon > withoutDigest.lastIndexOf('/');
        String name = hasTag ? withoutDigest.substring(0, colon) : withoutDigest;
        if (!name.equals(image.get("name"))) {
            return ref;
        }
        String newName = (String) image.getOrDefault("newName", name);
        if (image.get("digest") != null) {
            return newName + "@" + image.get("digest");
        }
        String tag = image.get("newTag") != null
                ? String.valueOf(image.get("newTag"))
                : hasTag ? withoutDigest.substring(colon + 1) : null;
        String digest = at < 0 ? "" : ref.substring(at);
        return newName + (tag == null ? "" : ":" + tag) + digest;
    }
}
