package dev.srgan.api.outbox;

import dev.srgan.api.ops.NotifiedLoop;
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

    private NotifiedLoop loop;
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
        loop = new NotifiedLoop("srgan-outbox-relay", "srgan_outbox", BATCH, dataSource, this::publishBatch, LOG);
        loop.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        if (loop != null) {
            loop.stop();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** Messages published since start (for tests and metrics). */
    public long publishedTotal() {
        return publishedTotal;
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
                throw new KafkaUnavailable("Kafka is unavailable ("
                        + cause.getClass().getSimpleName() + ": " + cause.getMessage() + "); outbox messages wait");
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
}
