package dev.srgan.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A small client of the SRGAN Cluster REST API (docs/api.md) for the tools: bearer token, JSON
 * answers, multipart submissions, synchronous or asynchronous.
 */
public final class Api {
    /** Shared JSON mapper. */
    public static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String token;
    private final HttpClient http;

    /**
     * @param base the api's address, e.g. http://127.0.0.1:8080
     * @param token a bearer token (operator for submissions, admin for model uploads)
     * @param executor the client's executor for asynchronous sends (null: the JDK's default)
     */
    public Api(URI base, String token, Executor executor) {
        this.base = base;
        this.token = token;
        HttpClient.Builder b =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5));
        if (executor != null) {
            b.executor(executor);
        }
        this.http = b.build();
    }

    /** Reads a token file (e.g. data/admin-token written by ./srgan up), trimmed. */
    public static String readToken(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read the token file " + file + " (start the system with ./srgan up, or pass --token)", e);
        }
    }

    /** Returns the api's base address. */
    public URI base() {
        return base;
    }

    /** Returns the bearer token. */
    public String token() {
        return token;
    }

    /** A request builder for a path, with the bearer token. */
    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token);
    }

    /** GET a JSON answer; a non-2xx status is an exception with the body. */
    public JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
        return ok("GET " + path, r);
    }

    /** GET a JSON answer asynchronously (the raw response; callers check the status). */
    public CompletableFuture<HttpResponse<String>> getAsync(String path) {
        return http.sendAsync(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** POST a multipart form; a non-2xx status is an exception with the body. */
    public JsonNode post(String path, Multipart form) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(multipart(path, form), HttpResponse.BodyHandlers.ofString());
        return ok("POST " + path, r);
    }

    /** POST a multipart form asynchronously (the raw response; callers check the status). */
    public CompletableFuture<HttpResponse<String>> postAsync(String path, Multipart form) {
        return http.sendAsync(multipart(path, form), HttpResponse.BodyHandlers.ofString());
    }

    /** GET without authentication, the status only (health checks); -1 when nothing answers. */
    public int status(String path) {
        try {
            return http.send(
                            HttpRequest.newBuilder(base.resolve(path))
                                    .timeout(Duration.ofSeconds(5))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The underlying client (server-sent events use it with a streaming body handler). */
    public HttpClient http() {
        return http;
    }

    private HttpRequest multipart(String path, Multipart form) {
        return request(path)
                .header("Content-Type", form.contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(form.body()))
                .build();
    }

    private static JsonNode ok(String what, HttpResponse<String> r) throws IOException {
        if (r.statusCode() / 100 != 2) {
            throw new IOException(what + " -> " + r.statusCode() + ": " + r.body());
        }
        return r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
    }
}
