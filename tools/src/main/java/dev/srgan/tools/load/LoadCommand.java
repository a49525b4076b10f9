package dev.srgan.tools.load;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.srgan.tools.Api;
import dev.srgan.tools.TrivialModel;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * {@code ./srgan load}: holds an open-loop load of upscale submissions against a running system
 * (by default {@code ./srgan up} on this machine), then checks every job. Options:
 * {@code --url} (http://127.0.0.1:8080), {@code --token} or {@code --token-file}
 * (data/admin-token), {@code --rate} (200/s), {@code --seconds} (60), {@code --image} (8 px),
 * {@code --drain-timeout} (600 s), {@code --out} (target/load: load.json and load.md).
 * Exit status 0 only when every accepted job succeeded exactly once.
 */
public final class LoadCommand {
    private LoadCommand() {}

    public static void main(String[] args) throws Exception {
        String url = "http://127.0.0.1:8080";
        String token = null;
        Path tokenFile = Path.of("data/admin-token");
        LoadTest.Settings d = LoadTest.Settings.defaults();
        double rate = d.rate();
        int seconds = d.seconds();
        int image = d.imageSize();
        long drain = d.drainTimeout().toSeconds();
        Path out = Path.of("target/load");
        try {
            for (int i = 0; i < args.length; i++) {
                String v = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--url" -> url = value(args[i], v);
                    case "--token" -> token = value(args[i], v);
                    case "--token-file" -> tokenFile = Path.of(value(args[i], v));
                    case "--rate" -> rate = positive(args[i], Double.parseDouble(value(args[i], v)));
                    case "--seconds" -> seconds = (int) positive(args[i], Integer.parseInt(value(args[i], v)));
                    case "--image" -> image = (int) positive(args[i], Integer.parseInt(value(args[i], v)));
                    case "--drain-timeout" -> drain = (long) positive(args[i], Long.parseLong(value(args[i], v)));
                    case "--out" -> out = Path.of(value(args[i], v));
                    default -> throw new IllegalArgumentException("unknown option " + args[i] + "; " + usage());
                }
                i++;
            }
        } catch (NumberFormatException e) {
            System.err.println("srgan: a number was expected: " + e.getMessage() + "; " + usage());
            System.exit(2);
        } catch (IllegalArgumentException e) {
            System.err.println("srgan: " + e.getMessage());
            System.exit(2);
        }
        Api api = new Api(
                URI.create(url),
                token != null ? token : Api.readToken(tokenFile),
                Executors.newFixedThreadPool(4, daemon()));
        if (api.status("/q/health/ready") != 200) {
            System.err.println("srgan: no ready api at " + url + " (start it with ./srgan up)");
            System.exit(1);
        }
        long online = 0;
        for (var w : api.get("/api/workers")) {
            if ("ONLINE".equals(w.path("state").asText())) {
                online++;
            }
        }
        System.out.println("api " + url + ", " + online + " worker(s) online");
        String modelId = TrivialModel.upload(api, "trivial 2x (load test " + Instant.now() + ")");
        Map<String, Object> report = LoadTest.run(
                api, modelId, new LoadTest.Settings(rate, seconds, image, Duration.ofSeconds(drain)), System.out);
        report.put("workersOnline", online);
        report.put("at", Instant.now().toString());
        Files.createDirectories(out);
        Api.JSON
                .copy()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(out.resolve("load.json").toFile(), report);
        Files.writeString(out.resolve("load.md"), LoadReport.markdown(report));
        System.out.print(LoadReport.markdown(report));
        System.out.println("wrote " + out.resolve("load.json") + " and " + out.resolve("load.md"));
        @SuppressWarnings("unchecked")
        Map<String, Object> check = (Map<String, Object>) report.get("check");
        System.exit(Boolean.TRUE.equals(check.get("everyJobSucceededExactlyOnce")) ? 0 : 1);
    }

    private static java.util.concurrent.ThreadFactory daemon() {
        return r -> {
            Thread t = new Thread(r, "srgan-load-http");
            t.setDaemon(true);
            return t;
        };
    }

    private static String value(String option, String v) {
        if (v == null) {
            throw new IllegalArgumentException(option + " needs a value; " + usage());
        }
        return v;
    }

    private static double positive(String option, double v) {
        if (!(v > 0)) {
            throw new IllegalArgumentException(option + " must be positive");
        }
        return v;
    }

    private static String usage() {
        return "usage: ./srgan load [--url URL] [--token T | --token-file F] [--rate N] [--seconds N] [--image PX] [--drain-timeout S] [--out DIR]";
    }
}
