package dev.srgan.api.webhooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srgan.api.ops.NotifiedLoop;
import dev.srgan.core.config.ApiConfig;
import dev.srgan.core.jobs.JobStore;
import dev.srgan.core.jobs.JobView;
import dev.srgan.core.webhooks.Webhooks;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Sends the webhook deliveries that jobs' endings queue (migration V12): a JSON POST of the job as
 * {@code GET /api/jobs/{id}} shows it. Rows are taken {@code FOR UPDATE SKIP LOCKED}, so several
 * api replicas never send the same delivery at once; a 2xx answer marks it delivered, anything
 * else (an error status, a refused connection, no answer within {@code srgan.webhooks.timeout})
 * schedules a resend after {@code srgan.webhooks.backoff}, doubling, until
 * {@code srgan.webhooks.max-attempts}. The relay sleeps on {@code LISTEN srgan_webhooks} and wakes
 * every second for resends that come due. Delivery is at least once: a receiver that must act once
 * keys on {@code X-Srgan-Delivery}. Redirects are not followed (the host they name was not allowed).
 */
@ApplicationScoped
public class WebhookRelay {
    private static final Logger LOG = Logger.getLogger(WebhookRelay.class);
    /** Deliveries sent at once, in one transaction. */
    static final int BATCH = 16;
    /** The longest wait between two sends of one delivery. */
    static final Duration MAX_BACKOFF = Duration.ofHours(1);

    @Inject
    ApiConfig config;

    @Inject
    DataSource dataSource;

    @Inject
    JobStore jobs;

    @Inject
    Webhooks webhooks;

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry registry;

    private final Map<String, Counter> sends = new LinkedHashMap<>();

    private NotifiedLoop loop;
    private HttpClient http;

