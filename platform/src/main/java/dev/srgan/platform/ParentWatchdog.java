package dev.srgan.platform;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * When {@code ./srgan up} started this process ({@code SRGAN_PARENT_PID} is set) and the launcher
 * dies without stopping us (SIGKILL), shut down cleanly instead of running on as an orphan.
 */
@ApplicationScoped
public class ParentWatchdog {
    private static final Logger LOG = Logger.getLogger(ParentWatchdog.class);

    void onStart(@Observes StartupEvent event) {
        String pid = System.getenv("SRGAN_PARENT_PID");
        if (pid == null || pid.isBlank()) {
            return;
        }
        try {
            ProcessHandle.of(Long.parseLong(pid.trim()))
                    .ifPresentOrElse(
                            parent -> parent.onExit().thenRun(() -> {
                                LOG.warn("the srgan launcher (pid " + pid + ") is gone; shutting down");
                                Quarkus.asyncExit(0);
                            }),
                            () -> Quarkus.asyncExit(0));
        } catch (NumberFormatException e) {
            LOG.warn("ignoring SRGAN_PARENT_PID=" + pid + ": not a process id");
        }
    }
}
