package dev.srgan.core.training;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.srgan.core.errors.ApiException;
import dev.srgan.domain.jobs.JobStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Hyperparameter sweeps in PostgreSQL ({@code training_sweeps}, {@code training_sweep_runs}): which
 * training jobs a sweep queued, for which grid point, and how far each got: its state and its best
 * validation PSNR, SSIM and NIQE (lower is better) with their steps. The jobs themselves are
 * written and changed by {@link TrainingStore} and {@code JobStore}, as for any training run.
 */
@ApplicationScoped
public class SweepStore {

    @Inject
    DataSource dataSource;

    @Inject
    ObjectMapper json;

    /** A sweep as it is submitted. */
    public record NewSweep(
            UUID id,
            String name,
            UUID datasetId,
            String contentLoss,
            JsonNode base,
            JsonNode grid,
            List<String> parameters) {}

    /** The best value of a validation metric over a run, and the step it was measured at. */
    public record Best(double value, int step) {}

    /** The checkpoint of a run stored at its best validated PSNR (a checkpoint at a validation step). */
    public record BestCheckpoint(UUID id, UUID jobId, int step, double psnr) {}

    /** One run of a sweep: its job, the values of its grid point, and its best validation metrics so far. */
    public record SweepRun(
            int index,
            UUID jobId,
            String name,
            String status,
            double progress,
            String progressMessage,
            String error,
            String workerId,
            JsonNode parameters,
            Best bestPsnr,
            Best bestSsim,
            Best bestNiqe,
            Integer lastValidationStep,
            BestCheckpoint bestCheckpoint,
            String url) {
        /** The value of one swept parameter, as people write it. */
        public String value(String parameter) {
            return SweepGrid.text(parameters.get(parameter));
        }

        /** The grid point as people read it: {@code learningRateG=0.001, batchSize=8}. */
        public String label() {
            List<String> parts = new ArrayList<>();
            parameters.fields().forEachRemaining(e -> parts.add(e.getKey() + "=" + SweepGrid.text(e.getValue())));
            return String.join(", ", parts);
        }

        /** The value of one swept parameter as JSON text, for the page's charts. */
        public String json(String parameter) {
            JsonNode v = parameters.get(parameter);
            return v == null ? "null" : v.toString();
        }
    }

    /** A sweep with its runs in grid order; {@code states} counts the runs in each state. */
    public record SweepView(
            UUID id,
            String name,
            UUID datasetId,
            String datasetName,
            String contentLoss,

            @Schema(description = "the name of the registered model every run starts from (baseModelId), if any")
            String baseModelName,

            JsonNode hyperparameters,
            JsonNode grid,
            List<String> parameters,
            OffsetDateTime createdAt,
            Map<String, Integer> states,
            List<SweepRun> runs,
            BestCheckpoint bestCheckpoint,
            String url) {
        /** The base hyperparameters as people write them, in the order they were given. */
        public Map<String, String> base() {
            Map<String, String> base = new LinkedHashMap<>();
            hyperparameters.fields().forEachRemaining(e -> base.put(e.getKey(), SweepGrid.text(e.getValue())));
            return base;
        }

        /** Whether any run is QUEUED or RUNNING (the sweep can be cancelled). */
        public boolean active() {
            return states.get("QUEUED") + states.get("RUNNING") > 0;
        }

        /** Whether any run FAILED or was CANCELLED (the sweep can be retried). */
        public boolean retryable() {
            return states.get("FAILED") + states.get("CANCELLED") > 0;
        }
    }

    /** A sweep in the list: how many runs are in each state, and its best validation PSNR so far. */
    public record SweepSummary(
            UUID id,
            String name,
            UUID datasetId,
            String datasetName,
            List<String> parameters,
            OffsetDateTime createdAt,
            int runs,
            Map<String, Integer> states,
            Double bestPsnr,
            String url) {}

    /** A page of sweeps, newest first. */
    @Schema(name = "SweepPage")
    public record Page(List<SweepSummary> items, int page, int size, long total) {}

