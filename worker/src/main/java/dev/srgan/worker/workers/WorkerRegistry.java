package dev.srgan.worker.workers;

import dev.srgan.domain.jobs.JobType;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The worker's row in the {@code workers} table: written at start, refreshed by a heartbeat, marked
 * stopped at shutdown. The dashboard and {@code GET /api/workers} read it; a worker whose heartbeat
 * stops is shown as stale.
 */
@ApplicationScoped
public class WorkerRegistry {
    private static final Logger LOG = Logger.getLogger(WorkerRegistry.class);

    @Inject
    DataSource dataSource;

    @Inject
    WorkerIdentity identity;

    @ConfigProperty(name = "srgan.worker.job-types")
    List<JobType> jobTypes;

    @ConfigProperty(name = "srgan.worker.heartbeat-interval", defaultValue = "5s")
    Duration heartbeatInterval;

    private ScheduledExecutorService heartbeat;
    private volatile UUID currentJob;

    void onStart(@Observes @Priority(10) StartupEvent event) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     INSERT INTO workers (id, host, pid, device, job_types) VALUES (?, ?, ?, ?, ?)""")) {
            ps.setString(1, identity.id());
            ps.setString(2, identity.host());
            ps.setLong(3, identity.pid());
            ps.setString(4, identity.device());
            ps.setString(5, jobTypes.stream().map(Enum::name).collect(Collectors.joining(",")));
            ps.executeUpdate();
        }
        heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "srgan-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long ms = heartbeatInterval.toMillis();
        heartbeat.scheduleWithFixedDelay(this::beat, ms, ms, TimeUnit.MILLISECONDS);
        LOG.infof("worker %s registered (device %s, job types %s)", identity.id(), identity.device(), jobTypes);
    }

    /** Records which job this worker runs now (null when idle); shown in the registry. */
    public void setCurrentJob(UUID jobId) {
        this.currentJob = jobId;
        beat();
    }

    /** Counts a finished job. */
    public void jobDone() {
        update("UPDATE workers SET jobs_done = jobs_done + 1 WHERE id = ?");
    }

    private void beat() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE workers SET last_heartbeat = now(), current_job_id = ? WHERE id = ?")) {
            ps.setObject(1, currentJob);
            ps.setString(2, identity.id());
            ps.executeUpdate();
        } catch (SQLException e) {
            LOG.warnf("heartbeat failed: %s", e.getMessage());
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        if (heartbeat != null) {
            heartbeat.shutdownNow();
        }
        update("UPDATE workers SET stopped_at = now(), current_job_id = NULL WHERE id = ?");
    }

    private void update(String sql) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, identity.id());
            ps.executeUpdate();
        } catch (SQLException e) {
            LOG.warnf("worker registry update failed: %s", e.getMessage());
        }
    }
}
