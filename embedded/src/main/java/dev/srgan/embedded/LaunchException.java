package dev.srgan.embedded;

/**
 * A problem the user can fix (a port in use, a data dir that is not writable, a second `up`
 * on the same data dir). The launcher prints its message as one line and exits 1: no stack trace.
 */
public class LaunchException extends RuntimeException {
    public LaunchException(String message) {
        super(message);
    }

    public LaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}
