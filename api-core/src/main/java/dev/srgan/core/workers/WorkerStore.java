package dev.srgan.core.workers;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** The worker registry as the API and the pages read it: every worker that has run, newest first. */
@ApplicationScoped
public class WorkerStore {
    /** A worker whose heartbeat is older than this is reported as stale. */
    static final int STALE_AFTER_SECONDS = 30;

    @Inject
    DataSource dataSource;

    /** One worker as the API shows it. */
    public record WorkerView(
            String id,
            String host,
            long pid,
            String device,
            List<String> jobTypes,
            String currentJobId,
            OffsetDateTime startedAt,
            OffsetDateTime lastHeartbeat,
            OffsetDateTime stoppedAt,
            long jobsDone,
            String state) {}

    /** Every worker, with its heartbeat, current job and state (ONLINE, STALE, STOPPED). */
    public List<WorkerView> list() throws SQLException {
        List<WorkerView> result = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("""
                     SELECT id, host, pid, device, job_types, current_job_id, started_at, last_heartbeat, stopped_at, jobs_done,
                            last_heartbeat < now() - make_interval(secs => %d) AS stale
                     FROM workers ORDER BY started_at DESC""".formatted(STALE_AFTER_SECONDS))) {
            while (rs.next()) {
                String state =
                        rs.getObject("stopped_at") != null ? "STOPPED" : rs.getBoolean("stale") ? "STALE" : "ONLINE";
                result.add(new WorkerView(
                        rs.getString("id"),
                        rs.getString("host"),
                        rs.getLong("pid"),
                        rs.getString("device"),
                        List.of(rs.getString("job_types").split(",")),
                        rs.getString("current_job_id"),
                        rs.getObject("started_at", OffsetDateTime.class),
                        rs.getObject("last_heartbeat", OffsetDateTime.class),
                        rs.getObject("stopped_at", OffsetDateTime.class),
                        rs.getLong("jobs_done"),
                        state));
            }
        }
        return result;
    }
}
