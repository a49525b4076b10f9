package dev.srgan.systemtests;

import static dev.srgan.systemtests.Cluster.form;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.ColorScheme;
import com.microsoft.playwright.options.FilePayload;
import com.microsoft.playwright.options.WaitForSelectorState;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The dashboard in a real browser (Debian's headless Chromium driven by Playwright) against the
 * packaged api and one worker: an upscale submitted through the page runs to its comparison, a
 * small training run draws its charts and its checkpoint downloads, three photos picked at once
 * run as a batch whose zip downloads, an output scale and JPEG chosen in the form give a JPEG of
 * that size, a pasted link to an image is fetched by the server and upscaled, every form shows a readable message for bad input while keeping what was typed, and every
 * page passes axe-core's WCAG 2.1 AA checks in the light and the dark colour scheme. Screenshots of each page go to
 * {@code system-tests/target/screenshots/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final double LONG_WAIT_MS = 240_000;

    static Cluster cluster;

    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension(1, c -> cluster = c);

    static Playwright playwright;
    static BrowserContext browser;
    static Page page;
    static Path screenshots;
    static Path profile;

    @BeforeAll
    static void start() throws Exception {
        Path model = cluster.home.resolve("networks/src/test/resources/torchscript/seed-generator-x2.pt");
        HttpResponse<String> r = cluster.postMultipart(
                "/api/models",
                form(
                        "file",
                        new Cluster.FilePart(
                                "seed-generator-x2.pt", Files.readAllBytes(model), "application/octet-stream"),
                        "name",
                        "seed x2",
                        "scale",
                        "2",
                        "makeDefault",
                        "true"));
        assertEquals(201, r.statusCode(), r.body());

        screenshots = cluster.home.resolve("system-tests/target/screenshots");
        Files.createDirectories(screenshots);
        playwright = Playwright.create(
                new Playwright.CreateOptions().setEnv(java.util.Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        profile = Files.createTempDirectory("srgan-chromium");
        browser = playwright
                .chromium()
                .launchPersistentContext(
                        profile,
                        new BrowserType.LaunchPersistentContextOptions()
                                .setExecutablePath(CHROMIUM)
                                .setHeadless(true)
                                .setAcceptDownloads(true)
                                .setViewportSize(1280, 900)
                                .setArgs(List.of(
                                        "--no-sandbox",
                                        "--disable-gpu",
                                        "--disable-background-networking",
                                        "--disable-component-update",
                                        "--disable-sync",
                                        "--no-first-run")));
        page = browser.pages().isEmpty() ? browser.newPage() : browser.pages().get(0);
        page.setDefaultTimeout(30_000);
        signIn();
    }

    /** Through the login page, as a person would: paste the admin token; the session cookie does the rest. */
    static void signIn() {
        page.navigate(cluster.url("/upscale").toString());
        page.waitForURL("**/login**");
        page.fill("#token", Cluster.ADMIN_TOKEN);
        page.click("#sign-in");
        page.waitForURL("**/upscale");
        assertTrue(
                browser.cookies().stream().anyMatch(c -> c.name.equals("srgan_session") && c.httpOnly),
                "an HttpOnly session cookie");
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (playwright != null) {
            playwright.close();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(f -> f.toFile().delete());
            } catch (java.io.IOException e) {
                // a leftover temporary profile harms nothing
            }
        }
    }

    static void open(String path) {
        page.navigate(cluster.url(path).toString());
    }

    static void screenshot(String name) {
        page.screenshot(new Page.ScreenshotOptions()
                .setPath(screenshots.resolve(name + ".png"))
                .setFullPage(true));
    }

    /** The message under a field: the one shown, where two forms of a page have a field of that name. */
    static String fieldError(String field) {
        Locator error = page.locator(".field[data-field=\"" + field + "\"] .error:not(:empty)");
        error.waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.VISIBLE));
        return error.textContent();
    }

    @Test
    @Order(1)
    void upscaleSubmittedInThePageRunsAndIsComparedWithoutAReload() throws Exception {
        open("/upscale");
        // picking SRGAN-MSE says what it trades: sharper texture, lower PSNR
        String gan = (String)
                page.evaluate(
                        "() => [...document.querySelectorAll('#modelId option')].find(o => o.textContent.startsWith('SRGAN-MSE 4x (4×')).value");
        page.selectOption("#modelId", gan);
        assertTrue(
                page.textContent("#model-note").startsWith("Sharper texture, lower PSNR"),
                page.textContent("#model-note"));
        page.selectOption("#modelId", "");
        assertEquals("", page.textContent("#model-note"), "the default for the scale needs no note");
        // the browser refuses what is not an image before uploading
        page.setInputFiles(
                "#image", new FilePayload("notes.txt", "text/plain", "hello".getBytes(StandardCharsets.UTF_8)));
        assertTrue(fieldError("image").contains("not a PNG, JPEG, WebP or TIFF"), fieldError("image"));
        // the server refuses an image in another format, whatever its name says
        page.setInputFiles("#image", new FilePayload("disguised.png", "image/png", gif()));
        page.selectOption("#scale", "2");
        page.click("#submit");
        page.waitForFunction(
                "() => document.querySelector('.field[data-field=image] .error').textContent.includes('only PNG, JPEG, WebP and TIFF')");
        assertEquals("2", page.inputValue("#scale"), "the chosen scale is kept");
        screenshot("upscale-bad-input");

        page.evaluate("() => { window.noReload = true; }");
        page.setInputFiles("#image", new FilePayload("gradient.png", "image/png", Images.png(48, 40, 3)));
        assertEquals("", page.locator(".field[data-field=image] .error").textContent());
        page.click("#submit");
        page.waitForSelector("#upscale-job", new Page.WaitForSelectorOptions().setTimeout(LONG_WAIT_MS));
        page.waitForSelector(
                "#upscale-job[data-status=SUCCEEDED]", new Page.WaitForSelectorOptions().setTimeout(LONG_WAIT_MS));
        assertEquals(Boolean.TRUE, page.evaluate("() => window.noReload === true"), "the page was never reloaded");
        assertTrue(page.url().matches(".*/upscale/[0-9a-f-]{36}$"), page.url());
        page.waitForFunction("() => document.getElementById('output-image').naturalWidth === 96");
        String facts = page.textContent("#result-facts");
        assertTrue(facts.contains("48×40") && facts.contains("96×80"), facts);
        screenshot("upscale-result");

        page.click("button[data-baseline=bicubic]");
        page.click("button[data-view=slider]");
        page.locator("#slider input[type=range]").fill("30");
        page.waitForFunction(
                "() => [...document.querySelectorAll('#slider img.baseline')].every(i => i.complete && i.naturalWidth === 96)");
        screenshot("upscale-slider");

        Download download = page.waitForDownload(() -> page.click("#download"));
        byte[] png = Files.readAllBytes(download.path());
        assertEquals(96, Images.read(png).getWidth());
        assertTrue(download.suggestedFilename().endsWith("-upscaled.png"), download.suggestedFilename());

        // a screenshot pasted with Ctrl+V is chosen as a dropped image would be, under a name of its own
        open("/upscale");
        page.evaluate("async () => {"
                + " const c = document.createElement('canvas'); c.width = 24; c.height = 20;"
                + " const g = c.getContext('2d'); g.fillStyle = '#3080c0'; g.fillRect(0, 0, 24, 20);"
                + " g.fillStyle = '#f0a020'; g.fillRect(6, 5, 12, 10);"
                + " const blob = await new Promise(r => c.toBlob(r, 'image/png'));"
                + " const dt = new DataTransfer(); dt.items.add(new File([blob], 'image.png', { type: 'image/png' }));"
                + " document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true })); }");
        page.waitForFunction("() => document.getElementById('drop-text').textContent.includes('24×20 px')");
        assertTrue(
                page.textContent("#drop-text").matches("(?s)pasted-\\d{8}-\\d{6}\\.png.*"),
                page.textContent("#drop-text"));
        page.selectOption("#scale", "2");
        page.click("#submit");
        page.waitForSelector(
                "#upscale-job[data-status=SUCCEEDED]", new Page.WaitForSelectorOptions().setTimeout(LONG_WAIT_MS));
        page.waitForFunction("() => document.getElementById('output-image').naturalWidth === 48");
    }

    @Test
    @Order(2)
    void overviewAndJobsShowTheClusterAndTheJob() {
        open("/");
        assertEquals("1", page.textContent("#workers-online").trim());
        assertTrue(page.textContent("#recent-jobs").contains("gradient.png"));
        assertTrue(page.textContent("#queues").contains("Upscale"));
        screenshot("overview");

        open("/jobs");
        page.selectOption("#type", "UPSCALE");
        page.waitForURL("**/jobs?type=UPSCALE**");
        assertTrue(page.textContent("#jobs-table").contains("Succeeded"));
        screenshot("jobs");
        page.click("#jobs-table tbody tr a");
        page.waitForURL("**/upscale/**");
        open("/jobs/" + page.url().substring(page.url().lastIndexOf('/') + 1));
        assertTrue(page.textContent("#job-events").contains("SUCCEEDED")
                || page.textContent("#job-events").contains("Succeeded"));
        screenshot("job");
    }

    @Test
    @Order(3)
    void trainingRunFromTheFormDrawsItsChartsAndItsCheckpointDownloads() throws Exception {
        open("/training");
        page.setInputFiles(
                "#dataset-file", new FilePayload("notes.txt", "text/plain", "x".getBytes(StandardCharsets.UTF_8)));
        assertTrue(fieldError("file").contains("neither a zip nor"), fieldError("file"));
        page.setInputFiles("#dataset-file", new FilePayload("photos.zip", "application/zip", Images.datasetZip(4, 48)));
        page.fill("#run-name", "browser test run");
        page.fill("#run-tags", "browser, first ,");
        page.selectOption("#hp-scale", "2");
        fill("residualBlocks", "0");
        fill("batchSize", "2");
        fill("hrCropSize", "24");
        fill("pretrainSteps", "30");
        fill("ganSteps", "10");
        fill("validateEvery", "10");
        fill("checkpointEvery", "10");
        page.click("#start-run");
        assertTrue(fieldError("residualBlocks").contains("residualBlocks must be"), fieldError("residualBlocks"));
        assertEquals("0", page.inputValue("#hp-residualBlocks"), "what the user typed stays");
        assertEquals("browser test run", page.inputValue("#run-name"));
        assertEquals("24", page.inputValue("#hp-hrCropSize"));
        screenshot("training-form-error");

        fill("residualBlocks", "1");
        page.click("#start-run");
        page.waitForURL("**/training/*-*-*-*-*");
        page.waitForFunction(
                "() => Number(document.getElementById('chart-status').dataset.points || 0) > 0",
                null,
                new Page.WaitForFunctionOptions().setTimeout(LONG_WAIT_MS));
        page.waitForSelector(
                "#run-summary[data-status=SUCCEEDED]", new Page.WaitForSelectorOptions().setTimeout(LONG_WAIT_MS));
        page.waitForFunction(
                "() => Number(document.getElementById('chart-status').dataset.points) === 40"
                        + " && window.srganCharts.gan.data.datasets[1].data.length > 0 && window.srganCharts.psnr.data.datasets[0].data.length > 0");
        page.waitForSelector("#checkpoints tr[data-step='40']");

        Download download = page.waitForDownload(
                () -> page.locator("#checkpoints tr[data-step='40'] a").click());
        byte[] checkpoint = Files.readAllBytes(download.path());
        assertTrue(
                checkpoint.length > 1000 && checkpoint[0] == 'P' && checkpoint[1] == 'K',
                "a zip of " + checkpoint.length + " bytes");
        assertTrue(download.suggestedFilename().endsWith("-step40.srgan.zip"), download.suggestedFilename());

        page.locator("#checkpoints tr[data-step='40'] button[data-use-checkpoint]")
                .click();
        page.waitForFunction("() => document.getElementById('flash').textContent.includes('Registered')");
        page.waitForTimeout(300);
        screenshot("training-run");

        // its tags from the form; its losses as the CSV ./srgan train writes
        assertEquals(
                java.util.List.of("browser", "first"),
                page.locator("#labels-view .tag").allTextContents());
        Download csv = page.waitForDownload(() -> page.click("#metrics-downloads a[href$='losses.csv']"));
        java.util.List<String> lines = Files.readAllLines(csv.path());
        assertEquals(
                "step,phase,d_loss,g_loss,content_loss,adversarial_loss,d_real,d_fake,lr_g,lr_d,seconds_per_step",
                lines.get(0));
        assertEquals(41, lines.size(), "a header and 40 steps");
        assertEquals("browser_test_run-losses.csv", csv.suggestedFilename());

        // tags and notes edited on the run page: a bad tag is refused at its field, then saved
        String runUrl = page.url();
        assertFalse(page.isVisible("#labels-form"), "a run with tags shows them, and the form on demand");
        page.click("#job-labels summary");
        page.fill("#label-tags", "browser, a;b");
        page.click("#save-labels");
        page.waitForFunction("() => document.querySelector('#labels-form .field[data-field=tags] .error')"
                + ".textContent.includes(\"tag 'a;b' must be\")");
        page.fill("#label-tags", "browser, keep");
        page.fill("#label-notes", "30 pre-training steps\nare enough here");
        page.waitForNavigation(() -> page.click("#save-labels"));
        assertEquals(runUrl, page.url());
        assertEquals(
                java.util.List.of("browser", "keep"),
                page.locator("#labels-view .tag").allTextContents());
        assertEquals("30 pre-training steps\nare enough here", page.textContent("#job-notes"));

        // train it longer: fewer GAN steps are refused at the field, more continue the run in place
        page.click("#extend-run summary");
        assertTrue(page.locator("#extend-pretrain").getAttribute("readonly") != null, "its GAN phase has begun");
        page.fill("#extend-gan", "5");
        page.click("#extend-submit");
        page.waitForFunction("() => document.querySelector('#extend-form .field[data-field=ganSteps] .error')"
                + ".textContent.includes(\"cannot be lowered below the run's 10\")");
        page.fill("#extend-gan", "15");
        page.waitForNavigation(() -> page.click("#extend-submit"));
        page.waitForSelector(
                "#run-summary[data-status=SUCCEEDED]", new Page.WaitForSelectorOptions().setTimeout(LONG_WAIT_MS));
        page.reload();
        page.waitForSelector("#checkpoints tr[data-step='45']");
        page.waitForFunction("() => Number(document.getElementById('chart-status').dataset.points) === 45");
        assertTrue(page.textContent("#run-summary").contains("45 steps"), page.textContent("#run-summary"));

        // run again with changes: the form starts from this run's settings
        page.click("#run-again");
        page.waitForSelector("#prefill-note");
        assertEquals("browser test run (again)", page.inputValue("#run-name"));
        assertEquals("browser, keep", page.inputValue("#run-tags"));
        assertEquals("2", page.inputValue("#hp-scale"));
        assertEquals("24", page.inputValue("#hp-hrCropSize"));
        assertEquals("15", page.inputValue("#hp-ganSteps"), "the totals it was extended to");
        assertFalse(page.inputValue("#datasetId").isEmpty(), "its dataset chosen");
        page.navigate(runUrl);
        page.locator("#labels-view .tag", new Page.LocatorOptions().setHasText("keep"))
                .click();
        page.waitForURL("**/training?tag=keep");
        assertEquals(1, page.locator("#runs tbody tr").count(), "the one run tagged keep");
        assertEquals(
                "browser test run", page.locator("#runs tbody tr a").first().textContent());

        open("/training");
        page.locator("#runs input[type=checkbox]").first().check();
        page.click("#compare-button");
        page.waitForURL("**/training/compare?id=**");
        page.waitForFunction("() => window.srganCharts && window.srganCharts.compare.data.datasets[0].data.length > 0");
        screenshot("training-compare");
        open("/training");
        screenshot("training");
    }

    @Test
    @Order(4)
    void workersAndModelsPages() throws Exception {
        open("/workers");
        assertTrue(page.textContent("#workers").contains("Online"));
        assertTrue(page.textContent("#workers").contains("cpu"));
        screenshot("workers");
        open("/models");
        String models = page.textContent("#models");
        assertTrue(models.contains("seed x2") && models.contains("browser test run @ step 40"), models);
        // compare by eye: the shipped models' crops of one photo, beside bicubic's and the original's, all loaded
        String compare = page.textContent("#compare");
        assertTrue(
                compare.contains("SRResNet 4x")
                        && compare.contains("SRGAN-MSE 4x")
                        && compare.contains("Bicubic")
                        && compare.contains("Original"),
                compare);
        for (int scale : new int[] {2, 4, 8}) {
            assertTrue(
                    page.locator(".comparison[data-scale='" + scale + "'] img").count() >= 3,
                    scale + "x has bicubic, a model and the original");
        }
        page.locator("#compare img").last().scrollIntoViewIfNeeded();
        page.waitForFunction(
                "() => [...document.querySelectorAll('#compare img')].every(i => i.complete && i.naturalWidth === 176)");
        screenshot("models");
        // the ONNX download of a shipped model: an ONNX ModelProto (ir_version 8 first)
        com.microsoft.playwright.Download download = page.waitForDownload(
                () -> page.locator("tr:has-text('SRResNet 8x') a.export-onnx").click());
        assertTrue(download.suggestedFilename().endsWith("-x8.onnx"), download.suggestedFilename());
        byte[] onnx = java.nio.file.Files.readAllBytes(download.path());
        assertTrue(
                onnx.length > 1_000_000 && onnx[0] == 0x08 && onnx[1] == 0x08,
                "an ONNX model of " + onnx.length + " bytes");

        // Evaluate a model from the page on inputs degraded as real photos are: a strength out of its
        // range is refused at its field; then the job runs, and the model's row says how its inputs were made
        page.click("#evaluate-model summary");
        page.selectOption(
                "#evaluate-modelId", new com.microsoft.playwright.options.SelectOption().setLabel("seed x2 (2×)"));
        page.fill("#evaluate-noiseSigma", "60");
        page.click("#evaluate-submit");
        assertTrue(fieldError("noiseSigma").contains("noiseSigma must be from 0 to 50"), fieldError("noiseSigma"));
        page.fill("#evaluate-noiseSigma", "5");
        page.fill("#evaluate-jpegQuality", "70");
        screenshot("models-evaluate");
        page.click("#evaluate-submit");
        page.waitForURL("**/jobs/**");
        for (long deadline = System.currentTimeMillis() + 120_000;
                !page.textContent("#job-status").trim().equals("Succeeded")
                        && System.currentTimeMillis() < deadline; ) {
            page.waitForTimeout(1000);
            page.reload();
        }
        assertEquals("Succeeded", page.textContent("#job-status").trim(), page.textContent("main"));
        open("/models");
        String evaluated = page.textContent("tr:has-text('seed x2')");
        assertTrue(evaluated.contains("inputs degraded: noise σ 5 levels, JPEG quality 70"), evaluated);
        screenshot("models-evaluated");

        // Fine-tune: the training form opens with the model as its starting point and its scale and depth
        page.locator("tr:has-text('SRResNet 8x') a.fine-tune").click();
        page.waitForURL("**/training?from=**");
        assertTrue(page.inputValue("#baseModelId").length() == 36, "a model is chosen");
        assertTrue(
                page.locator("#baseModelId option:checked").textContent().startsWith("SRResNet 8x"),
                page.locator("#baseModelId option:checked").textContent());
        assertEquals("8", page.inputValue("#hp-scale"));
        assertEquals("16", page.inputValue("#hp-residualBlocks"));
        assertEquals("0.00001", page.inputValue("#hp-learningRateG"), "a learning rate for fine-tuning");
        assertTrue(page.isChecked("#hp-freezeBatchNorm"), "the model's BatchNorm statistics are kept");
        String model = page.inputValue("#baseModelId");
        page.selectOption("#baseModelId", "");
        assertFalse(page.isChecked("#hp-freezeBatchNorm"), "random weights have no statistics to keep");
        page.selectOption("#hp-scale", "2");
        fill("residualBlocks", "4");
        page.selectOption("#baseModelId", model);
        assertEquals("8", page.inputValue("#hp-scale"), "the model's scale");
        assertEquals("16", page.inputValue("#hp-residualBlocks"), "at least the model's residual blocks");
        screenshot("training-fine-tune");
    }

    /**
     * Three photos picked at once on the Upscale page (a PNG, a JPEG and a WebP) are one batch: its
     * grid fills with their thumbnails as they finish, without a reload, and the zip downloads with
     * their three PNGs, named after the photos. Upscale without new files then runs the same photos
     * again as JPEGs (a new batch of copies), and deleting it leaves the first.
     */
    @Test
    @Order(5)
    void threePhotosPickedAtOnceRunAsABatchWhoseZipHoldsTheirPngs() throws Exception {
        open("/upscale");
        page.evaluate("() => { window.noReload = true; }");
        page.selectOption("#scale", "2");
        page.setInputFiles("#image", new FilePayload[] {
            new FilePayload("beach.png", "image/png", Images.png(40, 32, 21)),
            new FilePayload("dune.jpg", "image/jpeg", jpeg(Images.png(36, 28, 22))),
            new FilePayload(
                    "forest.webp",
                    "image/webp",
                    Files.readAllBytes(java.nio.file.Path.of("../domain/src/test/resources/webp/lossy.webp")))
        });
        assertTrue(page.textContent("#drop-text").contains("3 images"), page.textContent("#drop-text"));
        page.click("#submit");
        page.waitForSelector("#batch-job", new Page.WaitForSelectorOptions().setTimeout(LONG_WAIT_MS));
        assertTrue(page.url().matches(".*/upscale/[0-9a-f-]{36}$"), page.url());
        page.waitForSelector(
                "#batch-job[data-status=SUCCEEDED]", new Page.WaitForSelectorOptions().setTimeout(LONG_WAIT_MS));
        page.waitForFunction("() => [...document.querySelectorAll('#batch-grid img')].length === 3"
                + " && [...document.querySelectorAll('#batch-grid img')].every(i => i.complete && i.naturalWidth > 0)");
        assertEquals(Boolean.TRUE, page.evaluate("() => window.noReload === true"), "the page was never reloaded");
        assertTrue(page.textContent("#batch-progress").contains("3 of 3 done"), page.textContent("#batch-progress"));
        screenshot("upscale-batch");

        Download download = page.waitForDownload(() -> page.click("#download-zip"));
        assertTrue(download.suggestedFilename().endsWith("-x2.zip"), download.suggestedFilename());
        java.util.Map<String, Integer> widths = new java.util.TreeMap<>();
        try (java.util.zip.ZipInputStream in =
                new java.util.zip.ZipInputStream(Files.newInputStream(download.path()))) {
            for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null; ) {
                widths.put(e.getName(), Images.read(in.readAllBytes()).getWidth());
            }
        }
        assertEquals(java.util.Map.of("beach-x2.png", 80, "dune-x2.png", 72, "forest-x2.png", 128), widths);

        // the same photos again, as JPEGs: Upscale without new files runs the batch shown again,
        // the form starting from its settings (2x)
        String first = page.getAttribute("#batch-job", "data-job-id");
        assertTrue(
                page.textContent("#again-note").contains("the 3 images of this batch again"),
                page.textContent("#again-note"));
        assertEquals("2", page.inputValue("#scale"), "the form starts from the batch's settings");
        page.selectOption("#format", "jpeg");
        page.click("#submit");
        page.waitForSelector(
                "#batch-job:not([data-job-id='" + first + "'])[data-status=SUCCEEDED]",
                new Page.WaitForSelectorOptions().setTimeout(LONG_WAIT_MS));
        String again = page.getAttribute("#batch-job", "data-job-id");
        assertTrue(page.url().endsWith("/upscale/" + again), page.url());
        var made = cluster.get("/api/jobs/" + again);
        assertEquals(first, made.path("params").path("sourceJobId").asText());
        java.util.List<String> outputs = new java.util.ArrayList<>();
        made.path("batch")
                .path("images")
                .forEach(i -> outputs.add(i.path("output").asText()));
        assertEquals(java.util.List.of("beach-x2.jpg", "dune-x2.jpg", "forest-x2.jpg"), outputs);
        assertEquals(Boolean.TRUE, page.evaluate("() => window.noReload === true"), "the page was never reloaded");
        screenshot("upscale-batch-again");

        // the batch is deleted from its page, after a confirmation, with its images; the first stays
        String batchId = page.getAttribute("#batch-job", "data-job-id");
        String image = cluster.get("/api/jobs/" + batchId)
                .path("batch")
                .path("images")
                .get(0)
                .path("jobId")
                .asText();
        java.util.List<String> asked = new java.util.ArrayList<>();
        page.onceDialog(dialog -> {
            asked.add(dialog.message());
            dialog.accept();
        });
        page.click("#delete-batch");
        page.waitForURL(cluster.url("/upscale").toString(), new Page.WaitForURLOptions().setTimeout(LONG_WAIT_MS));
        assertTrue(asked.get(0).startsWith("Delete this batch with its 3 images"), asked.toString());
        assertEquals(404, status("/api/jobs/" + batchId));
        assertEquals(404, status("/api/jobs/" + image), "its images went with it");
        assertEquals(200, status("/api/jobs/" + first), "the batch it was made from stays");
    }

    /**
     * The output options from the form: an output scale the chosen model cannot reach picks the
     * next scale up as it is typed, a bad one is refused next to its field, and 1.5x as a JPEG runs
     * to a result of that size, compared at that size (the bicubic baseline too) and downloaded as
     * a .jpg.
     */
    @Test
    @Order(6)
    void anOutputScaleAndJpegFromTheFormGiveAJpegOfThatSize() throws Exception {
        open("/upscale");
        page.evaluate("() => { window.noReload = true; }");
        page.setInputFiles("#image", new FilePayload("wide.png", "image/png", Images.png(48, 40, 31)));
        page.selectOption("#scale", "2");
        page.fill("#outscale", "3");
        assertEquals("4", page.inputValue("#scale"), "3x needs the 4x model: the scale follows");
        page.selectOption("#scale", "2");
        assertTrue(page.textContent("#outscale-note").contains("cannot reach"), page.textContent("#outscale-note"));
        page.click("#submit");
        assertTrue(
                fieldError("outscale").contains("outscale 3 is more than the 2x model upscales"),
                fieldError("outscale"));
        page.fill("#outscale", "9");
        page.click("#submit");
        page.waitForFunction("() => document.querySelector('.field[data-field=outscale] .error').textContent"
                + ".includes('outscale must be a number from 1 to 8')");
        // a width instead: it clears the output scale, and its model scale follows from the image's 48 px
        page.fill("#width", "150");
        assertEquals("", page.inputValue("#outscale"), "an output scale and a width exclude each other");
        assertEquals("4", page.inputValue("#scale"), "150 px from 48 needs the 4x model");
        assertTrue(page.textContent("#width-note").contains("resized to 150×125 px"), page.textContent("#width-note"));
        page.selectOption("#scale", "2");
        assertTrue(page.textContent("#width-note").contains("makes 96 px"), page.textContent("#width-note"));
        page.click("#submit");
        page.waitForFunction("() => document.querySelector('.field[data-field=width] .error').textContent"
                + ".includes('width 150 is more than the 2x model makes')");
        assertTrue(page.isHidden("#quality-field"), "no quality for a PNG");
        page.selectOption("#format", "jpeg");
        assertTrue(page.isVisible("#quality-field"));
        page.fill("#quality", "0");
        page.fill("#outscale", "1.5");
        assertEquals("", page.inputValue("#width"), "the output scale clears the width");
        page.click("#submit");
        page.waitForFunction("() => document.querySelector('.field[data-field=quality] .error').textContent"
                + ".includes('quality must be a whole number from 1 to 100')");
        screenshot("upscale-options-bad-input");

        page.fill("#quality", "85");
        assertEquals("2", page.inputValue("#scale"));
        page.click("#submit");
        page.waitForSelector(
                "#upscale-job[data-status=SUCCEEDED]", new Page.WaitForSelectorOptions().setTimeout(LONG_WAIT_MS));
        assertEquals(Boolean.TRUE, page.evaluate("() => window.noReload === true"), "the page was never reloaded");
        page.waitForFunction("() => document.getElementById('output-image').naturalWidth === 72");
        String facts = page.textContent("#result-facts");
        assertTrue(facts.contains("48×40") && facts.contains("72×60") && facts.contains("JPEG"), facts);
        assertTrue(page.textContent("#upscale-job").contains("resized to 1.5×"), page.textContent("#upscale-job"));
        page.click("button[data-baseline=bicubic]");
        page.click("button[data-view=slider]");
        page.waitForFunction(
                "() => [...document.querySelectorAll('#slider img.baseline')].every(i => i.complete && i.naturalWidth === 72)");
        screenshot("upscale-options-result");

        assertEquals("Download JPEG", page.textContent("#download").trim());
        Download download = page.waitForDownload(() -> page.click("#download"));
        byte[] jpeg = Files.readAllBytes(download.path());
        assertEquals(0xffd8, (jpeg[0] & 0xff) << 8 | (jpeg[1] & 0xff), "a JPEG file");
        assertEquals(72, Images.read(jpeg).getWidth());
        assertEquals(60, Images.read(jpeg).getHeight());
        assertTrue(download.suggestedFilename().endsWith("-upscaled.jpg"), download.suggestedFilename());

        // the same photo again as a lossless WebP from the project's own encoder: Chromium (libwebp)
        // draws it pixel for pixel as Java's decoder reads it
        String jpegJob = page.getAttribute("#upscale-job", "data-job-id");
        HttpResponse<String> webp =
                cluster.postMultipart("/api/upscale", form("sourceJobId", jpegJob, "scale", "2", "format", "webp"));
        assertEquals(202, webp.statusCode(), webp.body());
        String webpJob = Cluster.JSON.readTree(webp.body()).path("id").asText();
        page.waitForSelector(
                "button[data-baseline=job][data-src='/api/jobs/" + webpJob + "/result']",
                new Page.WaitForSelectorOptions().setTimeout(LONG_WAIT_MS));
        java.awt.image.BufferedImage expected = Images.read(cluster.getBytes("/api/jobs/" + webpJob + "/result"));
        @SuppressWarnings("unchecked")
        java.util.List<Number> drawn = (java.util.List<Number>) page.evaluate("""
                async src => {
                  const image = new Image();
                  image.src = src;
                  await image.decode();
                  const canvas = document.createElement('canvas');
                  canvas.width = image.naturalWidth;
                  canvas.height = image.naturalHeight;
                  const context = canvas.getContext('2d');
                  context.drawImage(image, 0, 0);
                  return [image.naturalWidth, image.naturalHeight,
                          ...context.getImageData(0, 0, canvas.width, canvas.height).data];
                }""", "/api/jobs/" + webpJob + "/result");
        assertEquals(96, drawn.get(0).intValue(), "48 px at 2x");
        assertEquals(80, drawn.get(1).intValue());
        int differ = 0;
        for (int y = 0; y < 80; y++) {
            for (int x = 0; x < 96; x++) {
                int argb = expected.getRGB(x, y);
                int at = 2 + 4 * (y * 96 + x);
                for (int c = 0; c < 4; c++) {
                    int java = c == 3 ? argb >>> 24 : (argb >> (16 - 8 * c)) & 0xff;
                    if (drawn.get(at + c).intValue() != java) {
                        differ++;
                    }
                }
            }
        }
        assertEquals(0, differ, "values where Chromium's decode of the WebP differs from Java's");
    }

    /**
     * A blend from the form: the share shows as the slider moves, a model trained apart is refused
     * beside the field (for a blend of weights), and SRResNet 4x blended 30% with its real-photo
     * fine-tune's outputs runs, its panel naming the blend; the same photo, without sending it again, with the fine-tune alone, then
     * compared with the blend's result.
     */
    @Test
    @Order(8)
    void aBlendOfTheDefaultWithItsRealPhotoFineTuneRunsFromTheFormAndComparesWithTheModelAlone() throws Exception {
        // counts the page's event streams: it follows its job and the photo's other upscales on one
        page.addInitScript("""
                (() => {
                  const Native = window.EventSource;
                  window.streams = [];
                  window.EventSource = function (url) {
                    const stream = new Native(url);
                    window.streams.push(stream);
                    return stream;
                  };
                  window.EventSource.prototype = Native.prototype;
                  Object.assign(window.EventSource, { CONNECTING: 0, OPEN: 1, CLOSED: 2 });
                })()""");
        open("/upscale");
        page.evaluate("() => { window.noReload = true; }");
        page.setInputFiles("#image", new FilePayload("noisy.png", "image/png", Images.png(32, 24, 41)));
        page.selectOption("#scale", "4");
        assertTrue(page.isHidden("#blend-weight-field"), "no share without a model to blend in");
        String realPhotos = optionStartingWith("#blendModelId", "SRResNet 4x (real photos)");
        // the GPU-trained SRGAN-MSE, not the one fine-tuned from the default ("SRGAN-MSE 4x (from SRResNet 4x)")
        String gan = optionStartingWith("#blendModelId", "SRGAN-MSE 4x (4×)");
        page.selectOption("#blendModelId", gan);
        assertTrue(page.isVisible("#blend-weight-field"));
        page.click("#submit");
        assertTrue(fieldError("blendModelId").contains("were trained apart"), fieldError("blendModelId"));
        assertTrue(fieldError("blendModelId").contains("or blend their outputs"), fieldError("blendModelId"));
        assertTrue(page.isVisible("#blend-mode-field"), "how to blend, beside the share");
        screenshot("upscale-blend-refused");

        // the real-photo fine-tune, its outputs mixed in (blendMode pixels)
        page.selectOption("#blendModelId", realPhotos);
        page.locator("#blendWeight").fill("0.3");
        assertEquals("30%", page.textContent("#blend-weight-text"));
        page.selectOption("#blendMode", "pixels");
        page.click("#submit");
        page.waitForSelector(
                "#upscale-job[data-status=SUCCEEDED]", new Page.WaitForSelectorOptions().setTimeout(LONG_WAIT_MS));
        page.waitForFunction("() => document.getElementById('output-image').naturalWidth === 128");
        String panel = page.textContent("#upscale-job");
        assertTrue(
                panel.replaceAll("\\s+", " ")
                        .contains("4× with SRResNet 4x, blended 30% with SRResNet 4x (real photos), outputs mixed"),
                panel);
        screenshot("upscale-blend-result");

        // the same photo again without sending it: the real-photo model alone, compared with the blend
        String blendJob = page.getAttribute("#upscale-job", "data-job-id");
        assertEquals(
                "pixels",
                cluster.get("/api/jobs/" + blendJob)
                        .path("params")
                        .path("blendMode")
                        .asText());
        assertTrue(page.textContent("#again-note").contains("noisy.png"), page.textContent("#again-note"));
        page.selectOption("#modelId", optionStartingWith("#modelId", "SRResNet 4x (real photos)"));
        page.selectOption("#blendModelId", "");
        page.click("#submit");
        page.waitForFunction(
                "b => { const p = document.getElementById('upscale-job');"
                        + " return p && p.dataset.jobId !== b && p.dataset.status === 'SUCCEEDED'; }",
                blendJob,
                new Page.WaitForFunctionOptions().setTimeout(LONG_WAIT_MS));
        String again = page.getAttribute("#upscale-job", "data-job-id");
        assertEquals(
                blendJob,
                cluster.get("/api/jobs/" + again)
                        .path("params")
                        .path("sourceJobId")
                        .asText());
        String againPanel = page.textContent("#upscale-job").replaceAll("\\s+", " ");
        assertTrue(againPanel.contains("4× with SRResNet 4x (real photos) ·"), againPanel);
        page.click("button[data-baseline=job]");
        page.waitForFunction(
                "b => document.querySelector('#side-by-side img.baseline').src.endsWith('/api/jobs/' + b + '/result')"
                        + " && document.querySelector('#side-by-side img.baseline').complete",
                blendJob);
        assertTrue(
                page.textContent("#side-by-side .baseline-name")
                        .startsWith("SRResNet 4x + 30% SRResNet 4x (real photos), outputs mixed"),
                page.textContent("#side-by-side .baseline-name"));
        screenshot("upscale-again-compare");

        // a third upscale of the photo, sent by the API while this page is open (the model alone,
        // as a PNG): its result joins the comparison when it ends, without a reload
        HttpResponse<String> third =
                cluster.postMultipart("/api/upscale", form("sourceJobId", blendJob, "scale", "4", "format", "png"));
        assertEquals(202, third.statusCode(), third.body());
        String thirdId = Cluster.JSON.readTree(third.body()).path("id").asText();
        page.waitForSelector(
                "button[data-baseline=job][data-src='/api/jobs/" + thirdId + "/result']",
                new Page.WaitForSelectorOptions().setTimeout(LONG_WAIT_MS));
        assertEquals(Boolean.TRUE, page.evaluate("() => window.noReload === true"), "the page was never reloaded");
        assertEquals(
                1,
                ((Number) page.evaluate("() => window.streams.filter(s => s.readyState !== 2).length")).intValue(),
                "one open event stream (a browser holds six connections per host)");

        // the same blend registered as a model of its own on the Models page; a pair trained apart is refused
        open("/models");
        page.click("#blend-models summary");
        page.selectOption("#blend-modelId", optionStartingWith("#blend-modelId", "SRResNet 4x (4×)"));
        page.selectOption("#blend-blendModelId", optionStartingWith("#blend-blendModelId", "SRGAN-MSE 4x (4×)"));
        page.click("#blend-submit");
        assertTrue(fieldError("blendModelId").contains("were trained apart"), fieldError("blendModelId"));
        page.selectOption(
                "#blend-blendModelId", optionStartingWith("#blend-blendModelId", "SRResNet 4x (real photos)"));
        page.fill("#blend-blendWeight", "0.5");
        page.click("#blend-submit");
        page.waitForSelector("tr:has-text('SRResNet 4x + 50% SRResNet 4x (real photos)')");
        assertTrue(page.textContent("tr:has-text('SRResNet 4x + 50% SRResNet 4x (real photos)')")
                .contains("blend of 'SRResNet 4x' with 50% of 'SRResNet 4x (real photos)'"));
        screenshot("models-blend");
    }

    static String optionStartingWith(String select, String text) {
        return (String) page.evaluate(
                "([s, t]) => [...document.querySelectorAll(s + ' option')].find(o => o.textContent.startsWith(t)).value",
                java.util.List.of(select, text));
    }

    /**
     * The Admin page: a token made with a limit of active jobs, the limit changed in its row (a
     * PATCH with the CSRF token), a bad limit refused beside the field, and both changes in the
     * audit log.
     */
    @Test
    @Order(7)
    void anAdminCreatesATokenWithALimitChangesItAndSeesItInTheAuditLog() {
        open("/admin");
        page.fill("#token-name", "browser quota");
        page.selectOption("#token-role", "OPERATOR");
        page.fill("#token-max-active-jobs", "3");
        page.click("#create-token");
        page.waitForSelector("#new-token:not([hidden])");
        assertTrue(page.textContent("#new-token-value").startsWith("srgan_"), page.textContent("#new-token-value"));

        open("/admin");
        String row = "#tokens tr:has-text('browser quota') ";
        assertEquals("3", page.inputValue(row + "input[name=maxActiveJobs]"));
        page.fill(row + "input[name=maxActiveJobs]", "-2");
        page.click(row + "button[type=submit]");
        page.waitForFunction(
                "() => [...document.querySelectorAll('form.token-limit .error')].some(e => e.textContent.includes('maxActiveJobs must be from 0'))");
        page.fill(row + "input[name=maxActiveJobs]", "7");
        page.click(row + "button[type=submit]");
        page.waitForFunction("() => document.getElementById('flash').textContent.includes('Limit changed')");

        open("/admin");
        assertEquals("7", page.inputValue(row + "input[name=maxActiveJobs]"));
        String audit = page.textContent("#audit");
        assertTrue(
                audit.contains("token 'browser quota': at most 7 active jobs")
                        && audit.contains("OPERATOR token 'browser quota', at most 3 active jobs"),
                audit);
        screenshot("admin");
    }

    /**
     * A link to an image pasted on the Upscale page (as from a browser's "Copy image address"): the
     * server fetches it (the cluster allows 127.0.0.1, Cluster) and upscales it; a link to a host it
     * does not fetch from gets the server's reason under the image field.
     */
    @Test
    @Order(9)
    void aLinkPastedOnTheUpscalePageIsFetchedByTheServerAndUpscaled() throws Exception {
        byte[] png = Images.png(40, 30, 77);
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/shared/holiday.png", x -> {
            x.getResponseHeaders().add("Content-Type", "image/png");
            x.sendResponseHeaders(200, png.length);
            try (var out = x.getResponseBody()) {
                out.write(png);
            }
        });
        server.start();
        try {
            int port = server.getAddress().getPort();
            open("/upscale");
            pasteText("http://127.0.0.1:" + port + "/shared/holiday.png");
            page.waitForFunction(
                    "() => document.getElementById('drop-text').textContent.includes('fetched by the server')");
            page.selectOption("#scale", "2");
            page.click("#submit");
            page.waitForSelector(
                    "#upscale-job[data-status=SUCCEEDED]", new Page.WaitForSelectorOptions().setTimeout(LONG_WAIT_MS));
            page.waitForFunction("() => document.getElementById('output-image').naturalWidth === 80");
            String id = page.url().substring(page.url().lastIndexOf('/') + 1);
            assertEquals(
                    "holiday.png",
                    cluster.get("/api/jobs/" + id).path("inputName").asText());

            pasteText("http://localhost:" + port + "/shared/holiday.png");
            page.click("#submit");
            page.waitForFunction(
                    "() => document.querySelector('.field[data-field=image] .error').textContent.includes('is not one this cluster fetches from')");
        } finally {
            server.stop(0);
        }
    }

    static void pasteText(String text) {
        page.evaluate(
                "t => { const dt = new DataTransfer(); dt.setData('text/plain', t);"
                        + " document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true })); }",
                text);
    }

    /**
     * Every page, with the jobs, run, batch, dataset and token the tests above made, in the light and
     * the dark colour scheme, as axe-core (the engine of Lighthouse's accessibility audit) checks it
     * against WCAG 2.1 A and AA and its best practices: contrast, names of fields and buttons,
     * headings, tables, landmarks, links told apart from text without colour.
     */
    @Test
    @Order(10)
    void everyPageMeetsWcag21AaAsAxeChecksItInLightAndDark() throws Exception {
        String upscale = cluster.get("/api/jobs?type=UPSCALE&size=1")
                .path("items")
                .get(0)
                .path("id")
                .asText();
        String batch = cluster.get("/api/jobs?type=BATCH&size=1")
                .path("items")
                .get(0)
                .path("id")
                .asText();
        String run = cluster.get("/api/jobs?type=TRAINING&size=1")
                .path("items")
                .get(0)
                .path("id")
                .asText();
        String dataset = cluster.get("/api/datasets").get(0).path("id").asText();
        List<String> paths = List.of(
                "/",
                "/upscale",
                "/upscale/" + upscale,
                "/upscale/" + batch,
                "/jobs",
                "/jobs/" + upscale,
                "/jobs/" + batch,
                "/training",
                "/training/" + run,
                "/training/compare?id=" + run,
                "/training/datasets/" + dataset,
                "/training/sweeps",
                "/workers",
                "/models",
                "/admin");
        // the file input hides behind its drop zone: reached with Tab, the zone shows the focus
        open("/upscale");
        page.locator("h1").click();
        for (int i = 0; i < 20 && !"image".equals(page.evaluate("() => document.activeElement.id")); i++) {
            page.keyboard().press("Tab");
        }
        assertEquals("image", page.evaluate("() => document.activeElement.id"), "Tab reaches the image input");
        assertEquals(
                "solid",
                page.evaluate("() => getComputedStyle(document.getElementById('dropzone')).outlineStyle"),
                "the drop zone shows the keyboard focus");

        String axe;
        try (var in = getClass().getResourceAsStream("/META-INF/resources/webjars/axe-core/4.6.3/axe.min.js")) {
            axe = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> violations = new java.util.ArrayList<>();
        try {
            for (var scheme : List.of(ColorScheme.LIGHT, ColorScheme.DARK)) {
                page.emulateMedia(new Page.EmulateMediaOptions().setColorScheme(scheme));
                for (String path : paths) {
                    open(path);
                    page.waitForTimeout(500); // charts and live sections drawn
                    page.addScriptTag(new Page.AddScriptTagOptions().setContent(axe));
                    Object found = page.evaluate(
                            "async () => (await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa',"
                                    + " 'wcag21a', 'wcag21aa', 'best-practice']}})).violations.map(v => v.impact + ' '"
                                    + " + v.id + ': ' + v.help + ' at ' + v.nodes.slice(0, 3).map(n => n.target.join(' '))"
                                    + ".join(', '))");
                    for (Object v : (List<?>) found) {
                        violations.add(scheme + " " + path + ": " + v);
                    }
                }
            }
        } finally {
            page.emulateMedia(new Page.EmulateMediaOptions().setColorScheme(ColorScheme.LIGHT));
        }
        assertTrue(violations.isEmpty(), String.join("\n", violations));
    }

    static int status(String path) throws Exception {
        try {
            cluster.get(path);
            return 200;
        } catch (IllegalStateException e) {
            String m = e.getMessage(); // "GET /path -> 404: body"
            int at = m.indexOf(" -> ") + 4;
            return Integer.parseInt(m.substring(at, m.indexOf(':', at)));
        }
    }

    static byte[] jpeg(byte[] png) throws Exception {
        var out = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(Images.read(png), "jpeg", out);
        return out.toByteArray();
    }

    static void fill(String hyperparameter, String value) {
        page.fill("#hp-" + hyperparameter, value);
    }

    static byte[] gif() throws Exception {
        var img = new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_INT_RGB);
        var out = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(img, "gif", out);
        return out.toByteArray();
    }
}
