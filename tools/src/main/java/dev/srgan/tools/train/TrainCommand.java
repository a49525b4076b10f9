package dev.srgan.tools.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.srgan.domain.datasets.ValidationSplit;
import dev.srgan.networks.checkpoint.Checkpoint;
import dev.srgan.networks.training.LossRecord;
import dev.srgan.networks.training.TrainingConfig;
import dev.srgan.networks.training.TrainingListener;
import dev.srgan.networks.training.TrainingRun;
import dev.srgan.networks.training.ValidationRecord;
import dev.srgan.tools.AtomicFiles;
import dev.srgan.tools.ImageFolder;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * {@code ./srgan train --config FILE --images DIR [--validation DIR] --out DIR [--resume FILE]}:
 * the training loop of a TRAINING job, run locally on a folder of photos. It writes
 * {@code checkpoint.srgan.zip} (full state, every {@code checkpointEvery} steps, replaced
 * atomically, so an interrupted run resumes with {@code --resume}; with {@code --config} too, the run
 * continues under the new step counts and schedule), {@code model.srgan.zip} (the
 * exported generator) at the end, and {@code losses.csv} / {@code validation.csv} (PSNR and SSIM
 * of the generator and of bicubic, then their NIQE, empty where no validation image is at least
 * 192x192 after the border). Without {@code --validation} it holds out the last tenth of the
 * images by name (at least one) and validates on them, as a cluster run does without a validation
 * dataset ({@link ValidationSplit}).
 */
public final class TrainCommand {
    private TrainCommand() {}

