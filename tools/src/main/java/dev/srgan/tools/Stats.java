package dev.srgan.tools;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Medians and percentiles (nearest rank) of measured values. */
public final class Stats {
    private Stats() {}

    /** The p-th percentile (0-100, nearest rank) of the values; NaN when there are none. */
    public static double percentile(double[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** The median (p50). */
    public static double median(double[] values) {
        return percentile(values, 50);
    }

    /** p50, p90, p99, p99.9 and max, rounded to 0.1, in one map for reports. */
    public static Map<String, Double> summary(double[] values) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("p50", round(percentile(values, 50)));
        m.put("p90", round(percentile(values, 90)));
        m.put("p99", round(percentile(values, 99)));
        m.put("p99.9", round(percentile(values, 99.9)));
        m.put("max", round(percentile(values, 100)));
        return m;
    }

    /** Rounds to one decimal. */
    public static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
