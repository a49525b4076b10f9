package dev.srgan.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One of deploy/docker/*.Dockerfile, parsed into instructions (continuation lines joined, comments
 * dropped), with the image name its documented build command gives it.
 */
record Dockerfile(String file, String module, String image, String buildCommand, List<Instruction> instructions) {
    /** The three images and the module each one packages. */
    static final List<String> FILES = List.of("api.Dockerfile", "worker.Dockerfile", "worker-cuda.Dockerfile");

    record Instruction(String keyword, String args) {}

    static Dockerfile load(String file) {
        String text = Repo.read("deploy/docker/" + file);
        Matcher build = Pattern.compile(
                        "(?m)^#\\s+(docker build -f deploy/docker/" + Pattern.quote(file) + " -t (\\S+):(\\S+) \\.)$")
                .matcher(text);
        if (!build.find()) {
            throw new AssertionError(
                    file + " documents no `docker build -f deploy/docker/" + file + " -t IMAGE:TAG .` command");
        }
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String raw : text.split("\n")) {
            String trimmed = raw.strip();
            if (line.isEmpty() && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                line.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            line.append(trimmed);
            String joined = line.toString().strip();
            int space = joined.indexOf(' ');
            instructions.add(new Instruction(
                    joined.substring(0, space).toUpperCase(),
                    joined.substring(space + 1).strip()));
            line.setLength(0);
        }
        String module = file.startsWith("api") ? "api" : "worker";
        return new Dockerfile(file, module, build.group(2), build.group(1), instructions);
    }

    List<String> args(String keyword) {
        return instructions.stream()
                .filter(i -> i.keyword().equals(keyword))
                .map(Instruction::args)
                .toList();
    }

    /** The image's name without a registry: srgan/api for ghcr.io/acme/srgan/api:1.0 as well. */
    static String repository(String imageRef) {
        String withoutDigest = imageRef.split("@")[0];
        int colon = withoutDigest.lastIndexOf(':');
        return colon > withoutDigest.lastIndexOf('/') ? withoutDigest.substring(0, colon) : withoutDigest;
    }

    /** True when {@code imageRef} is this Dockerfile's image, pushed to any registry. */
    boolean builds(String imageRef) {
        String repo = repository(imageRef);
        return repo.equals(image) || repo.endsWith("/" + image);
    }
}
