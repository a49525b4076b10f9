package dev.srgan.worker.workers;

import dev.srgan.worker.config.WorkerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.util.UUID;

/** Who this worker process is: a unique id, its host, process id and device. */
@ApplicationScoped
public class WorkerIdentity {
    private final String id;
    private final String host;
    private final long pid;
    private final String device;

    @jakarta.inject.Inject
    public WorkerIdentity(WorkerConfig config) {
        this.host = hostName();
        this.pid = ProcessHandle.current().pid();
        this.device = config.device();
        this.id = host + "-" + pid + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost";
        }
    }

    public String id() {
        return id;
    }

    public String host() {
        return host;
    }

    public long pid() {
        return pid;
    }

    public String device() {
        return device;
    }
}