    public static void main(String[] args) {
        try {
            run(args);
        } catch (IllegalArgumentException e) {
            System.err.println("srgan train: " + e.getMessage());
            System.exit(2);
        } catch (IOException e) {
            System.err.println("srgan train: " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * A config file's JSON with the defaults of a run that starts from a trained generator ({@code
     * --init-generator}): {@code freezeBatchNorm} true unless the file sets it, as for a run the api
     * starts from a model.
     */
    static String fineTuningDefaults(String configJson, boolean fromGenerator) throws IOException {
        if (!fromGenerator) {
            return configJson;
        }
        ObjectMapper json = new ObjectMapper();
        JsonNode node;
        try {
            node = json.readTree(configJson);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("invalid training config: " + e.getOriginalMessage(), e);
        }
        if (node instanceof ObjectNode object && !object.has("freezeBatchNorm")) {
            object.put("freezeBatchNorm", true);
            return json.writeValueAsString(object);
        }
        return configJson;
    }

    static void run(String[] args) throws IOException {
        Path config = null;
        Path images = null;
        Path validation = null;
        Path out = null;
        Path resume = null;
        Path initGenerator = null;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            Path v = Path.of(args[i + 1]);
            switch (args[i]) {
                case "--config" -> config = v;
                case "--images" -> images = v;
                case "--validation" -> validation = v;
                case "--out" -> out = v;
                case "--resume" -> resume = v;
                case "--init-generator" -> initGenerator = v;
                default ->
                    throw new IllegalArgumentException(
                            "unknown option " + args[i]
                                    + "; usage: ./srgan train --config FILE --images DIR [--validation DIR] --out DIR [--resume FILE | --init-generator MODEL]");
            }
        }
        if ((config == null && resume == null) || images == null || out == null) {
            throw new IllegalArgumentException(
                    "usage: ./srgan train --config FILE --images DIR [--validation DIR] --out DIR [--resume FILE | --init-generator MODEL]");
        }
        List<Path> found = imagesIn(images);
        List<Path> val = validation != null ? imagesIn(validation) : heldOut(found);
        List<Path> train = validation != null || found.size() < 2 ? found : found.subList(0, found.size() - val.size());
        Files.createDirectories(out);
        Path outDir = out;
        TrainingRun.Builder builder;
        if (resume != null) {
            Checkpoint cp;
            try (InputStream in = Files.newInputStream(resume)) {
                cp = Checkpoint.read(in);
            }
            if (config != null) {
                // continue with new step counts or schedule; the network itself must stay the same
                TrainingConfig next = TrainingConfig.fromJson(Files.readString(config));
                if (next.scale() != cp.config().scale()
                        || next.residualBlocks() != cp.config().residualBlocks()) {
                    throw new IllegalArgumentException(
                            "--config changes the network (scale/residualBlocks) of the checkpoint it resumes");
                }
                cp = new Checkpoint(
                        next,
                        cp.step(),
                        cp.rngState(),
                        cp.contentLoss(),
                        cp.createdAt(),
                        cp.generatorParameters(),
                        cp.discriminatorParameters(),
                        cp.generatorEmaParameters(),
                        cp.generatorOptimizerState(),
                        cp.discriminatorOptimizerState());
            }
            builder = TrainingRun.resume(cp);
        } else {
            builder = TrainingRun.builder(
                    TrainingConfig.fromJson(fineTuningDefaults(Files.readString(config), initGenerator != null)));
            if (initGenerator != null) {
                try (InputStream in = Files.newInputStream(initGenerator)) {
                    builder.initialGenerator(Checkpoint.read(in));
                }
            }
        }
        if (initGenerator != null && resume != null) {
            throw new IllegalArgumentException(
                    "--init-generator starts a new run; a resumed run keeps its own generator");
        }
        // a run resumed into a validation.csv written before NIQE was measured keeps that file's columns
        boolean niqeColumns = resume == null || !hasOldValidationHeader(out.resolve("validation.csv"));
        try (TrainingRun run = builder.trainingFiles(train).validationFiles(val).build();
                PrintWriter losses = csv(out.resolve("losses.csv"), resume != null);
                PrintWriter metrics = csv(out.resolve("validation.csv"), resume != null)) {
            TrainingConfig c = run.config();
            long total = (long) c.pretrainSteps() + c.ganSteps();
            System.out.printf(
                    Locale.ROOT,
                    "training %dx, %d residual blocks, %d images, %d for validation%s, %d steps from step %d, content loss %s%s%s%n",
                    c.scale(),
                    c.residualBlocks(),
                    train.size(),
                    val.size(),
                    validation != null ? "" : found.size() < 2 ? " (the same image)" : " (held out: the last by name)",
                    total,
                    run.currentStep(),
                    run.contentLoss(),
                    c.freezeBatchNorm() ? ", BatchNorm statistics kept" : "",
                    c.isDegraded() ? ", inputs degraded: " + c.degradationText() : "");
            if (resume == null) {
                metrics.println("step,phase,psnr,ssim,bicubic_psnr,bicubic_ssim,niqe,bicubic_niqe");
                losses.println(
                        "step,phase,d_loss,g_loss,content_loss,adversarial_loss,d_real,d_fake,lr_g,lr_d,seconds_per_step");
            }
            Checkpoint[] last = new Checkpoint[1];
            run.run(new TrainingListener() {
                @Override
                public void onStep(LossRecord r) {
                    losses.printf(
                            Locale.ROOT,
                            "%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%.4f%n",
                            r.step(),
                            r.phase(),
                            cell(r.dLoss()),
                            cell(r.gLoss()),
                            cell(r.contentLoss()),
                            cell(r.adversarialLoss()),
                            cell(r.dReal()),
                            cell(r.dFake()),
                            cell(r.lrG()),
                            cell(r.lrD()),
                            r.secondsPerStep());
                    if (r.step() % 50 == 0) {
                        losses.flush();
                        System.out.printf(
                                Locale.ROOT,
                                "step %6d/%d %-8s content %.5f%s  %.2f s/step%n",
                                r.step(),
                                total,
                                r.phase(),
                                r.contentLoss(),
                                r.dLoss() == null
                                        ? ""
                                        : String.format(
                                                Locale.ROOT,
                                                "  d %.4f  adv %.4f  D(HR) %.3f  D(G(LR)) %.3f",
                                                r.dLoss(),
                                                r.adversarialLoss(),
                                                r.dReal(),
                                                r.dFake()),
                                r.secondsPerStep());
                    }
                }

                @Override
                public void onValidation(ValidationRecord v) {
                    metrics.printf(
                            Locale.ROOT,
                            "%d,%s,%.4f,%.5f,%.4f,%.5f",
                            v.step(),
                            v.phase(),
                            v.psnr(),
                            v.ssim(),
                            v.bicubicPsnr(),
                            v.bicubicSsim());
                    if (niqeColumns) {
                        metrics.printf(Locale.ROOT, ",%s,%s", csvNumber(v.niqe()), csvNumber(v.bicubicNiqe()));
                    }
                    metrics.println();
                    metrics.flush();
                    System.out.printf(
                            Locale.ROOT,
                            "validation at step %d: PSNR %.2f dB (bicubic %.2f, %+.2f), SSIM %.4f (bicubic %.4f)%s%n",
                            v.step(),
                            v.psnr(),
                            v.bicubicPsnr(),
                            v.psnr() - v.bicubicPsnr(),
                            v.ssim(),
                            v.bicubicSsim(),
                            v.niqe() == null || v.bicubicNiqe() == null
                                    ? ""
                                    : String.format(
                                            Locale.ROOT,
                                            ", NIQE %.2f (bicubic %.2f, lower is more natural)",
                                            v.niqe(),
                                            v.bicubicNiqe()));
                }

                @Override
                public void onCheckpoint(Checkpoint checkpoint) {
                    last[0] = checkpoint;
                    try {
                        atomicWrite(outDir.resolve("checkpoint.srgan.zip"), checkpoint);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            });
            Checkpoint finalCheckpoint = run.checkpoint();
            atomicWrite(out.resolve("checkpoint.srgan.zip"), finalCheckpoint);
            atomicWrite(out.resolve("model.srgan.zip"), finalCheckpoint.generatorOnly());
            System.out.println("wrote " + out.resolve("model.srgan.zip") + " (exported generator) and "
                    + out.resolve("checkpoint.srgan.zip"));
        }
    }

    /**
     * A loss cell: every digit, empty when the step did not record it (D's losses in pre-training),
     * as {@code GET /api/jobs/{id}/losses.csv} writes it.
     */
    static String cell(Double value) {
        return value == null ? "" : value.toString();
    }

    /** A NIQE cell: 4 decimals, empty when no validation image could be scored. */
    static String csvNumber(Double value) {
        return value == null ? "" : String.format(Locale.ROOT, "%.4f", value);
    }

    /** Whether {@code file} exists with a header from before the NIQE columns. */
    static boolean hasOldValidationHeader(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (Stream<String> lines = Files.lines(file)) {
            return lines.findFirst()
                    .map(header -> header.startsWith("step,") && !header.contains(",niqe"))
                    .orElse(false);
        }
    }

    /** A fresh CSV for a new run; appended to when resuming. */
    private static PrintWriter csv(Path file, boolean append) throws IOException {
        return new PrintWriter(
                append
                        ? Files.newBufferedWriter(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)
                        : Files.newBufferedWriter(file));
    }

    static void atomicWrite(Path target, Checkpoint checkpoint) throws IOException {
        AtomicFiles.write(target, checkpoint::write);
    }

    /** The images a run without a validation folder validates on: the last tenth by name, at least one. */
    static List<Path> heldOut(List<Path> images) {
        return images.subList(images.size() - ValidationSplit.heldOut(images.size()), images.size());
    }

    static List<Path> imagesIn(Path dir) throws IOException {
        return ImageFolder.images(dir);
    }
}
