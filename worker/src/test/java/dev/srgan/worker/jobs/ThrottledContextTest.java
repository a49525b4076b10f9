package dev.srgan.worker.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ThrottledContextTest {

    /** Counts what reaches the database. */
    static final class Recording implements JobContext {
        final List<String> progress = new ArrayList<>();
        int cancelReads;
        boolean cancel;

        @Override
        public void progress(double fraction, String message) {
            progress.add(message);
        }

        @Override
        public boolean cancelRequested() {
            cancelReads++;
            return cancel;
        }

        @Override
        public boolean stopping() {
            return false;
        }

        @Override
        public boolean leaseLost() {
            return false;
        }

        @Override
        public dev.srgan.platform.jobs.JobLease lease() {
            return new dev.srgan.platform.jobs.JobLease(java.util.UUID.randomUUID(), 1);
        }

        @Override
        public void fence(java.sql.Connection c, String what) {}

        @Override
        public void onSuccess(SuccessWrite write) {}
    }

    @Test
    void aJobShorterThanTheIntervalWritesNoProgress() {
        Recording inner = new Recording();
        ThrottledContext ctx = new ThrottledContext(inner, Duration.ofHours(1), Duration.ofHours(1));
        for (int i = 1; i <= 100; i++) {
            ctx.progress(i / 100.0, "step " + i);
        }
        assertEquals(List.of(), inner.progress, "its final state says it all");
    }

    @Test
    void progressIsWrittenAfterTheIntervalThenAtMostOncePerIntervalAndAtTheEnd() throws Exception {
        Recording inner = new Recording();
        ThrottledContext ctx = new ThrottledContext(inner, Duration.ofMillis(100), Duration.ofHours(1));
        ctx.progress(0.1, "early");
        Thread.sleep(120);
        ctx.progress(0.2, "after the interval");
        ctx.progress(0.3, "too soon");
        ctx.progress(1, "done");
        assertEquals(List.of("after the interval", "done"), inner.progress);
    }

    @Test
    void cancelFlagIsReadAtMostOncePerIntervalAndRememberedOnceSet() throws Exception {
        Recording inner = new Recording();
        ThrottledContext ctx = new ThrottledContext(inner, Duration.ZERO, Duration.ofMillis(100));
        for (int i = 0; i < 1000; i++) {
            assertFalse(ctx.cancelRequested());
        }
        assertEquals(0, inner.cancelReads, "not read before the job has run for the interval: it was just claimed");

        Thread.sleep(150);
        for (int i = 0; i < 1000; i++) {
            assertFalse(ctx.cancelRequested());
        }
        assertEquals(1, inner.cancelReads);

        inner.cancel = true;
        Thread.sleep(150);
        assertTrue(ctx.cancelRequested());
        inner.cancel = false;
        assertTrue(ctx.cancelRequested(), "a cancel is final");
        assertEquals(2, inner.cancelReads);
    }
}
