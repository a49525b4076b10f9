package dev.srgan.api.ops;

import dev.srgan.core.config.ApiConfig;
import dev.srgan.domain.jobs.JobStatus;
import dev.srgan.domain.jobs.JobType;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.Map;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * {@code srgan_jobs{type, state}}: how many jobs are in each state, counted in PostgreSQL (the one
 * place that knows). One GROUP BY answers all fifteen gauges and is reused for
 * {@code srgan.metrics.cache}, so a scrape (or several Prometheus replicas scraping every api pod)
 * costs the database at most one small query per interval. Every type/state pair is registered at
 * start, so an empty state reads 0 instead of being absent from the scrape.
 */
@ApplicationScoped
public class JobStateGauges {
    private static final Logger LOG = Logger.getLogger(JobStateGauges.class);

    @Inject
    ApiConfig config;

    @Inject
    DataSource dataSource;

    @Inject
    MeterRegistry registry;

    private Map<JobType, Map<JobStatus, Long>> counts;
    private long countedAt;

    void register(@Observes StartupEvent event) {
        for (JobType type : JobType.values()) {
            for (JobStatus state : JobStatus.values()) {
                Gauge.builder("srgan.jobs", this, g -> g.count(type, state))
                        .description("Jobs in each state, from the jobs table (cached for srgan.metrics.cache)")
                        .tag("type", type.name())
                        .tag("state", state.name())
                        .strongReference(true)
                        .register(registry);
            }
        }
    }

    /** The number of jobs of {@code type} in {@code state}; NaN while the database does not answer. */
    synchronized double count(JobType type, JobStatus state) {
        if (counts == null
                || System.nanoTime() - countedAt >= config.metrics().cache().toNanos()) {
            try {
                counts = query();
            } catch (SQLException e) {
                LOG.debugf("job counts unavailable: %s", e.getMessage());
                counts = null;
                return Double.NaN;
            }
            countedAt = System.nanoTime();
        }
        return counts.get(type).getOrDefault(state, 0L);
    }

    private Map<JobType, Map<JobStatus, Long>> query() throws SQLException {
        Map<JobType, Map<JobStatus, Long>> result = new EnumMap<>(JobType.class);
        for (JobType type : JobType.values()) {
            result.put(type, new EnumMap<>(JobStatus.class));
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("SELECT type, status, count(*) FROM jobs GROUP BY type, status")) {
            ps.setQueryTimeout(5);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.get(JobType.valueOf(rs.getString(1))).put(JobStatus.valueOf(rs.getString(2)), rs.getLong(3));
                }
            }
        }
        return result;
    }
}
