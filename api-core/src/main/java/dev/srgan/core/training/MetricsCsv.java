package dev.srgan.core.training;

import com.fasterxml.jackson.databind.JsonNode;
import dev.srgan.core.errors.ApiException;
import dev.srgan.core.jobs.JobStore;
import dev.srgan.networks.training.Phase;
import dev.srgan.networks.training.TrainingConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Training runs as CSV. One run's losses and validations, with the columns and names of the files
 * {@code ./srgan train} writes ({@code losses.csv}, {@code validation.csv}), so one notebook or
 * {@code models/recipes/plot_curve.py} reads a run of the cluster and a local run alike. Every
 * point is written, at full precision, streamed from PostgreSQL with a cursor (a million-step run
 * is a million rows, never held in memory); a value not recorded is an empty field. And many runs
 * in one table ({@code runs.csv}): a row per run with its best validation and its hyperparameters.
 */
@ApplicationScoped
public class MetricsCsv {

    /** The columns of {@code losses.csv}. */
    public static final String LOSSES_HEADER =
            "step,phase,d_loss,g_loss,content_loss,adversarial_loss,d_real,d_fake,lr_g,lr_d,seconds_per_step";
    /** The columns of {@code validation.csv}. */
    public static final String VALIDATION_HEADER = "step,phase,psnr,ssim,bicubic_psnr,bicubic_ssim,niqe,bicubic_niqe";

    private static final int FETCH_SIZE = 5_000;

    /** What every CSV here is served as. */
    public static final String CONTENT_TYPE = "text/csv; charset=utf-8";

    @Inject
    DataSource dataSource;

    @Inject
    JobStore jobs;

    /** Which file of a run. */
    public enum Kind {
        LOSSES("losses", LOSSES_HEADER),
        VALIDATION("validation", VALIDATION_HEADER);

        private final String name;
        private final String header;

        Kind(String name, String header) {
            this.name = name;
            this.header = header;
        }
    }

    /** A file ready to stream: its download name and the run it reads. */
    public record Export(String fileName, UUID jobId, Kind kind, int pretrainSteps) {}

