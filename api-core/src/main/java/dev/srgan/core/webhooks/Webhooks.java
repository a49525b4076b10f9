package dev.srgan.core.webhooks;

import dev.srgan.core.config.ApiConfig;
import dev.srgan.core.errors.ApiException;
import dev.srgan.core.http.OutboundUrls;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The webhook a job is submitted with: checked at submission (an http(s) URL on a host that
 * {@code srgan.webhooks.allowed-hosts} names) and stored with the job in its transaction. The
 * deliveries themselves follow from the job's endings (trigger of migration V12); the api's
 * {@code WebhookRelay} sends them.
 */
@ApplicationScoped
public class Webhooks {
    /** The submission field, in forms and JSON bodies alike. */
    public static final String FIELD = "webhookUrl";

    @Inject
    ApiConfig config;

    @Inject
    DataSource dataSource;

    /**
     * The URL to call, or null when none was given. 400 for text that is not an absolute http(s)
     * URL; 422 for a host the cluster does not allow (or when no host is allowed).
     */
    public URI parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        URI url = OutboundUrls.parse(text, FIELD);
        if (!allowed(url)) {
            List<String> hosts = config.webhooks().allowedHosts().orElse(List.of());
            throw ApiException.unprocessable(
                    FIELD,
                    hosts.isEmpty()
                            ? "webhooks are off on this cluster: an admin allows hosts with srgan.webhooks.allowed-hosts"
                            : "webhookUrl's host '" + url.getHost() + "' is not one this cluster calls ("
                                    + String.join(", ", hosts) + "; srgan.webhooks.allowed-hosts)");
        }
        return url;
    }

    /** Whether {@code srgan.webhooks.allowed-hosts} lets the api call this URL's host. */
    public boolean allowed(URI url) {
        return OutboundUrls.allows(config.webhooks().allowedHosts().orElse(List.of()), url);
    }

    /**
     * Sends the job's latest ending again, as a new delivery (a new {@code X-Srgan-Delivery}, so a
     * receiver that dedupes on it takes the replay): after a receiver was down longer than the
     * resends cover, or lost what it got. 404 without a webhook; 409 before the job has ended or
     * while its latest delivery is still being sent; 422 when its host is no longer allowed.
     * Returns the new delivery's id.
     */
    public long resend(UUID jobId) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                String url;
                try (PreparedStatement ps =
                        c.prepareStatement("SELECT w.url FROM job_webhooks w WHERE w.job_id = ? FOR UPDATE")) {
                    ps.setObject(1, jobId);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw ApiException.notFound("job " + jobId + " has no webhook");
                        }
                        url = rs.getString(1);
                    }
                }
                if (!allowed(URI.create(url))) {
                    throw ApiException.unprocessable(
                            FIELD,
                            "the webhook's host '" + URI.create(url).getHost()
                                    + "' is no longer in srgan.webhooks.allowed-hosts");
                }
                String event;
                try (PreparedStatement ps = c.prepareStatement("""
                        SELECT job_status, delivered_at IS NULL AND gave_up_at IS NULL FROM webhook_deliveries
                        WHERE job_id = ? ORDER BY id DESC LIMIT 1""")) {
                    ps.setObject(1, jobId);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw ApiException.conflict("the job has not ended yet: its webhook is sent when it does");
                        }
                        if (rs.getBoolean(2)) {
                            throw ApiException.conflict("the job's webhook is being sent already");
                        }
                        event = rs.getString(1);
                    }
                }
                long id;
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO webhook_deliveries (job_id, url, job_status) VALUES (?, ?, ?) RETURNING id")) {
                    ps.setObject(1, jobId);
                    ps.setString(2, url);
                    ps.setString(3, event);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        id = rs.getLong(1);
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify('srgan_webhooks', '')")) {
                    ps.execute();
                }
                c.commit();
                return id;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Stores the job's webhook in the submission's transaction; nothing when {@code url} is null. */
    public void attach(Connection c, UUID jobId, URI url) throws SQLException {
        if (url == null) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO job_webhooks (job_id, url) VALUES (?, ?)")) {
            ps.setObject(1, jobId);
            ps.setString(2, url.toString());
            ps.executeUpdate();
        }
    }
}