    void onStart(@Observes StartupEvent event) {
        for (String outcome : List.of("delivered", "failed", "gave_up")) {
            sends.put(
                    outcome,
                    Counter.builder("srgan.webhook.sends")
                            .description(
                                    "Webhook sends by this api: delivered (2xx), failed (to be sent again), gave_up")
                            .tag("outcome", outcome)
                            .register(registry));
        }
        http = HttpClient.newBuilder()
                .connectTimeout(config.webhooks().timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                // one POST each: plain HTTP/1.1, no h2c upgrade headers for receivers to trip on
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        loop = new NotifiedLoop("srgan-webhook-relay", "srgan_webhooks", BATCH, dataSource, this::sendDue, LOG);
        loop.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        if (loop != null) {
            loop.stop();
        }
    }

    private record Due(long id, UUID jobId, String url, String jobStatus, int attempts) {}

    /** What one send came to: the receiver's status (null without an answer) and the error, if any. */
    private record Outcome(Integer status, String error, boolean permanent) {
        Outcome(Integer status, String error) {
            this(status, error, false);
        }

        boolean delivered() {
            return status != null && status >= 200 && status < 300;
        }
    }

    /** Sends the deliveries that are due, at most {@link #BATCH}; returns how many it took. */
    int sendDue() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<Due> due = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("""
                        SELECT id, job_id, url, job_status, attempts FROM webhook_deliveries
                        WHERE delivered_at IS NULL AND gave_up_at IS NULL AND available_at <= now()
                        ORDER BY available_at, id LIMIT ? FOR UPDATE SKIP LOCKED""")) {
                    ps.setInt(1, BATCH);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            due.add(new Due(
                                    rs.getLong(1),
                                    rs.getObject(2, UUID.class),
                                    rs.getString(3),
                                    rs.getString(4),
                                    rs.getInt(5)));
                        }
                    }
                }
                List<CompletableFuture<Outcome>> sends = new ArrayList<>();
                for (Due d : due) {
                    sends.add(send(d));
                }
                for (int i = 0; i < due.size(); i++) {
                    record(c, due.get(i), sends.get(i).join());
                }
                c.commit();
                return due.size();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private CompletableFuture<Outcome> send(Due d) {
        URI url = URI.create(d.url());
        if (!webhooks.allowed(url)) {
            return CompletableFuture.completedFuture(new Outcome(
                    null, "the host '" + url.getHost() + "' is no longer in srgan.webhooks.allowed-hosts", true));
        }
        byte[] body;
        try {
            Optional<JobView> job = jobs.find(d.jobId());
            if (job.isEmpty()) {
                return CompletableFuture.completedFuture(new Outcome(null, "the job was deleted", true));
            }
            body = payload(d, job.get());
        } catch (SQLException | JsonProcessingException e) {
            return CompletableFuture.completedFuture(new Outcome(null, "could not read the job: " + e.getMessage()));
        }
        String timestamp = String.valueOf(Instant.now().getEpochSecond());
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .timeout(config.webhooks().timeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "srgan-cluster-webhooks")
                .header("X-Srgan-Event", event(d.jobStatus()))
                .header("X-Srgan-Delivery", String.valueOf(d.id()))
                .header("X-Srgan-Timestamp", timestamp)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        config.webhooks()
                .secret()
                .ifPresent(secret -> request.header("X-Srgan-Signature", sign(secret, timestamp, body)));
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding())
                .handle((response, failure) -> {
                    if (failure != null) {
                        Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                        String message = cause.getMessage() == null ? "" : ": " + cause.getMessage();
                        return new Outcome(null, cause.getClass().getSimpleName() + message);
                    }
                    int status = response.statusCode();
                    return new Outcome(
                            status, status >= 200 && status < 300 ? null : "the receiver answered " + status);
                });
    }

    /** {@code job.succeeded}, {@code job.failed} or {@code job.cancelled}. */
    static String event(String jobStatus) {
        return "job." + jobStatus.toLowerCase(Locale.ROOT);
    }

    private byte[] payload(Due d, JobView job) throws JsonProcessingException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event", event(d.jobStatus()));
        body.put("deliveryId", d.id());
        body.put("job", job.withoutWebhook());
        return json.writeValueAsBytes(body);
    }

    /**
     * {@code sha256=} and the hex HMAC-SHA256 of {@code timestamp + "." + body} under the secret: a
     * receiver recomputes it, compares in constant time, and refuses old timestamps (replays).
     */
    public static String sign(String secret, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    private void record(Connection c, Due d, Outcome outcome) throws SQLException {
        int attempts = d.attempts() + 1;
        if (outcome.delivered()) {
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE webhook_deliveries SET attempts = ?, delivered_at = now(), response_code = ?, last_error = NULL
                    WHERE id = ?""")) {
                ps.setInt(1, attempts);
                ps.setInt(2, outcome.status());
                ps.setLong(3, d.id());
                ps.executeUpdate();
            }
            sends.get("delivered").increment();
            return;
        }
        boolean giveUp = outcome.permanent() || attempts >= config.webhooks().maxAttempts();
        Duration wait = config.webhooks().backoff().multipliedBy(1L << Math.min(attempts - 1, 20));
        if (wait.compareTo(MAX_BACKOFF) > 0) {
            wait = MAX_BACKOFF;
        }
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE webhook_deliveries SET attempts = ?, response_code = ?, last_error = left(?, 500),
                    available_at = now() + make_interval(secs => ?),
                    gave_up_at = CASE WHEN ? THEN now() END
                WHERE id = ?""")) {
            ps.setInt(1, attempts);
            ps.setObject(2, outcome.status());
            ps.setString(3, outcome.error());
            ps.setDouble(4, wait.toMillis() / 1000.0);
            ps.setBoolean(5, giveUp);
            ps.setLong(6, d.id());
            ps.executeUpdate();
        }
        sends.get(giveUp ? "gave_up" : "failed").increment();
        if (giveUp) {
            LOG.warnf(
                    "webhook %d for job %s to %s given up after %d attempts: %s",
                    d.id(), d.jobId(), d.url(), attempts, outcome.error());
        }
    }
}
