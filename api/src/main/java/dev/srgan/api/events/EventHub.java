package dev.srgan.api.events;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Live events for the dashboard: one connection LISTENs on {@code srgan_events} (triggers in
 * migration V2 notify on every job change, loss batch, checkpoint, validation and worker change)
 * and broadcasts each payload (JSON) to every subscriber. Nothing polls the database in a loop.
 */
@ApplicationScoped
public class EventHub {
    private static final Logger LOG = Logger.getLogger(EventHub.class);

    @Inject
    DataSource dataSource;

    private final BroadcastProcessor<String> processor = BroadcastProcessor.create();
    private volatile boolean running;
    private Thread thread;

    void onStart(@Observes StartupEvent event) {
        running = true;
        thread = new Thread(this::listen, "srgan-events");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
        processor.onComplete();
    }

    /**
     * Every event from now on, as JSON text. Each subscriber gets a buffer of its own: a batch of
     * notifications arrives at once (hundreds a second under load) while an SSE connection asks
     * for a few at a time as its writes complete, and without a buffer the stream failed with
     * "Could not emit" and the client was cut off. A subscriber {@value #SUBSCRIBER_BUFFER} events
     * behind is gone for good; its stream ends and the browser's EventSource reconnects.
     */
    public Multi<String> events() {
        return processor.onOverflow().buffer(SUBSCRIBER_BUFFER);
    }

    /** Events one subscriber may fall behind before its stream is ended. */
    static final int SUBSCRIBER_BUFFER = 50_000;

    private void listen() {
        long backoff = 500;
        while (running) {
            try (Connection c = dataSource.getConnection()) {
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN srgan_events");
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                backoff = 500;
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(5000);
                    if (notifications == null) {
                        // getNotifications returns null on timeout; a cheap query proves the connection lives
                        try (Statement st = c.createStatement()) {
                            st.execute("SELECT 1");
                        }
                        continue;
                    }
                    for (PGNotification n : notifications) {
                        processor.onNext(n.getParameter());
                    }
                }
            } catch (SQLException e) {
                if (!running) {
                    return;
                }
                LOG.warnf("event listener lost its connection (%s); reconnecting", e.getMessage());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    return;
                }
                backoff = Math.min(backoff * 2, 10_000);
            }
        }
    }
}
