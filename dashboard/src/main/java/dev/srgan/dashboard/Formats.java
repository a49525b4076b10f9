package dev.srgan.dashboard;

import io.quarkus.qute.TemplateExtension;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How the dashboard's templates write times, sizes and numbers: {@code {job.createdAt.iso}}, {@code {size.bytes}}. */
@TemplateExtension
public final class Formats {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final DateTimeFormatter HOUR_MINUTE = DateTimeFormatter.ofPattern("HH:mm");
    private static final DateTimeFormatter DAY_HOUR_MINUTE = DateTimeFormatter.ofPattern("MMM d HH:mm", Locale.ROOT);

    private Formats() {}

    /** ISO-8601, for {@code <time datetime>} (the browser turns it into "12 s ago"). */
    static String iso(OffsetDateTime t) {
        return t == null ? "" : t.toString();
    }

    /** How long ago, as rendered before the browser's clock takes over. */
    static String ago(OffsetDateTime t) {
        if (t == null) {
            return "-";
        }
        long s = Math.max(0, Duration.between(t, OffsetDateTime.now()).toSeconds());
        if (s < 2) {
            return "just now";
        }
        if (s < 60) {
            return s + " s ago";
        }
        if (s < 3600) {
            return s / 60 + " min ago";
        }
        if (s < 86400) {
            return s / 3600 + " h ago";
        }
        return s / 86400 + " d ago";
    }

    /** A timestamp in the server's zone, to the second. */
    static String clock(OffsetDateTime t) {
        return t == null
                ? "-"
                : t.atZoneSameInstant(java.time.ZoneId.systemDefault()).format(CLOCK);
    }

    /** 1536 -> "1.5 KiB". */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        if (n < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", n / 1024.0 / 1024);
        }
        return String.format(Locale.ROOT, "%.2f GiB", n / 1024.0 / 1024 / 1024);
    }

    /** A number with {@code digits} decimals. */
    static String fixed(double d, int digits) {
        return String.format(Locale.ROOT, "%." + digits + "f", d);
    }

    /** Progress in [0, 1] as a whole percentage. */
    static String percent(double progress) {
        return wholePercent(progress) + "%";
    }

    /** Progress in [0, 1] as a whole number of percent, for a progress bar's {@code aria-valuenow}. */
    static long wholePercent(double progress) {
        return Math.round(progress * 100);
    }

    /** Milliseconds as "850 ms" or "2.4 s". */
    static String millis(long ms) {
        return ms < 1000 ? ms + " ms" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    /** The time between two instants as "850 ms" / "2.4 s" / "3 min 5 s"; "-" if either is missing. */
    static String until(OffsetDateTime from, OffsetDateTime to) {
        if (from == null || to == null) {
            return "-";
        }
        long ms = Duration.between(from, to).toMillis();
        return ms < 60_000 ? millis(ms) : ms / 60_000 + " min " + (ms % 60_000) / 1000 + " s";
    }

    /** A time ahead, as "about 40 s", "about 12 min", "about 3 h 5 min", "about 2 d 4 h". */
    static String about(long seconds) {
        long s = Math.max(0, seconds);
        if (s < 60) {
            return "about " + s + " s";
        }
        if (s < 3600) {
            return "about " + Math.round(s / 60.0) + " min";
        }
        if (s < 86400) {
            return "about " + s / 3600 + " h " + (s % 3600) / 60 + " min";
        }
        return "about " + s / 86400 + " d " + (s % 86400) / 3600 + " h";
    }

    /** A running job's estimated time left, "about 3 min left"; null while it cannot be told. */
    static String timeLeft(dev.srgan.core.jobs.JobView job) {
        dev.srgan.core.jobs.JobOutlook.Outlook o = job.outlook();
        return o == null || o.secondsLeft() == null ? null : about(o.secondsLeft()) + " left";
    }

    /**
     * What the job's outlook says, in a sentence: its place in the queue and the workers that can
     * take it, or the time it still needs; null without an outlook.
     */
    static String outlookText(dev.srgan.core.jobs.JobView job) {
        dev.srgan.core.jobs.JobOutlook.Outlook o = job.outlook();
        if (o == null) {
            return null;
        }
        String kind = job.type().equals("BATCH") ? "upscale" : job.type().toLowerCase(Locale.ROOT);
        if (o.queuedAhead() != null) {
            if (o.workers() == 0) {
                return "No worker online takes " + kind + " jobs: it starts when one does"
                        + " (a worker's SRGAN_WORKER_JOB_TYPES lists the types it takes).";
            }
            String ahead = o.queuedAhead() == 0
                    ? "Next in its queue"
                    : o.queuedAhead() + " queued job" + (o.queuedAhead() == 1 ? "" : "s") + " before it";
            String start = o.startsIn() == null
                    ? ""
                    : o.startsIn() == 0
                            ? "; a worker is free for it"
                            : "; a worker should be free for it in " + about(o.startsIn());
            return ahead + "; " + (o.workers() == 1 ? "1 worker takes " : o.workers() + " workers take ") + kind
                    + " jobs, " + o.workersBusy() + " busy" + start + ".";
        }
        String pace = o.secondsPerStep() == null ? "" : " (" + fixed(o.secondsPerStep(), 2) + " s a step)";
        if (o.secondsLeft() != null) {
            java.time.ZonedDateTime end = o.expectedEnd().atZoneSameInstant(java.time.ZoneId.systemDefault());
            boolean today = end.toLocalDate().equals(java.time.LocalDate.now(end.getZone()));
            return about(o.secondsLeft()) + " left" + pace + ", ending about "
                    + end.format(today ? HOUR_MINUTE : DAY_HOUR_MINUTE) + ".";
        }
        return (o.phaseSecondsLeft() > 0
                        ? "Pre-training ends in " + about(o.phaseSecondsLeft())
                        : "Pre-training is done")
                + pace + "; the time of the GAN phase is known once it starts.";
    }

    /** The first block of a UUID-like id, enough to tell jobs apart in a table. */
    static String brief(Object id) {
        String s = String.valueOf(id);
        int dash = s.indexOf('-');
        return dash > 0 ? s.substring(0, dash) : s;
    }

    /** Where the dashboard shows a job: the upscale result (or batch) page, the training run page, or the job page. */
    static String href(dev.srgan.core.jobs.JobView job) {
        return switch (job.type()) {
            case "UPSCALE", "BATCH" -> "/upscale/" + job.id();
            case "TRAINING" -> "/training/" + job.id();
            default -> "/jobs/" + job.id();
        };
    }

    /** The job's name, or its input file, or its short id. */
    static String label(dev.srgan.core.jobs.JobView job) {
        if (job.name() != null && !job.name().isBlank()) {
            return job.name();
        }
        return job.inputName() != null ? job.inputName() : brief(job.id());
    }

    /** A list as people write it in a field: {@code a, b, c}. */
    static String commaSeparated(java.util.List<String> items) {
        return items == null ? "" : String.join(", ", items);
    }

    /** Encoded for a URL's query: {@code /jobs?by={job.submittedBy.urlEncode}}. */
    static String urlEncode(String s) {
        return s == null ? "" : java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Lower case: "TRAINING" -> "training". */
    static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }

    /** Lower case with a capital first letter: "QUEUED" -> "Queued". */
    static String title(String s) {
        return s == null || s.isEmpty() ? "" : s.charAt(0) + s.substring(1).toLowerCase(Locale.ROOT);
    }
}
