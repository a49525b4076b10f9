package dev.srgan.api.upscale;

import dev.srgan.core.config.ApiConfig;
import dev.srgan.core.errors.ApiException;
import dev.srgan.core.http.OutboundUrls;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.resteasy.reactive.multipart.FileUpload;

/**
 * Images an upscale or a batch names by URL ({@code imageUrl}, {@code imageUrls}) instead of sending
 * them: fetched by the api at submission, on hosts that {@code srgan.upscale.url-hosts} allows
 * (redirects too), within the upload's byte limit and {@code srgan.upscale.url-timeout}, into
 * temporary files that the submission then checks and stores exactly as uploaded ones. A URL that
 * cannot be fetched is the submitter's error (422 naming it), so nothing is queued that a worker
 * could not read.
 */
@ApplicationScoped
public class ImageUrls {
    /** The field of a single upscale. */
    public static final String FIELD = "imageUrl";
    /** The field of a batch, one per image. */
    public static final String BATCH_FIELD = "imageUrls";

    static final int MAX_REDIRECTS = 5;

    /** URLs of one request fetched at once. */
    static final int PARALLEL_FETCHES = 4;

    /** The helper threads of {@link #fetch}: {@link #PARALLEL_FETCHES} - 1 a request at most. */
    private static final ExecutorService FETCHES = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "image-url-fetch");
        t.setDaemon(true);
        return t;
    });

    @Inject
    ApiConfig config;

    /** Closes a body still being read at its URL's deadline, which a blocked read then ends on. */
    private static final ScheduledExecutorService DEADLINES = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "image-url-deadlines");
        t.setDaemon(true);
        return t;
    });

    private final HttpClient client = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER) // each hop's host is checked here
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    /**
     * Fetches the URLs into temporary files, {@link #PARALLEL_FETCHES} at a time; {@code maxBytes}
     * bounds them all together. The caller deletes the files ({@link #delete}). 400 for text that is
     * not an http(s) URL, 422 for a host not allowed or a URL that does not answer 200 with a body,
     * 413 past the limit: the first failing URL in the list's order, once the others have ended
     * (they stop reading when one has failed), with every file deleted.
     */
    public List<FileUpload> fetch(List<String> urls, String field, long maxBytes) {
        List<URI> parsed = new ArrayList<>();
        for (String text : urls) {
            parsed.add(parse(text, field)); // every URL checked before any is fetched
        }
        int n = parsed.size();
        Fetched[] results = new Fetched[n];
        RuntimeException[] failures = new RuntimeException[n];
        AtomicLong left = new AtomicLong(maxBytes);
        AtomicBoolean abandoned = new AtomicBoolean();
        AtomicInteger next = new AtomicInteger();
        Runnable fetcher = () -> {
            for (int i; !abandoned.get() && (i = next.getAndIncrement()) < n; ) {
                try {
                    results[i] = fetch(parsed.get(i), field, left, maxBytes, abandoned);
                } catch (RuntimeException e) {
                    failures[i] = e;
                    abandoned.set(true);
                }
            }
        };
        List<Future<?>> helpers = new ArrayList<>();
        for (int k = 1; k < Math.min(PARALLEL_FETCHES, n); k++) {
            helpers.add(FETCHES.submit(fetcher));
        }
        fetcher.run(); // this thread fetches too
        helpers.forEach(ImageUrls::awaitQuietly);
        List<FileUpload> fetched = new ArrayList<>();
        for (Fetched f : results) {
            if (f != null) {
                fetched.add(f);
            }
        }
        for (RuntimeException failure : failures) {
            if (failure != null) {
                delete(fetched);
                throw failure;
            }
        }
        return fetched;
    }

    /**
     * Waits for a helper of {@link #fetch}, through interrupts too: it ends by its deadline, and the
     * files it fetched must be deleted or handed on, not left behind.
     */
    private static void awaitQuietly(Future<?> helper) {
        boolean interrupted = false;
        while (true) {
            try {
                helper.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException e) {
                break; // a fetcher catches its own failures
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Deletes the temporary files of {@link #fetch}. */
    public static void delete(List<FileUpload> fetched) {
        for (FileUpload f : fetched) {
            try {
                Files.deleteIfExists(f.uploadedFile());
            } catch (IOException e) {
                // a temporary file left behind harms nothing
            }
        }
    }

    URI parse(String text, String field) {
        URI url = OutboundUrls.parse(text, field);
        requireAllowed(url, field);
        return url;
    }

    private void requireAllowed(URI url, String field) {
        List<String> hosts = config.upscale().urlHosts().orElse(List.of());
        if (OutboundUrls.allows(hosts, url)) {
            return;
        }
        throw ApiException.unprocessable(
                field,
                hosts.isEmpty()
                        ? "image URLs are off on this cluster: an admin allows hosts with srgan.upscale.url-hosts;"
                                + " send the image itself instead"
                        : "the host '" + url.getHost() + "' of " + url + " is not one this cluster fetches from ("
                                + String.join(", ", hosts) + "; srgan.upscale.url-hosts)");
    }

    private Fetched fetch(URI url, String field, AtomicLong left, long maxBytes, AtomicBoolean abandoned) {
        Duration timeout = config.upscale().urlTimeout();
        long deadline = System.nanoTime() + timeout.toNanos();
        URI at = url;
        for (int hop = 0; ; hop++) {
            if (abandoned.get()) {
                return null;
            }
            HttpResponse<InputStream> response = send(url, at, field, deadline);
            int status = response.statusCode();
            if (status >= 300
                    && status < 400
                    && response.headers().firstValue("location").isPresent()) {
                close(response);
                if (hop == MAX_REDIRECTS) {
                    throw ApiException.unprocessable(field, url + " redirects more than " + MAX_REDIRECTS + " times");
                }
                try {
                    at = at.resolve(response.headers().firstValue("location").get());
                } catch (IllegalArgumentException e) {
                    throw ApiException.unprocessable(field, url + " redirects to an invalid URL: " + e.getMessage());
                }
                if (!OutboundUrls.isHttp(at)) {
                    throw ApiException.unprocessable(field, url + " redirects to " + at + ", not an http(s) URL");
                }
                requireAllowed(at, field);
                continue;
            }
            if (status != 200) {
                close(response);
                throw ApiException.unprocessable(
                        field, url + " answered HTTP " + status + (at.equals(url) ? "" : " (at " + at + ")"));
            }
            long length = response.headers().firstValueAsLong("content-length").orElse(-1);
            if (length > left.get()) {
                close(response);
                throw tooLarge(url, field, length, maxBytes);
            }
            return save(url, at, response, field, left, maxBytes, deadline, abandoned);
        }
    }

    private HttpResponse<InputStream> send(URI url, URI at, String field, long deadline) {
        long leftNanos = deadline - System.nanoTime();
        if (leftNanos <= 0) {
            throw timedOut(url, field);
        }
        HttpRequest request = HttpRequest.newBuilder(at)
                .timeout(Duration.ofNanos(leftNanos))
                .header("Accept", "image/png, image/jpeg, image/webp, image/tiff, */*;q=0.5")
                .GET()
                .build();
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpConnectTimeoutException | ConnectException e) {
            throw ApiException.unprocessable(
                    field,
                    url + " could not be reached (" + at.getHost() + ": "
                            + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
        } catch (HttpTimeoutException e) {
            throw timedOut(url, field);
        } catch (IOException e) {
            throw ApiException.unprocessable(field, url + " could not be fetched: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unprocessable(field, url + " could not be fetched: interrupted");
        }
    }

    /**
     * Copies the body into a temporary file, refusing it once the request's bodies together pass
     * {@code left} bytes or the deadline (the request's timeout ends with the headers; a body can
     * stall after them); null, the file deleted, once another URL of the request has failed.
     */
    private Fetched save(
            URI url,
            URI at,
            HttpResponse<InputStream> response,
            String field,
            AtomicLong left,
            long maxBytes,
            long deadline,
            AtomicBoolean abandoned) {
        Path file;
        try {
            file = Files.createTempFile("srgan-url-", ".img");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long size = 0;
        ScheduledFuture<?> guard =
                DEADLINES.schedule(() -> close(response), deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        try (InputStream in = response.body();
                OutputStream out = Files.newOutputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                size += n;
                if (left.addAndGet(-n) < 0) {
                    throw tooLarge(url, field, -1, maxBytes);
                }
                if (abandoned.get()) {
                    deleteQuietly(file);
                    return null;
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            deleteQuietly(file);
            if (System.nanoTime() - deadline >= 0) {
                throw timedOut(url, field);
            }
            throw ApiException.unprocessable(field, url + " broke off after " + size + " bytes: " + e.getMessage());
        } catch (RuntimeException e) {
            deleteQuietly(file);
            throw e;
        } finally {
            guard.cancel(false);
        }
        if (size == 0) {
            deleteQuietly(file);
            throw ApiException.unprocessable(field, url + " answered an empty body");
        }
        String type = response.headers().firstValue("content-type").orElse(null);
        return new Fetched(field, file, fileName(at), size, type);
    }

    /** The last segment of the URL's path, as a file name (the extension tells formats apart). */
    static String fileName(URI url) {
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        String last = path.substring(path.lastIndexOf('/') + 1);
        String name;
        try {
            name = URLDecoder.decode(last.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            name = last;
        }
        name = name.replaceAll("[\\p{Cntrl}/\\\\]", "").trim();
        if (name.length() > 200) {
            name = name.substring(name.length() - 200);
        }
        return name.isEmpty() ? "image" : name;
    }

    private static ApiException tooLarge(URI url, String field, long length, long maxBytes) {
        return ApiException.tooLarge(
                field,
                url + (length >= 0 ? " is " + length + " bytes" : " is larger than the limit") + "; the limit is "
                        + maxBytes + " bytes (all images of a request together)");
    }

    private ApiException timedOut(URI url, String field) {
        return ApiException.unprocessable(
                field,
                url + " did not answer within " + config.upscale().urlTimeout().toSeconds()
                        + " s (srgan.upscale.url-timeout)");
    }

    private static void close(HttpResponse<InputStream> response) {
        try {
            response.body().close();
        } catch (IOException e) {
            // the connection is dropped either way
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a temporary file left behind harms nothing
        }
    }

    /** A fetched image, as a multipart upload of it would be. */
    record Fetched(String name, Path filePath, String fileName, long size, String contentType) implements FileUpload {
        @Override
        public String charSet() {
            return null;
        }

        @Override
        public MultivaluedMap<String, String> getHeaders() {
            return new MultivaluedHashMap<>();
        }
    }
}
