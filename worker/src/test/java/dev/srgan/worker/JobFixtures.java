package dev.srgan.worker;

import static org.junit.jupiter.api.Assertions.fail;

import dev.srgan.domain.jobs.JobType;
import dev.srgan.networks.checkpoint.Checkpoint;
import dev.srgan.networks.training.TrainingConfig;
import dev.srgan.networks.training.TrainingRun;
import dev.srgan.platform.KafkaSettings;
import dev.srgan.platform.blobs.BlobStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sets up jobs the way the api does (blobs through BlobStore, rows with SQL, a pointer message on
 * the job type's topic) and waits for the worker's outcome in PostgreSQL. A test bean: tests
 * {@code @Inject} it.
 */
@ApplicationScoped
public class JobFixtures {
    private static final List<String> FINAL = List.of("SUCCEEDED", "FAILED", "CANCELLED");

    @Inject
    DataSource dataSource;

    @Inject
    BlobStore blobs;

    @Inject
    KafkaSettings kafka;

    public UUID blob(byte[] bytes, String contentType) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            UUID id = blobs.write(c, new ByteArrayInputStream(bytes), contentType, Long.MAX_VALUE)
                    .id();
            c.commit();
            return id;
        }
    }

    public byte[] readBlob(UUID id) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Connection c = dataSource.getConnection()) {
            blobs.copyTo(c, id, out);
        }
        return out.toByteArray();
    }

    public UUID model(String format, int scale, Integer residualBlocks, byte[] bytes) throws Exception {
        UUID blob = blob(bytes, "application/octet-stream");
        UUID id = UUID.randomUUID();
        exec(
                "INSERT INTO models (id, name, format, scale, residual_blocks, source, blob_id) VALUES (?, ?, ?, ?, ?, 'upload', ?)",
                id,
                "test " + format.toLowerCase() + " x" + scale,
                format,
                scale,
                residualBlocks,
                blob);
        return id;
    }

    public UUID upscaleJob(UUID modelId, int scale, byte[] input, String inputName) throws Exception {
        return upscaleJob(modelId, "{\"scale\": " + scale + "}", input, inputName);
    }

    /** An upscale job with the params the api would record, output options among them. */
    public UUID upscaleJob(UUID modelId, String params, byte[] input, String inputName) throws Exception {
        UUID blob = blob(
                input,
                dev.srgan.domain.images.ImageFormat.byName(inputName)
                        .orElse(dev.srgan.domain.images.ImageFormat.JPEG)
                        .contentType());
        UUID id = UUID.randomUUID();
        exec(
                "INSERT INTO jobs (id, type, status, params, input_blob_id, input_name, model_id) VALUES (?, 'UPSCALE', 'QUEUED', ?::jsonb, ?, ?, ?)",
                id,
                params,
                blob,
                inputName,
                modelId);
        return id;
    }

    public UUID dataset(byte[] zip, int imageCount) throws Exception {
        UUID blob = blob(zip, "application/zip");
        UUID id = UUID.randomUUID();
        exec(
                "INSERT INTO datasets (id, name, image_count, size_bytes, blob_id) VALUES (?, 'test set', ?, ?, ?)",
                id,
                imageCount,
                (long) zip.length,
                blob);
        return id;
    }

    public UUID trainingJob(TrainingConfig config, UUID datasetId) throws Exception {
        return trainingJob(config, datasetId, null, null);
    }

    /**
     * A QUEUED training run that starts from a model, as the api stores one submitted with a
     * baseModelId: {@code modelId} null with a name is a run whose model was deleted since.
     */
    public UUID trainingJob(TrainingConfig config, UUID datasetId, UUID modelId, String baseModelName)
            throws Exception {
        UUID id = UUID.randomUUID();
        exec(
                "INSERT INTO jobs (id, type, status, params, dataset_id, model_id) VALUES (?, 'TRAINING', 'QUEUED', ?::jsonb, ?, ?)",
                id,
                config.toJson(),
                datasetId,
                modelId);
        exec(
                "INSERT INTO training_runs (job_id, config, total_steps, base_model_id, base_model_name) VALUES (?, ?::jsonb, ?, ?, ?)",
                id,
                config.toJson(),
                config.totalSteps(),
                modelId,
                baseModelName);
        return id;
    }

    /** Publishes the job's pointer message, as the outbox relay does; returns where it landed. */
    public RecordMetadata publish(UUID jobId, JobType type, int attempt) throws Exception {
        return publish(jobId, type, attempt, kafka.topic(type));
    }

    /** Publishes the job's pointer message on {@code topic} (a batch image's: the bulk topic). */
    public RecordMetadata publish(UUID jobId, JobType type, int attempt, String topic) throws Exception {
        Map<String, Object> config = kafka.clientConfig("worker-test-producer");
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            String message = "{\"jobId\":\"" + jobId + "\",\"type\":\"" + type + "\",\"attempt\":" + attempt + "}";
            return producer.send(new ProducerRecord<>(topic, jobId.toString(), message))
                    .get(30, TimeUnit.SECONDS);
        }
    }

    /** Waits until the type's consumer group has committed past {@code record}: the worker has handled it. */
    public void awaitConsumed(JobType type, RecordMetadata record, Duration timeout) throws Exception {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(kafka.clientConfig("worker-test-admin"))) {
            while (System.nanoTime() < deadline) {
                OffsetAndMetadata committed = admin.listConsumerGroupOffsets(kafka.consumerGroup(type))
                        .partitionsToOffsetAndMetadata()
                        .get(10, TimeUnit.SECONDS)
                        .get(tp);
                if (committed != null && committed.offset() > record.offset()) {
                    return;
                }
                Thread.sleep(100);
            }
        }
        fail("the worker did not consume " + record + " within " + timeout);
    }

    /** Waits for the job to reach a final status and returns it. */
    public String awaitFinal(UUID jobId, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String status = null;
        while (System.nanoTime() < deadline) {
            status = text("SELECT status FROM jobs WHERE id = ?", jobId);
            if (FINAL.contains(status)) {
                return status;
            }
            Thread.sleep(100);
        }
        fail("job " + jobId + " still " + status + " after " + timeout + " ("
                + text("SELECT progress_message FROM jobs WHERE id = ?", jobId) + ")");
        return status;
    }

    /** Waits until {@code sql} (one boolean) says true. */
    public void await(String what, Duration timeout, String sql, Object... params) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Boolean.TRUE.equals(value(sql, params))) {
                return;
            }
            Thread.sleep(50);
        }
        fail("timed out after " + timeout + " waiting for " + what);
    }

    public void exec(String sql, Object... params) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = prepare(c, sql, params)) {
            ps.executeUpdate();
        }
    }

    public Object value(String sql, Object... params) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = prepare(c, sql, params);
                ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getObject(1) : null;
        }
    }

    public String text(String sql, Object... params) throws SQLException {
        Object v = value(sql, params);
        return v == null ? null : v.toString();
    }

    public long number(String sql, Object... params) throws SQLException {
        return ((Number) value(sql, params)).longValue();
    }

    public List<Long> numbers(String sql, Object... params) throws SQLException {
        List<Long> values = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = prepare(c, sql, params);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                values.add(rs.getLong(1));
            }
        }
        return values;
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... params) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < params.length; i++) {
            ps.setObject(i + 1, params[i]);
        }
        return ps;
    }

    /** A deterministic, textured image (smooth gradients plus noise), with an alpha ramp if asked. */
    public static BufferedImage image(int width, int height, boolean alpha, long seed) {
        BufferedImage image =
                new BufferedImage(width, height, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = (x * 255 / Math.max(1, width - 1) + random.nextInt(32)) & 0xff;
                int g = (y * 255 / Math.max(1, height - 1) + random.nextInt(32)) & 0xff;
                int b = ((x + y) * 4 + random.nextInt(64)) & 0xff;
                int a = alpha ? 255 * x / Math.max(1, width - 1) : 255;
                image.setRGB(x, y, a << 24 | r << 16 | g << 8 | b);
            }
        }
        return image;
    }

    /** An image as an LZW-compressed TIFF, as the JDK's writer makes it. */
    public static byte[] tiff(BufferedImage image) throws IOException {
        javax.imageio.ImageWriter writer =
                ImageIO.getImageWritersByFormatName("tiff").next();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (javax.imageio.stream.ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            javax.imageio.ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(javax.imageio.ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionType("LZW");
            writer.write(null, new javax.imageio.IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    public static byte[] png(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A generator with random weights, saved as a checkpoint zip by the networks module's own code. */
    public static byte[] randomCheckpoint(int scale, int residualBlocks) throws IOException {
        TrainingConfig config = TrainingConfig.builder()
                .scale(scale)
                .residualBlocks(residualBlocks)
                .hrCropSize(16)
                .batchSize(1)
                .pretrainSteps(1)
                .ganSteps(0)
                .seed(11)
                .build();
        try (TrainingRun run = TrainingRun.builder(config)
                .trainingImages(List.of(image(16, 16, false, 1)))
                .build()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            run.checkpoint().write(out);
            return out.toByteArray();
        }
    }

    /**
     * {@code checkpoint}'s generator after a few steps of fine-tuning at a high learning rate: a model
     * of the same lineage, which blends with it, whose upscales differ from its own.
     */
    public static byte[] fineTuned(byte[] checkpoint) throws IOException {
        Checkpoint base = Checkpoint.read(new ByteArrayInputStream(checkpoint));
        TrainingConfig config = TrainingConfig.builder()
                .scale(base.config().scale())
                .residualBlocks(base.config().residualBlocks())
                .hrCropSize(16)
                .batchSize(1)
                .learningRateG(1e-2)
                .pretrainSteps(3)
                .ganSteps(0)
                .seed(12)
                .build();
        try (TrainingRun run = TrainingRun.builder(config)
                .trainingImages(List.of(image(16, 16, false, 2)))
                .initialGenerator(base)
                .build()) {
            for (int i = 0; i < config.pretrainSteps(); i++) {
                run.step();
            }
            return run.checkpoint().generatorOnly().toBytes();
        }
    }

    public static byte[] truncated(byte[] bytes, int length) {
        return Arrays.copyOf(bytes, length);
    }
}