    /**
     * Checks that the job is a training run, before anything is streamed.
     *
     * @throws ApiException 404 for no such job, or a job that is not a training run
     */
    public Export export(String id, Kind kind) throws SQLException {
        UUID jobId = JobStore.id(id);
        var job = jobs.require(jobId);
        if (!job.type().equals("TRAINING")) {
            throw ApiException.notFound("job " + jobId + " is " + job.type().toLowerCase(java.util.Locale.ROOT)
                    + ", not a training run: only training runs record losses and validations");
        }
        int pretrainSteps;
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT coalesce((config->>'pretrainSteps')::int, 0) FROM training_runs WHERE job_id = ?")) {
            ps.setObject(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                pretrainSteps = rs.next() ? rs.getInt(1) : 0;
            }
        }
        String name = (job.name() == null ? "run-" + jobId : job.name()).replaceAll("[^A-Za-z0-9._-]", "_");
        return new Export(name + "-" + kind.name + ".csv", jobId, kind, pretrainSteps);
    }

    /** Writes the file, header first, in step order. */
    public void write(Export export, OutputStream out) throws IOException {
        Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        w.write(export.kind().header);
        w.write('\n');
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false); // PostgreSQL streams with a cursor only inside a transaction
            try {
                if (export.kind() == Kind.LOSSES) {
                    losses(c, export.jobId(), w);
                } else {
                    validation(c, export, w);
                }
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw new IOException("reading the run's " + export.kind().name + ": " + e.getMessage(), e);
        }
        w.flush();
    }

    private static void losses(Connection c, UUID jobId, Writer w) throws SQLException, IOException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT step, phase, d_loss, g_loss, content_loss, adversarial_loss, d_real, d_fake, lr_g, lr_d, seconds_per_step
                FROM loss_points WHERE job_id = ? ORDER BY step""")) {
            ps.setFetchSize(FETCH_SIZE);
            ps.setObject(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    w.write(Integer.toString(rs.getInt(1)));
                    w.write(',');
                    w.write(rs.getString(2));
                    for (int col = 3; col <= 11; col++) {
                        w.write(',');
                        w.write(number(rs, col));
                    }
                    w.write('\n');
                }
            }
        }
    }

    private static void validation(Connection c, Export export, Writer w) throws SQLException, IOException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT step, psnr, ssim, bicubic_psnr, bicubic_ssim, niqe, bicubic_niqe
                FROM validation_metrics WHERE job_id = ? ORDER BY step""")) {
            ps.setFetchSize(FETCH_SIZE);
            ps.setObject(1, export.jobId());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int step = rs.getInt(1);
                    w.write(Integer.toString(step));
                    w.write(',');
                    w.write(Phase.ofStep(step, export.pretrainSteps()).storedName());
                    for (int col = 2; col <= 7; col++) {
                        w.write(',');
                        w.write(number(rs, col));
                    }
                    w.write('\n');
                }
            }
        }
    }

    /** The columns of {@code runs.csv} before the hyperparameters. */
    public static final String RUNS_HEADER = "job_id,name,status,submitted_by,created_at,finished_at,tags,base_model,"
            + "validation_dataset,steps_done,total_steps,best_psnr,best_psnr_step,bicubic_psnr,best_ssim,best_ssim_step,best_niqe,"
            + "best_niqe_step,last_psnr,last_psnr_step";

    /** The hyperparameters, one column each, in the training config's order (the extractor's path is the cluster's). */
    static final List<String> HYPERPARAMETERS = Arrays.stream(TrainingConfig.class.getRecordComponents())
            .map(java.lang.reflect.RecordComponent::getName)
            .filter(name -> !name.equals("featureExtractorPath"))
            .toList();

    // NaN sorts above every number in PostgreSQL: a diverged validation is never the best
    private static final String RUNS = """
            SELECT j.id, j.name, j.status, j.submitted_by, j.created_at, j.finished_at, j.tags, t.base_model_name,
                   t.current_step, t.total_steps, t.config::text,
                   bp.psnr, bp.step, bp.bicubic_psnr, bs.ssim, bs.step, bn.niqe, bn.step, lv.psnr, lv.step,
                   t.validation_dataset_name
            FROM jobs j JOIN training_runs t ON t.job_id = j.id
            LEFT JOIN LATERAL (SELECT v.psnr, v.step, v.bicubic_psnr FROM validation_metrics v
                               WHERE v.job_id = j.id AND v.psnr <> 'NaN' ORDER BY v.psnr DESC, v.step LIMIT 1) bp ON true
            LEFT JOIN LATERAL (SELECT v.ssim, v.step FROM validation_metrics v
                               WHERE v.job_id = j.id AND v.ssim <> 'NaN' ORDER BY v.ssim DESC, v.step LIMIT 1) bs ON true
            LEFT JOIN LATERAL (SELECT v.niqe, v.step FROM validation_metrics v
                               WHERE v.job_id = j.id AND v.niqe <> 'NaN' ORDER BY v.niqe, v.step LIMIT 1) bn ON true
            LEFT JOIN LATERAL (SELECT v.psnr, v.step FROM validation_metrics v
                               WHERE v.job_id = j.id ORDER BY v.step DESC LIMIT 1) lv ON true
            WHERE j.type = 'TRAINING' AND %s
              AND (?::uuid IS NULL OR j.id IN (SELECT r.job_id FROM training_sweep_runs r WHERE r.sweep_id = ?))
            ORDER BY j.created_at DESC, j.id""".formatted(JobStore.Filter.LABELS);

    /**
     * Writes {@code runs.csv}: one row per training run that passes the filter (tags and text as
     * {@code GET /api/jobs}, and/or one sweep's runs), newest first, with its state, its best
     * validation PSNR, SSIM and NIQE and their steps, its last validation, and every hyperparameter,
     * so runs are compared in a notebook or a spreadsheet.
     *
     * @param filter the tags and text to match (its type and status are not used)
     * @param sweepId only this sweep's runs, or null
     */
    public void writeRuns(JobStore.Filter filter, UUID sweepId, OutputStream out) throws IOException {
        Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        w.write(RUNS_HEADER);
        for (String name : HYPERPARAMETERS) {
            w.write(',');
            w.write(name);
        }
        w.write('\n');
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(RUNS)) {
                ps.setFetchSize(FETCH_SIZE);
                int next = filter.bindLabels(c, ps, 1);
                ps.setObject(next, sweepId);
                ps.setObject(next + 1, sweepId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        runRow(rs, w);
                    }
                }
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw new IOException("reading the runs: " + e.getMessage(), e);
        }
        w.flush();
    }

    private static void runRow(ResultSet rs, Writer w) throws SQLException, IOException {
        List<String> cells = new ArrayList<>();
        cells.add(rs.getString(1));
        cells.add(rs.getString(2));
        cells.add(rs.getString(3));
        cells.add(rs.getString(4));
        cells.add(timestamp(rs, 5));
        cells.add(timestamp(rs, 6));
        cells.add(String.join(";", (String[]) rs.getArray(7).getArray()));
        cells.add(rs.getString(8));
        cells.add(rs.getString(21));
        cells.add(Integer.toString(rs.getInt(9)));
        cells.add(Integer.toString(rs.getInt(10)));
        String config = rs.getString(11);
        cells.add(number(rs, 12));
        cells.add(integer(rs, 13));
        cells.add(number(rs, 14));
        cells.add(number(rs, 15));
        cells.add(integer(rs, 16));
        cells.add(number(rs, 17));
        cells.add(integer(rs, 18));
        cells.add(number(rs, 19));
        cells.add(integer(rs, 20));
        JsonNode hyperparameters = JSON.readTree(TrainingConfig.withDefaults(config));
        for (String name : HYPERPARAMETERS) {
            JsonNode v = hyperparameters.path(name);
            cells.add(v.isMissingNode() || v.isNull() ? "" : v.isArray() ? join(v) : v.asText());
        }
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                w.write(',');
            }
            w.write(quoted(cells.get(i)));
        }
        w.write('\n');
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    /** A list value in one cell: its items separated by ';' ({@code 5000;8000}). */
    private static String join(JsonNode array) {
        List<String> items = new ArrayList<>();
        array.forEach(item -> items.add(item.asText()));
        return String.join(";", items);
    }

    private static String timestamp(ResultSet rs, int col) throws SQLException {
        java.time.OffsetDateTime t = rs.getObject(col, java.time.OffsetDateTime.class);
        return t == null ? "" : t.toString();
    }

    private static String integer(ResultSet rs, int col) throws SQLException {
        int v = rs.getInt(col);
        return rs.wasNull() ? "" : Integer.toString(v);
    }

    /** A cell as RFC 4180 writes it: in double quotes, its own doubled, when it holds a comma, quote or line break. */
    static String quoted(String cell) {
        if (cell == null) {
            return "";
        }
        if (cell.indexOf(',') < 0 && cell.indexOf('"') < 0 && cell.indexOf('\n') < 0 && cell.indexOf('\r') < 0) {
            return cell;
        }
        return '"' + cell.replace("\"", "\"\"") + '"';
    }

    /** A recorded number as Java writes a double (all its digits), or empty when none was recorded. */
    private static String number(ResultSet rs, int col) throws SQLException {
        double v = rs.getDouble(col);
        return rs.wasNull() || Double.isNaN(v) ? "" : Double.toString(v);
    }
}
