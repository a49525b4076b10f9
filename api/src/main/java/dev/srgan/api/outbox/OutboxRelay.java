package dev.srgan.api.outbox;

import dev.srgan.core.config.ApiConfig;
import dev.srgan.platform.KafkaSettings;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;

/**
 * Publishes the outbox to Kafka. Rows are taken {@code FOR UPDATE SKIP LOCKED} (several api
 * replicas never publish the same row at once), sent, and marked published only after Kafka
 * acknowledged them; if Kafka is down the transaction rolls back and the rows wait. The relay
 * sleeps on PostgreSQL {@code LISTEN srgan_outbox} (a trigger notifies on every insert), so it
 * reacts at once without polling fast; it also wakes every second for retries that come due.
 * A row may be published twice after a crash; workers claim jobs in PostgreSQL, so that is harmless.
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    static final int BATCH = 500;

    @Inject
    ApiConfig config;

    @Inject
    DataSource dataSource;

    @Inject
    KafkaSettings kafka;

    private volatile boolean running;
    private Thread thread;
    private KafkaProducer<String, String> producer;
    private volatile long publishedTotal;

    void onStart(@Observes StartupEvent event) {
        if (!config.outbox().enabled()) {
            return;
        }
        Map<String, Object> config = kafka.clientConfig("srgan-outbox-relay");
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10000);
        producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
        running = true;
        thread = new Thread(this::loop, "srgan-outbox-relay");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** Messages published since start (for tests and metrics). */
    public long publishedTotal() {
        return publishedTotal;
    }

    private void loop() {
        long backoff = 500;
        Connection listener = null;
        while (running) {
            try {
                if (listener == null || listener.isClosed()) {
                    listener = dataSource.getConnection();
                    try (Statement st = listener.createStatement()) {
                        st.execute("LISTEN srgan_outbox");
                    }
                }
                int published = publishBatch();
                backoff = 500;
                if (published == BATCH) {
                    continue;
                }
                // Sleep until an insert notifies us, or a second passes (retries with a later available_at).
                listener.unwrap(PGConnection.class).getNotifications(1000);
            } catch (KafkaUnavailable e) {
                LOG.warnf(
                        "Kafka is unavailable (%s); outbox messages wait, retrying in %d ms", e.getMessage(), backoff);
                sleep(backoff);
                backoff = Math.min(backoff * 2, 10_000);
            } catch (SQLException e) {
                if (!running) {
                    break;
                }
                LOG.warnf("outbox relay database error: %s", e.getMessage());
                closeQuietly(listener);
                listener = null;
                sleep(backoff);
                backoff = Math.min(backoff * 2, 10_000);
            }
        }
        closeQuietly(listener);
    }

    private static final class KafkaUnavailable extends Exception {
        KafkaUnavailable(String message) {
            super(message);
        }
    }

    private record Row(long id, String topic, String key, String payload) {}

    private int publishBatch() throws SQLException, KafkaUnavailable {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            List<Row> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT id, topic, message_key, payload FROM outbox
                    WHERE published_at IS NULL AND available_at <= now()
                    ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED""")) {
                ps.setInt(1, BATCH);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                    }
                }
            }
            if (rows.isEmpty()) {
                c.rollback();
                return 0;
            }
            try {
                List<Future<RecordMetadata>> acks = new ArrayList<>(rows.size());
                for (Row row : rows) {
                    acks.add(producer.send(new ProducerRecord<>(row.topic(), row.key(), row.payload())));
                }
                producer.flush();
                for (Future<RecordMetadata> ack : acks) {
                    ack.get(15, TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                c.rollback();
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                throw new KafkaUnavailable(cause.getClass().getSimpleName() + ": " + cause.getMessage());
            }
            // sent rows go: the table holds only what is still to be sent, however long the system runs
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM outbox WHERE id = ANY (?)")) {
                ps.setArray(
                        1, c.createArrayOf("bigint", rows.stream().map(Row::id).toArray()));
                ps.executeUpdate();
            }
            c.commit();
            publishedTotal += rows.size();
            return rows.size();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already broken
            }
        }
    }
}
