package dev.srgan.core.training;

import dev.srgan.core.errors.ApiException;
import dev.srgan.core.jobs.JobStore;
import dev.srgan.networks.training.Phase;
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
import java.util.UUID;
import javax.sql.DataSource;

/**
 * A training run's losses and validations as CSV files, with the columns and names of the files
 * {@code ./srgan train} writes ({@code losses.csv}, {@code validation.csv}), so one notebook or
 * {@code models/recipes/plot_curve.py} reads a run of the cluster and a local run alike. Every
 * point is written, at full precision, streamed from PostgreSQL with a cursor (a million-step run
 * is a million rows, never held in memory); a value not recorded is an empty field.
 */
@ApplicationScoped
public class MetricsCsv {

    /** The columns of {@code losses.csv}. */
    public static final String LOSSES_HEADER =
            "step,phase,d_loss,g_loss,content_loss,adversarial_loss,d_real,d_fake,lr_g,lr_d,seconds_per_step";
    /** The columns of {@code validation.csv}. */
    public static final String VALIDATION_HEADER = "step,phase,psnr,ssim,bicubic_psnr,bicubic_ssim,niqe,bicubic_niqe";

    private static final int FETCH_SIZE = 5_000;

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

    /** A recorded number as Java writes a double (all its digits), or empty when none was recorded. */
    private static String number(ResultSet rs, int col) throws SQLException {
        double v = rs.getDouble(col);
        return rs.wasNull() || Double.isNaN(v) ? "" : Double.toString(v);
    }
}
