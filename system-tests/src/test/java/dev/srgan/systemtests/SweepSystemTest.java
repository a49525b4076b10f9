package dev.srgan.systemtests;

import static dev.srgan.systemtests.Cluster.form;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.WaitForSelectorState;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A hyperparameter sweep through the whole system and the browser: two learning rates started from
 * the sweep form (after its readable errors), two real training jobs on two workers run to
 * completion, and the sweep page compares them: both runs with their best metrics in the table,
 * both curves overlaid, both points in the parameter-vs-metric scatter, and the best checkpoint
 * registered as a model. A screenshot goes to {@code system-tests/target/screenshots/sweep.png}.
 */
class SweepSystemTest {
    static final double LONG_WAIT_MS = 300_000;

    static Cluster cluster;

    @RegisterExtension
    static final ClusterExtension CLUSTER = new ClusterExtension(2, c -> cluster = c);

    static Playwright playwright;
    static BrowserContext browser;
    static Page page;
    static Path profile;

    @BeforeAll
    static void start() throws Exception {
        playwright = Playwright.create(
                new Playwright.CreateOptions().setEnv(java.util.Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        profile = Files.createTempDirectory("srgan-chromium");
        browser = playwright
                .chromium()
                .launchPersistentContext(
                        profile,
                        new BrowserType.LaunchPersistentContextOptions()
                                .setExecutablePath(DashboardBrowserTest.CHROMIUM)
                                .setHeadless(true)
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
        page.navigate(cluster.url("/training/sweeps").toString());
        page.waitForURL("**/login**");
        page.fill("#token", Cluster.ADMIN_TOKEN);
        page.click("#sign-in");
        page.waitForURL("**/training/sweeps");
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

    static void fill(String hyperparameter, String value) {
        page.fill("#sw-" + hyperparameter, value);
    }

    static String fieldError(String field) {
        Locator error = page.locator(".field[data-field=\"" + field + "\"] .error");
        error.waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.VISIBLE));
        return error.textContent();
    }

    @Test
    void aSweepOfTwoLearningRatesRunsBothJobsAndItsPageComparesThem() throws Exception {
        HttpResponse<String> ds = cluster.postMultipart(
                "/api/datasets",
                form(
                        "file",
                        new Cluster.FilePart("photos.zip", Images.datasetZip(4, 48), "application/zip"),
                        "name",
                        "sweep photos"));
        assertEquals(201, ds.statusCode(), ds.body());
        String datasetId = Cluster.JSON.readTree(ds.body()).path("id").asText();

        page.navigate(cluster.url("/training/sweeps").toString());
        page.selectOption("#datasetId", datasetId);
        page.fill("#sweep-name", "two learning rates");
        fill("scale", "2");
        fill("residualBlocks", "1");
        fill("batchSize", "2");
        fill("hrCropSize", "24");
        fill("pretrainSteps", "20");
        fill("ganSteps", "10");
        fill("validateEvery", "10");
        fill("checkpointEvery", "10");
        // the browser reads each field as it is typed
        fill("learningRateG", "0.0001, fast");
        assertTrue(fieldError("learningRateG").contains("\"fast\" is not a number"), fieldError("learningRateG"));
        // the server checks every grid point as a training run and names the point
        fill("learningRateG", "0.0001, 2");
        assertTrue(page.textContent("#sweep-count").contains("2 runs"), page.textContent("#sweep-count"));
        page.click("#start-sweep");
        page.waitForFunction(
                "() => document.querySelector('.field[data-field=learningRateG] .error').textContent.includes('grid point 2 of 2')");
        assertTrue(fieldError("learningRateG").contains("learningRateG must be from"), fieldError("learningRateG"));
        assertEquals("0.0001, 2", page.inputValue("#sw-learningRateG"), "what the user typed stays");
        assertEquals("24", page.inputValue("#sw-hrCropSize"));
        assertEquals("two learning rates", page.inputValue("#sweep-name"));

        fill("learningRateG", "0.0001, 0.001");
        page.click("#start-sweep");
        page.waitForURL("**/training/sweeps/*-*-*-*-*");
        String sweepId = page.url().substring(page.url().lastIndexOf('/') + 1);

        // both runs finish, and the live table shows each one's best metrics without a reload
        page.evaluate("() => { window.noReload = true; }");
        page.waitForFunction(
                "() => { const rows = [...document.querySelectorAll('#sweep-table tbody tr[data-run]')];"
                        + " return rows.length === 2 && rows.every(r => r.dataset.status === 'SUCCEEDED' && r.dataset.psnr !== ''); }",
                null,
                new Page.WaitForFunctionOptions().setTimeout(LONG_WAIT_MS));
        assertEquals(Boolean.TRUE, page.evaluate("() => window.noReload === true"), "live updates, no reload");
        String table = page.textContent("#sweep-table");
        assertTrue(table.contains("learningRateG=0.0001") && table.contains("learningRateG=0.001"), table);
        // both curves overlaid (validation PSNR), both points in the scatter
        page.waitForFunction(
                "() => window.srganCharts.compare.data.datasets.length === 2"
                        + " && window.srganCharts.compare.data.datasets.every(d => d.data.length >= 3)",
                null,
                new Page.WaitForFunctionOptions().setTimeout(60_000));
        page.waitForFunction("() => window.srganCharts.scatter.data.datasets.length === 2");
        // sorted by best PSNR, highest first
        page.click("#sweep-table th[data-sort=psnr]");
        Object psnrs = page.evaluate(
                "() => [...document.querySelectorAll('#sweep-table tbody tr[data-run]')].map(r => Number(r.dataset.psnr))");
        List<?> sorted = (List<?>) psnrs;
        assertTrue(
                ((Number) sorted.get(0)).doubleValue() >= ((Number) sorted.get(1)).doubleValue(), "sorted: " + sorted);
        page.selectOption("#metric", "gLoss");
        page.waitForFunction("() => window.srganCharts.compare.data.datasets.every(d => d.data.length === 30)");

        page.click("#best-checkpoint button[data-register-checkpoint]");
        page.waitForFunction("() => document.getElementById('flash').textContent.includes('Registered')");
        Path screenshots = cluster.home.resolve("system-tests/target/screenshots");
        Files.createDirectories(screenshots);
        page.screenshot(new Page.ScreenshotOptions()
                .setPath(screenshots.resolve("sweep.png"))
                .setFullPage(true));

        // the API says the same: both runs done, with their grid point and best metrics at a step
        JsonNode sweep = cluster.get("/api/training/sweeps/" + sweepId);
        assertEquals(2, sweep.path("runs").size(), sweep.toString());
        Set<Double> rates = new HashSet<>();
        for (JsonNode run : sweep.path("runs")) {
            assertEquals("SUCCEEDED", run.path("status").asText(), run.toString());
            rates.add(run.path("parameters").path("learningRateG").asDouble());
            assertTrue(
                    run.path("bestPsnr").path("value").isNumber()
                            && run.path("bestPsnr").path("step").asInt() % 10 == 0,
                    run.toString());
            assertTrue(run.path("bestSsim").path("value").isNumber(), run.toString());
            assertTrue(run.path("bestCheckpoint").path("id").isTextual(), run.toString());
            assertEquals(30, run.path("lastValidationStep").asInt(), run.toString());
        }
        assertEquals(Set.of(1e-4, 1e-3), rates);
        assertEquals(2, sweep.path("states").path("SUCCEEDED").asInt());
        JsonNode models = cluster.get("/api/models");
        boolean registered = false;
        for (JsonNode m : models) {
            registered |= m.path("sourceCheckpointId")
                    .asText()
                    .equals(sweep.path("bestCheckpoint").path("id").asText());
        }
        assertTrue(registered, "the best checkpoint is a model: " + models);
    }
}
