package dev.srgan.api.ops;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;

/**
 * The thread of a relay that works off rows of PostgreSQL (the outbox, webhook deliveries): it runs
 * a round, then sleeps on {@code LISTEN} of its channel (a trigger notifies when a row arrives) or
 * for a second (rows that come due later, such as retries). A full round runs the next one at
 * once. A round that throws is tried again after a backoff of 0.5 s doubling to 10 s; after a
 * database error the listening connection is opened anew.
 */
public final class NotifiedLoop {
    /** One round of work: handles what is due, at most a batch, and says how many it handled. */
    public interface Round {
        int run() throws Exception;
    }

    private final String name;
    private final String channel;
    private final int batch;
    private final DataSource dataSource;
    private final Round round;
    private final Logger log;
    private volatile boolean running;
    private Thread thread;

    public NotifiedLoop(String name, String channel, int batch, DataSource dataSource, Round round, Logger log) {
        this.name = name;
        this.channel = channel;
        this.batch = batch;
        this.dataSource = dataSource;
        this.round = round;
        this.log = log;
    }

    /** Starts the thread (a daemon named {@code name}). */
    public void start() {
        running = true;
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops the thread, waiting up to 10 s for the round in progress. */
    public void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop() {
        long backoff = 500;
        Connection listener = null;
        while (running) {
            try {
                if (listener == null || listener.isClosed()) {
                    listener = dataSource.getConnection();
                    try (Statement st = listener.createStatement()) {
                        st.execute("LISTEN " + channel);
                    }
                }
                int handled = round.run();
                backoff = 500;
                if (handled == batch) {
                    continue;
                }
                // sleep until an insert notifies us, or a second passes (rows that come due later)
                listener.unwrap(PGConnection.class).getNotifications(1000);
            } catch (Exception e) {
                if (!running) {
                    break;
                }
                log.warnf("%s: %s; retrying in %d ms", name, e.getMessage(), backoff);
                if (e instanceof SQLException) {
                    closeQuietly(listener);
                    listener = null;
                }
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
                backoff = Math.min(backoff * 2, 10_000);
            }
        }
        closeQuietly(listener);
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing a broken connection
            }
        }
    }
}
