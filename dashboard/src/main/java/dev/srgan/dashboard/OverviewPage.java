package dev.srgan.dashboard;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The dashboard's front page: workers online and jobs by state. */
@Path("/")
public class OverviewPage {
    /** A worker is shown as stale when its last heartbeat is older than this. */
    static final Duration STALE_AFTER = Duration.ofSeconds(30);

    @Inject
    DataSource dataSource;

    @CheckedTemplate(basePath = "dashboard")
    static class Templates {
        static native TemplateInstance overview(List<WorkerRow> workers, Map<String, Long> jobsByStatus, long workersOnline);
    }

    /** One row of the workers table. */
    public record WorkerRow(String id, String host, long pid, String device, String currentJob,
                            OffsetDateTime lastHeartbeat, long jobsDone, boolean stale, boolean stopped) {
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance overview() throws SQLException {
        List<WorkerRow> workers = new ArrayList<>();
        Map<String, Long> byStatus = new LinkedHashMap<>();
        for (String s : List.of("QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED")) {
            byStatus.put(s, 0L);
        }
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("""
                    SELECT id, host, pid, device, current_job_id, last_heartbeat, jobs_done, stopped_at,
                           last_heartbeat < now() - make_interval(secs => %d) AS stale
                    FROM workers WHERE stopped_at IS NULL OR stopped_at > now() - interval '1 hour'
                    ORDER BY started_at""".formatted(STALE_AFTER.toSeconds()))) {
                while (rs.next()) {
                    workers.add(new WorkerRow(rs.getString("id"), rs.getString("host"), rs.getLong("pid"), rs.getString("device"),
                            rs.getString("current_job_id"), rs.getObject("last_heartbeat", OffsetDateTime.class), rs.getLong("jobs_done"),
                            rs.getBoolean("stale"), rs.getObject("stopped_at") != null));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT status, count(*) FROM jobs GROUP BY status")) {
                while (rs.next()) {
                    byStatus.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        long online = workers.stream().filter(w -> !w.stale() && !w.stopped()).count();
        return Templates.overview(workers, byStatus, online);
    }
}
