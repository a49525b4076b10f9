package dev.srgan.worker.jobs;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Set;

/**
 * Says in words what went wrong when a job could not store something, and whether trying again
 * in a moment may help. PostgreSQL reports its faults by SQLSTATE ("53100" is a full disk, "08006"
 * a lost connection); the local file system by the kernel's message ("No space left on device").
 */
public final class StorageFaults {
    /** Faults that a new connection or a second try usually gets past: the session, not the data, is the problem. */
    private static final Set<String> TRANSIENT = Set.of("40001", "40P01", "53300", "57P01", "57P02", "57P03");

    /** The kernel's words for ENOSPC and EDQUOT, as Java's IOExceptions carry them. */
    private static final String NO_SPACE = "No space left on device";

    private static final String NO_QUOTA = "Disk quota exceeded";

    private StorageFaults() {}

    /** True when the same write, on a new connection a moment later, may well succeed. */
    public static boolean isTransient(Throwable error) {
        for (Throwable e = error; e != null; e = e.getCause()) {
            if (e instanceof SQLTransientException || e instanceof SQLRecoverableException) {
                return true;
            }
            if (e instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                return state.startsWith("08") || TRANSIENT.contains(state);
            }
        }
        return false;
    }

    /** True when the local file system refused a write for want of space or quota. */
    public static boolean isLocalDiskFull(Throwable error) {
        for (Throwable e = error; e != null; e = e.getCause()) {
            if (e instanceof IOException
                    && e.getMessage() != null
                    && (e.getMessage().contains(NO_SPACE) || e.getMessage().contains(NO_QUOTA))) {
                return true;
            }
        }
        return false;
    }

    /**
     * A sentence part a user can read, with the technical detail in brackets: "the database is
     * out of disk space (SQLSTATE 53100: could not extend file ...)".
     */
    public static String describe(Throwable error) {
        for (Throwable e = error; e != null; e = e.getCause()) {
            if (e instanceof SQLException sql && sql.getSQLState() != null) {
                return meaning(sql.getSQLState()) + " (SQLSTATE " + sql.getSQLState() + ": " + serverMessage(sql) + ")";
            }
        }
        for (Throwable e = error; e != null; e = e.getCause()) {
            if (e instanceof IOException && e.getMessage() != null) {
                if (e.getMessage().contains(NO_SPACE)) {
                    return "the worker's disk is full (" + e.getMessage() + ")";
                }
                if (e.getMessage().contains(NO_QUOTA)) {
                    return "the worker's disk quota is used up (" + e.getMessage() + ")";
                }
            }
        }
        for (Throwable e = error; e != null; e = e.getCause()) {
            if (e instanceof SQLException) {
                return "the database could not be used (" + firstLine(e.getMessage()) + ")";
            }
        }
        String message = error.getMessage() == null ? error.getClass().getSimpleName() : firstLine(error.getMessage());
        return "writing failed (" + message + ")";
    }

    private static String meaning(String state) {
        return switch (state) {
            case "53100" -> "the database is out of disk space";
            case "53200" -> "the database is out of memory";
            case "53300" -> "the database has no free connection slots";
            case "54000" -> "the database refused it as too large";
            case "57P01" -> "the database server was shut down or ended the session";
            case "57P02" -> "the database server crashed";
            case "57P03" -> "the database server is starting up or shutting down";
            case "57014" -> "the database cancelled the write (a statement timeout?)";
            case "40001" -> "the write conflicted with another transaction";
            case "40P01" -> "the write was caught in a deadlock";
            case "08001", "08004" -> "the database could not be reached";
            default ->
                state.startsWith("08")
                        ? "the connection to the database was lost"
                        : state.startsWith("53")
                                ? "the database ran out of a resource"
                                : "the database refused the write";
        };
    }

    /** PostgreSQL's own message without the driver's "ERROR: " and the PL/pgSQL context lines after it. */
    private static String serverMessage(SQLException e) {
        String message = firstLine(e.getMessage());
        for (String prefix : new String[] {"ERROR: ", "FATAL: ", "PANIC: "}) {
            if (message.startsWith(prefix)) {
                return message.substring(prefix.length());
            }
        }
        return message;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no message";
        }
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).strip();
    }
}