    /** Inserts the sweep on {@code c} (the caller commits, with its runs). */
    public void insert(Connection c, NewSweep sweep) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO training_sweeps (id, name, dataset_id, content_loss, base, grid, parameters)
                VALUES (?, ?, ?, ?, ?::jsonb, ?::jsonb, ?)""")) {
            ps.setObject(1, sweep.id());
            ps.setString(2, sweep.name());
            ps.setObject(3, sweep.datasetId());
            ps.setString(4, sweep.contentLoss());
            ps.setString(5, write(sweep.base()));
            ps.setString(6, write(sweep.grid()));
            ps.setArray(7, c.createArrayOf("text", sweep.parameters().toArray()));
            ps.executeUpdate();
        }
    }

    /** Records on {@code c} that the job {@code jobId} runs grid point {@code index} of the sweep. */
    public void insertRun(Connection c, UUID sweepId, int index, UUID jobId, JsonNode point) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO training_sweep_runs (sweep_id, idx, job_id, point) VALUES (?, ?, ?, ?::jsonb)")) {
            ps.setObject(1, sweepId);
            ps.setInt(2, index);
            ps.setObject(3, jobId);
            ps.setString(4, write(point));
            ps.executeUpdate();
        }
    }

    /** The jobs of a sweep in grid order, on {@code c}. */
    public List<UUID> jobIds(Connection c, UUID sweepId) throws SQLException {
        List<UUID> ids = new ArrayList<>();
        try (PreparedStatement ps =
                c.prepareStatement("SELECT job_id FROM training_sweep_runs WHERE sweep_id = ? ORDER BY idx")) {
            ps.setObject(1, sweepId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getObject(1, UUID.class));
                }
            }
        }
        return ids;
    }

    /** A sweep id from a path: 404 when it is not a UUID (no such sweep can exist). */
    public static UUID id(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("no sweep " + id);
        }
    }

    /** The sweep with its runs, or a 404 naming it. */
    public SweepView require(UUID id) throws SQLException {
        return find(id).orElseThrow(() -> ApiException.notFound("no sweep " + id));
    }

    /** The sweep with its runs, or empty. */
    public Optional<SweepView> find(UUID id) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            String name;
            UUID datasetId;
            String datasetName;
            String contentLoss;
            String baseModelName;
            JsonNode base;
            JsonNode grid;
            List<String> parameters;
            OffsetDateTime createdAt;
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT s.name, s.dataset_id, d.name, s.content_loss, s.base::text, s.grid::text, s.parameters, s.created_at,
                           (SELECT t.base_model_name FROM training_sweep_runs r JOIN training_runs t ON t.job_id = r.job_id
                            WHERE r.sweep_id = s.id ORDER BY r.idx LIMIT 1)
                    FROM training_sweeps s LEFT JOIN datasets d ON d.id = s.dataset_id WHERE s.id = ?""")) {
                ps.setObject(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    name = rs.getString(1);
                    datasetId = rs.getObject(2, UUID.class);
                    datasetName = rs.getString(3);
                    contentLoss = rs.getString(4);
                    base = read(rs.getString(5));
                    grid = read(rs.getString(6));
                    parameters = strings(rs.getArray(7));
                    createdAt = rs.getObject(8, OffsetDateTime.class);
                    baseModelName = rs.getString(9);
                }
            }
            List<SweepRun> runs = runs(c, id, parameters);
            BestCheckpoint best = runs.stream()
                    .map(SweepRun::bestCheckpoint)
                    .filter(b -> b != null)
                    .max(Comparator.comparingDouble(BestCheckpoint::psnr))
                    .orElse(null);
            return Optional.of(new SweepView(
                    id,
                    name,
                    datasetId,
                    datasetName,
                    contentLoss,
                    baseModelName,
                    base,
                    ordered(grid, parameters),
                    parameters,
                    createdAt,
                    states(runs.stream().map(SweepRun::status).toList()),
                    runs,
                    best,
                    "/api/training/sweeps/" + id));
        }
    }

    // NaN sorts above every number in PostgreSQL: a diverged validation is never "the best"
    private static final String RUNS = """
            SELECT r.idx, r.job_id, j.name, j.status, j.progress, j.progress_message, j.error, j.worker_id, r.point::text,
                   bp.psnr, bp.step, bs.ssim, bs.step, bn.niqe, bn.step,
                   (SELECT max(v.step) FROM validation_metrics v WHERE v.job_id = r.job_id),
                   ck.id, ck.step, ck.psnr
            FROM training_sweep_runs r JOIN jobs j ON j.id = r.job_id
            LEFT JOIN LATERAL (SELECT v.psnr, v.step FROM validation_metrics v WHERE v.job_id = r.job_id AND v.psnr <> 'NaN'
                               ORDER BY v.psnr DESC, v.step LIMIT 1) bp ON true
            LEFT JOIN LATERAL (SELECT v.ssim, v.step FROM validation_metrics v WHERE v.job_id = r.job_id AND v.ssim <> 'NaN'
                               ORDER BY v.ssim DESC, v.step LIMIT 1) bs ON true
            LEFT JOIN LATERAL (SELECT v.niqe, v.step FROM validation_metrics v WHERE v.job_id = r.job_id AND v.niqe <> 'NaN'
                               ORDER BY v.niqe, v.step LIMIT 1) bn ON true
            LEFT JOIN LATERAL (SELECT k.id, k.step, v.psnr FROM checkpoints k
                               JOIN validation_metrics v ON v.job_id = k.job_id AND v.step = k.step
                               WHERE k.job_id = r.job_id AND v.psnr <> 'NaN' ORDER BY v.psnr DESC, k.step LIMIT 1) ck ON true
            WHERE r.sweep_id = ? ORDER BY r.idx""";

    private List<SweepRun> runs(Connection c, UUID sweepId, List<String> parameters) throws SQLException {
        List<SweepRun> runs = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(RUNS)) {
            ps.setObject(1, sweepId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    UUID jobId = rs.getObject(2, UUID.class);
                    UUID checkpoint = rs.getObject(17, UUID.class);
                    runs.add(new SweepRun(
                            rs.getInt(1),
                            jobId,
                            rs.getString(3),
                            rs.getString(4),
                            rs.getDouble(5),
                            rs.getString(6),
                            rs.getString(7),
                            rs.getString(8),
                            ordered(read(rs.getString(9)), parameters),
                            best(rs, 10),
                            best(rs, 12),
                            best(rs, 14),
                            (Integer) rs.getObject(16),
                            checkpoint == null
                                    ? null
                                    : new BestCheckpoint(checkpoint, jobId, rs.getInt(18), rs.getDouble(19)),
                            "/api/jobs/" + jobId));
                }
            }
        }
        return runs;
    }

    /** Sweeps newest first. */
    public Page list(int page, int size) throws SQLException {
        List<SweepSummary> items = new ArrayList<>();
        long total;
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT s.id, s.name, s.dataset_id, d.name, s.parameters, s.created_at,
                           (SELECT array_agg(j.status ORDER BY r.idx) FROM training_sweep_runs r JOIN jobs j ON j.id = r.job_id
                            WHERE r.sweep_id = s.id),
                           (SELECT max(v.psnr) FROM training_sweep_runs r JOIN validation_metrics v ON v.job_id = r.job_id
                            WHERE r.sweep_id = s.id AND v.psnr <> 'NaN')
                    FROM training_sweeps s LEFT JOIN datasets d ON d.id = s.dataset_id
                    ORDER BY s.created_at DESC, s.id LIMIT ? OFFSET ?""")) {
                ps.setInt(1, size);
                ps.setLong(2, (long) page * size);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        UUID id = rs.getObject(1, UUID.class);
                        List<String> statuses = rs.getArray(7) == null ? List.of() : strings(rs.getArray(7));
                        double best = rs.getDouble(8);
                        items.add(new SweepSummary(
                                id,
                                rs.getString(2),
                                rs.getObject(3, UUID.class),
                                rs.getString(4),
                                strings(rs.getArray(5)),
                                rs.getObject(6, OffsetDateTime.class),
                                statuses.size(),
                                states(statuses),
                                rs.wasNull() ? null : best,
                                "/api/training/sweeps/" + id));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM training_sweeps");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                total = rs.getLong(1);
            }
        }
        return new Page(items, page, size, total);
    }

    private static Map<String, Integer> states(List<String> statuses) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (JobStatus s : JobStatus.values()) {
            counts.put(s.name(), 0);
        }
        statuses.forEach(s -> counts.merge(s, 1, Integer::sum));
        return counts;
    }

    private static Best best(ResultSet rs, int valueColumn) throws SQLException {
        double value = rs.getDouble(valueColumn);
        return rs.wasNull() ? null : new Best(value, rs.getInt(valueColumn + 1));
    }

    private static List<String> strings(Array array) throws SQLException {
        return Arrays.stream((Object[]) array.getArray()).map(String::valueOf).toList();
    }

    /** A grid or grid point with its keys in the order they were submitted (jsonb sorts them). */
    private JsonNode ordered(JsonNode grid, List<String> parameters) {
        var ordered = json.createObjectNode();
        parameters.forEach(p -> ordered.set(p, grid.get(p)));
        return ordered;
    }

    private String write(JsonNode node) {
        try {
            return json.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode read(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
