package dev.srgan.worker.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.srgan.domain.jobs.JobType;
import dev.srgan.embedded.EmbeddedServicesTestResource;
import dev.srgan.networks.checkpoint.Checkpoint;
import dev.srgan.networks.training.TrainingConfig;
import dev.srgan.networks.training.TrainingRun;
import dev.srgan.platform.KafkaSettings;
import dev.srgan.platform.blobs.BlobStore;
import dev.srgan.worker.JobFixtures;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(EmbeddedServicesTestResource.class)
class TrainingJobTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int IMAGES = 4;

    @Inject
    DataSource dataSource;

    @Inject
    BlobStore blobs;

    @Inject
    KafkaSettings kafka;

    @Inject
    JobFixtures fixtures;

    @Inject
    dev.srgan.platform.jobs.JobTable jobTable;

    /** Scale 2, one residual block, 24 px crops: a few milliseconds a step on two cores. */
    private static TrainingConfig.Builder tiny() {
        return TrainingConfig.builder()
                .scale(2)
                .residualBlocks(1)
                .batchSize(2)
                .hrCropSize(24)
                .learningRate(1e-3)
                .seed(5)
                .validationSamples(1);
    }

    /** The last image by name is the validation split: large enough for NIQE (192x192 after a 2-pixel border). */
    private static List<java.awt.image.BufferedImage> images() {
        return LongStream.range(0, IMAGES)
                .mapToObj(i -> i == IMAGES - 1
                        ? JobFixtures.image(200, 198, false, 100 + i)
                        : JobFixtures.image(48, 40, false, 100 + i))
                .toList();
    }

    /** The images as the api receives them: a zip with a folder, and files that are not images. */
    private static byte[] datasetZip(String... extraEntries) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("photos/"));
            zip.closeEntry();
            List<java.awt.image.BufferedImage> images = images();
            for (int i = 0; i < images.size(); i++) {
                zip.putNextEntry(new ZipEntry("photos/img-" + i + ".png"));
                zip.write(JobFixtures.png(images.get(i)));
                zip.closeEntry();
            }
            zip.putNextEntry(new ZipEntry("photos/README.txt"));
            zip.write("not an image".getBytes());
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("__MACOSX/photos/._img-0.png"));
            zip.write(new byte[] {0, 5, 22, 7});
            zip.closeEntry();
            for (String extra : extraEntries) {
                zip.putNextEntry(new ZipEntry(extra));
                zip.write(JobFixtures.png(images.get(0)));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private UUID submit(TrainingConfig config) throws Exception {
        UUID job = fixtures.trainingJob(config, fixtures.dataset(datasetZip(), IMAGES));
        fixtures.publish(job, JobType.TRAINING, 1);
        return job;
    }

    @Test
    void shortRunRecordsEveryStepValidationsAndCheckpoints() throws Exception {
        UUID job = submit(tiny().pretrainSteps(20)
                .ganSteps(5)
                .validateEvery(10)
                .checkpointEvery(10)
                .build());

        assertEquals("SUCCEEDED", fixtures.awaitFinal(job, TIMEOUT), () -> error(job));
        assertEquals(
                LongStream.rangeClosed(1, 25).boxed().toList(),
                fixtures.numbers("SELECT step FROM loss_points WHERE job_id = ? ORDER BY step", job),
                "one loss point per step");
        assertEquals(
                20,
                fixtures.number(
                        "SELECT count(*) FROM loss_points WHERE job_id = ? AND phase = 'pretrain' AND d_loss IS NULL",
                        job));
        assertEquals(
                5,
                fixtures.number(
                        "SELECT count(*) FROM loss_points WHERE job_id = ? AND phase = 'gan' AND d_loss IS NOT NULL AND step > 20",
                        job));
        assertEquals(
                List.of(0L, 10L, 20L, 25L),
                fixtures.numbers("SELECT step FROM validation_metrics WHERE job_id = ? ORDER BY step", job));
        assertEquals(
                4,
                fixtures.number("SELECT count(*) FROM sample_images WHERE job_id = ?", job),
                "one sample per validation");
        assertEquals(
                4,
                fixtures.number(
                        "SELECT count(*) FROM validation_metrics WHERE job_id = ? AND niqe > 0 AND bicubic_niqe > 0",
                        job),
                "NIQE of the generator and of bicubic at every validation");
        assertEquals(
                1,
                fixtures.number("SELECT count(DISTINCT bicubic_niqe) FROM validation_metrics WHERE job_id = ?", job),
                "bicubic's NIQE is measured once");
        assertEquals(
                List.of(10L, 20L, 25L),
                fixtures.numbers("SELECT step FROM checkpoints WHERE job_id = ? ORDER BY step", job));
        assertEquals(25, fixtures.number("SELECT current_step FROM training_runs WHERE job_id = ?", job));
        assertEquals("pixel-mse", fixtures.text("SELECT content_loss FROM training_runs WHERE job_id = ?", job));
        assertEquals("1.0", fixtures.text("SELECT progress FROM jobs WHERE id = ?", job));

        UUID last = (UUID) fixtures.value("SELECT blob_id FROM checkpoints WHERE job_id = ? AND step = 25", job);
        Checkpoint checkpoint = Checkpoint.read(new ByteArrayInputStream(fixtures.readBlob(last)));
        assertEquals(25, checkpoint.step());
        assertEquals(
                fixtures.number("SELECT size_bytes FROM checkpoints WHERE job_id = ? AND step = 25", job),
                fixtures.readBlob(last).length);

        // retention: the two newest stay full (resumable); the older one keeps only its generator
        assertEquals(
                List.of(10L),
                fixtures.numbers(
                        "SELECT k.step FROM checkpoints k JOIN blobs b ON b.id = k.blob_id "
                                + "WHERE k.job_id = ? AND b.content_type = ? ORDER BY k.step",
                        job,
                        CheckpointRetention.MODEL_ONLY));
        UUID reducedBlob = (UUID) fixtures.value("SELECT blob_id FROM checkpoints WHERE job_id = ? AND step = 10", job);
        byte[] reduced = fixtures.readBlob(reducedBlob);
        Checkpoint model = Checkpoint.read(new ByteArrayInputStream(reduced));
        assertTrue(model.isGeneratorOnly());
        assertEquals(10, model.step());
        assertTrue(reduced.length * 3 < fixtures.readBlob(last).length, "the reduced checkpoint is much smaller");
        assertEquals(
                reduced.length,
                fixtures.number("SELECT size_bytes FROM checkpoints WHERE job_id = ? AND step = 10", job));
    }

    /**
     * Fine-tuning: a run submitted with a base model starts from that model's generator, grown to
     * the run's depth. Before its first step it upscales exactly as the model does, so its step-0
     * validation equals the base run's last one, not a random generator's.
     */
    @Test
    void aRunWithABaseModelStartsFromThatModelsGenerator() throws Exception {
        UUID dataset = fixtures.dataset(datasetZip(), IMAGES);
        UUID baseRun = fixtures.trainingJob(
                tiny().pretrainSteps(10)
                        .ganSteps(0)
                        .validateEvery(10)
                        .checkpointEvery(10)
                        .build(),
                dataset);
        fixtures.publish(baseRun, JobType.TRAINING, 1);
        assertEquals("SUCCEEDED", fixtures.awaitFinal(baseRun, TIMEOUT), () -> error(baseRun));
        UUID model = UUID.randomUUID();
        fixtures.exec(
                "INSERT INTO models (id, name, format, scale, residual_blocks, source, blob_id) "
                        + "SELECT ?, 'tiny base', 'CHECKPOINT', 2, 1, 'test', blob_id FROM checkpoints WHERE job_id = ? AND step = 10",
                model,
                baseRun);

        // one residual block more than the model: the added block starts as an identity
        UUID fineTuned = fixtures.trainingJob(
                tiny().residualBlocks(2)
                        .pretrainSteps(3)
                        .ganSteps(0)
                        .validateEvery(100)
                        .checkpointEvery(100)
                        .build(),
                dataset,
                model,
                "tiny base");
        fixtures.publish(fineTuned, JobType.TRAINING, 1);
        assertEquals("SUCCEEDED", fixtures.awaitFinal(fineTuned, TIMEOUT), () -> error(fineTuned));

        String psnr = "SELECT psnr FROM validation_metrics WHERE job_id = ? AND step = ?";
        double base = (Double) fixtures.value(psnr, baseRun, 10);
        double random = (Double) fixtures.value(psnr, baseRun, 0);
        double start = (Double) fixtures.value(psnr, fineTuned, 0);
        assertEquals(base, start, 1e-9, "step 0 of the fine-tuned run upscales as the model does");
        assertTrue(
                Math.abs(base - random) > 0.01,
                "the base run learned something in 10 steps: " + random + " -> " + base);
        assertEquals(
                LongStream.rangeClosed(1, 3).boxed().toList(),
                fixtures.numbers("SELECT step FROM loss_points WHERE job_id = ? ORDER BY step", fineTuned),
                "its own steps count from 1");

        // the model was deleted after submission, before the run stored a checkpoint: nothing to start from
        UUID orphan =
                fixtures.trainingJob(tiny().pretrainSteps(3).ganSteps(0).build(), dataset, null, "a deleted model");
        fixtures.publish(orphan, JobType.TRAINING, 1);
        assertEquals("FAILED", fixtures.awaitFinal(orphan, TIMEOUT));
        assertEquals(
                "model 'a deleted model', which the run starts from, has been deleted and the run stored no checkpoint"
                        + " to resume from; submit it again with another baseModelId",
                fixtures.text("SELECT error FROM jobs WHERE id = ?", orphan));
        assertEquals(1, fixtures.number("SELECT attempts FROM jobs WHERE id = ?", orphan), "a permanent failure");
    }

    @Test
    void cancellingTrainingKeepsItsCheckpointsAndLossesAndItsLeaseIsRenewedMeanwhile() throws Exception {
        UUID job = submit(tiny().pretrainSteps(100_000)
                .ganSteps(0)
                .validateEvery(1000)
                .checkpointEvery(5)
                .build());
        fixtures.await("a first checkpoint", TIMEOUT, "SELECT count(*) > 0 FROM checkpoints WHERE job_id = ?", job);

        Timestamp lease = (Timestamp) fixtures.value("SELECT lease_expires_at FROM jobs WHERE id = ?", job);
        fixtures.await(
                "the heartbeat to renew the lease",
                Duration.ofSeconds(10),
                "SELECT lease_expires_at > ? FROM jobs WHERE id = ? AND status = 'RUNNING'",
                lease,
                job);

        fixtures.exec("UPDATE jobs SET cancel_requested = true WHERE id = ?", job);

        assertEquals("CANCELLED", fixtures.awaitFinal(job, Duration.ofSeconds(30)));
        long lastStep = fixtures.number("SELECT max(step) FROM checkpoints WHERE job_id = ?", job);
        assertTrue(
                fixtures.number("SELECT count(*) FROM checkpoints WHERE job_id = ?", job) >= 2,
                "periodic checkpoints and the one at the cancel");
        assertEquals(
                LongStream.rangeClosed(1, lastStep).boxed().toList(),
                fixtures.numbers("SELECT step FROM loss_points WHERE job_id = ? ORDER BY step", job),
                "every step up to the last checkpoint is kept, none after it");
        assertEquals(lastStep, fixtures.number("SELECT current_step FROM training_runs WHERE job_id = ?", job));
        assertEquals(null, fixtures.value("SELECT lease_expires_at FROM jobs WHERE id = ?", job));
    }

    @Test
    void jobQueuedAgainAfterACheckpointResumesFromIt() throws Exception {
        TrainingConfig config = tiny().pretrainSteps(12)
                .ganSteps(3)
                .validateEvery(100)
                .checkpointEvery(100)
                .build();
        UUID job = fixtures.trainingJob(config, fixtures.dataset(datasetZip(), IMAGES));

        // What a worker that died after step 9 leaves behind: a checkpoint at step 6, and losses
        // and a validation it recorded after that checkpoint (marked -1 here to tell them apart).
        byte[] checkpoint;
        try (TrainingRun run = TrainingRun.builder(config)
                .trainingImages(images().subList(0, 3))
                .build()) {
            for (int i = 0; i < 6; i++) {
                run.step();
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            run.checkpoint().write(out);
            checkpoint = out.toByteArray();
        }
        UUID blob = fixtures.blob(checkpoint, "application/zip");
        fixtures.exec(
                "INSERT INTO checkpoints (id, job_id, step, blob_id, size_bytes) VALUES (?, ?, 6, ?, ?)",
                UUID.randomUUID(),
                job,
                blob,
                (long) checkpoint.length);
        for (int step = 1; step <= 9; step++) {
            fixtures.exec(
                    "INSERT INTO loss_points (job_id, step, phase, g_loss, content_loss, seconds_per_step) VALUES (?, ?, 'pretrain', 1, 1, -1)",
                    job,
                    step);
        }
        fixtures.exec(
                "INSERT INTO validation_metrics (job_id, step, psnr, ssim, bicubic_psnr, bicubic_ssim) VALUES (?, 0, -1, 0, 0, 0), (?, 8, -1, 0, 0, 0)",
                job,
                job);
        fixtures.exec("UPDATE jobs SET attempts = 1 WHERE id = ?", job);
        fixtures.publish(job, JobType.TRAINING, 2);

        assertEquals("SUCCEEDED", fixtures.awaitFinal(job, TIMEOUT), () -> error(job));
        assertEquals(
                LongStream.rangeClosed(1, 15).boxed().toList(),
                fixtures.numbers("SELECT step FROM loss_points WHERE job_id = ? ORDER BY step", job),
                "each step once");
        assertEquals(
                LongStream.rangeClosed(1, 6).boxed().toList(),
                fixtures.numbers(
                        "SELECT step FROM loss_points WHERE job_id = ? AND seconds_per_step = -1 ORDER BY step", job),
                "steps up to the checkpoint are kept");
        assertEquals(
                7,
                fixtures.number("SELECT min(step) FROM loss_points WHERE job_id = ? AND seconds_per_step >= 0", job),
                "the first step computed after the resume is the checkpoint's step + 1");
        assertEquals(
                List.of(0L, 12L, 15L),
                fixtures.numbers("SELECT step FROM validation_metrics WHERE job_id = ? ORDER BY step", job));
        assertEquals(
                List.of(6L, 15L), fixtures.numbers("SELECT step FROM checkpoints WHERE job_id = ? ORDER BY step", job));
        assertEquals(15, fixtures.number("SELECT current_step FROM training_runs WHERE job_id = ?", job));
        assertEquals(2, fixtures.number("SELECT attempts FROM jobs WHERE id = ?", job));
    }

    @Test
    void aSucceededRunExtendedWithMoreStepsContinuesAsTheLongerRunWould() throws Exception {
        TrainingConfig config = tiny().pretrainSteps(6)
                .ganSteps(3)
                .validateEvery(100)
                .checkpointEvery(100)
                .build();
        TrainingConfig longer = config.extendedTo(null, 7, 9);
        UUID dataset = fixtures.dataset(datasetZip(), IMAGES);
        UUID whole = fixtures.trainingJob(longer, dataset);
        fixtures.publish(whole, JobType.TRAINING, 1);
        UUID job = fixtures.trainingJob(config, dataset);
        fixtures.publish(job, JobType.TRAINING, 1);
        assertEquals("SUCCEEDED", fixtures.awaitFinal(whole, TIMEOUT), () -> error(whole));
        assertEquals("SUCCEEDED", fixtures.awaitFinal(job, TIMEOUT), () -> error(job));

        // what POST /api/jobs/{id}/extend writes (JobStore.extend in api-core)
        try (java.sql.Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (java.sql.PreparedStatement ps = c.prepareStatement(
                    "UPDATE training_runs SET config = ?::jsonb, total_steps = ? WHERE job_id = ?")) {
                ps.setString(1, longer.toJson());
                ps.setInt(2, longer.totalSteps());
                ps.setObject(3, job);
                ps.executeUpdate();
            }
            jobTable.extend(
                    c,
                    job,
                    JobType.TRAINING,
                    dev.srgan.domain.jobs.JobStatus.SUCCEEDED,
                    longer.toJson(),
                    9.0 / 13,
                    "to 6 + 7 steps",
                    "test");
            c.commit();
        }
        fixtures.publish(job, JobType.TRAINING, 1);
        assertEquals("SUCCEEDED", fixtures.awaitFinal(job, TIMEOUT), () -> error(job));

        assertEquals(
                LongStream.rangeClosed(1, 13).boxed().toList(),
                fixtures.numbers("SELECT step FROM loss_points WHERE job_id = ? ORDER BY step", job),
                "each step once: the extension went on from step 10");
        for (long step = 10; step <= 13; step++) {
            double expected = ((Number)
                            fixtures.value("SELECT g_loss FROM loss_points WHERE job_id = ? AND step = ?", whole, step))
                    .doubleValue();
            double extended = ((Number)
                            fixtures.value("SELECT g_loss FROM loss_points WHERE job_id = ? AND step = ?", job, step))
                    .doubleValue();
            assertEquals(expected, extended, 1e-4 * Math.max(1, Math.abs(expected)), "step " + step);
        }
        assertEquals(
                List.of(0L, 6L, 9L, 13L),
                fixtures.numbers("SELECT step FROM validation_metrics WHERE job_id = ? ORDER BY step", job),
                "the first end's validation stays, and the new end has its own");
        assertEquals(
                List.of(9L, 13L), fixtures.numbers("SELECT step FROM checkpoints WHERE job_id = ? ORDER BY step", job));
        assertEquals(13, fixtures.number("SELECT current_step FROM training_runs WHERE job_id = ?", job));
        assertTrue(fixtures.text("SELECT string_agg(message, ' | ' ORDER BY id) FROM job_events WHERE job_id = ?", job)
                .contains("extended to 6 + 7 steps by test"));
    }

    @Test
    void aRunWithAValidationDatasetValidatesOnItAndTrainsOnAllOfItsOwn() throws Exception {
        TrainingConfig config = tiny().pretrainSteps(3)
                .ganSteps(0)
                .validateEvery(100)
                .checkpointEvery(100)
                .build();
        // three small training photos (a held-out one would be too small for NIQE) and one large
        // validation photo in a dataset of its own
        byte[] training = zipOf(images().subList(0, 3));
        byte[] validation = zipOf(images().subList(3, 4));
        UUID job = fixtures.trainingJob(config, fixtures.dataset(training, 3));
        UUID validationDataset = fixtures.dataset(validation, 1);
        fixtures.exec(
                "UPDATE training_runs SET validation_dataset_id = ?, validation_dataset_name = 'eval' WHERE job_id = ?",
                validationDataset,
                job);
        fixtures.publish(job, JobType.TRAINING, 1);
        assertEquals("SUCCEEDED", fixtures.awaitFinal(job, TIMEOUT), () -> error(job));
        assertEquals(
                2,
                fixtures.number(
                        "SELECT count(*) FROM validation_metrics WHERE job_id = ? AND niqe > 0 AND bicubic_niqe > 0",
                        job),
                "both validations measured the 200x198 photo of the validation dataset, large enough for NIQE");

        // a run whose validation dataset is gone fails for good, saying so
        UUID orphan = fixtures.trainingJob(config, fixtures.dataset(training, 3));
        fixtures.exec(
                "UPDATE training_runs SET validation_dataset_id = NULL, validation_dataset_name = 'gone' WHERE job_id = ?",
                orphan);
        fixtures.publish(orphan, JobType.TRAINING, 1);
        assertEquals("FAILED", fixtures.awaitFinal(orphan, TIMEOUT));
        assertEquals(
                "the run's validation dataset 'gone' has been deleted",
                fixtures.text("SELECT error FROM jobs WHERE id = ?", orphan));
    }

    private static byte[] zipOf(List<java.awt.image.BufferedImage> images) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (int i = 0; i < images.size(); i++) {
                zip.putNextEntry(new ZipEntry("img-" + i + ".png"));
                zip.write(JobFixtures.png(images.get(i)));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    @Test
    void datasetWithAnEntryOutsideItsFolderFailsBeforeTraining() throws Exception {
        UUID job = fixtures.trainingJob(
                tiny().pretrainSteps(5).ganSteps(0).build(), fixtures.dataset(datasetZip("../escape.png"), IMAGES + 1));
        fixtures.publish(job, JobType.TRAINING, 1);

        assertEquals("FAILED", fixtures.awaitFinal(job, TIMEOUT));
        assertEquals(1, fixtures.number("SELECT attempts FROM jobs WHERE id = ?", job));
        assertEquals(
                "the dataset holds an entry with an unsafe path: ../escape.png",
                fixtures.text("SELECT error FROM jobs WHERE id = ?", job));
        assertEquals(0, fixtures.number("SELECT count(*) FROM loss_points WHERE job_id = ?", job));
    }

    @Test
    void anImageSmallerThanTheCropFailsTheRunForGoodNamingTheImage() throws Exception {
        // the api refuses this since it measures datasets; a dataset stored before that reaches the worker
        UUID job = fixtures.trainingJob(
                tiny().hrCropSize(44).pretrainSteps(5).ganSteps(0).build(), fixtures.dataset(datasetZip(), IMAGES));
        fixtures.publish(job, JobType.TRAINING, 1);

        assertEquals("FAILED", fixtures.awaitFinal(job, TIMEOUT));
        assertEquals(1, fixtures.number("SELECT attempts FROM jobs WHERE id = ?", job));
        assertEquals(
                "the dataset image 'photos/img-0.png' is 48x40, smaller than hrCropSize 44; train with a smaller"
                        + " hrCropSize or without that image",
                fixtures.text("SELECT error FROM jobs WHERE id = ?", job));
    }

    private String error(UUID job) {
        try {
            return "error: " + fixtures.text("SELECT error FROM jobs WHERE id = ?", job);
        } catch (Exception e) {
            return e.getMessage();
        }
    }
}
