package dev.srgan.domain.jobs;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The only place that decides which state changes a job may make. Storage code asks
 * {@link #requireAllowed} before it writes a new state, and uses {@link #allowedSources} to guard
 * its SQL ({@code WHERE status IN (...)}) so a concurrent change can never slip past.
 */
public final class JobStateMachine {
    private static final Map<JobStatus, Set<JobStatus>> ALLOWED = new EnumMap<>(JobStatus.class);

    static {
        // RUNNING -> QUEUED: the worker's lease expired (it died) or it stopped gracefully mid-job.
        ALLOWED.put(JobStatus.QUEUED, EnumSet.of(JobStatus.RUNNING, JobStatus.CANCELLED));
        ALLOWED.put(
                JobStatus.RUNNING,
                EnumSet.of(JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.QUEUED));
        // Retry: a finished job that failed or was cancelled is queued again as a new attempt.
        ALLOWED.put(JobStatus.FAILED, EnumSet.of(JobStatus.QUEUED));
        ALLOWED.put(JobStatus.CANCELLED, EnumSet.of(JobStatus.QUEUED));
        ALLOWED.put(JobStatus.SUCCEEDED, EnumSet.noneOf(JobStatus.class));
    }

    private JobStateMachine() {}

    /** Whether a job in state {@code from} may move to {@code to}. */
    public static boolean isAllowed(JobStatus from, JobStatus to) {
        return ALLOWED.get(from).contains(to);
    }

    /**
     * Whether a job of {@code type} in state {@code from} may be queued again with more steps (an
     * extension): a training run that has ended, SUCCEEDED too, continues from its last checkpoint.
     * The one way out of SUCCEEDED, and only a training run's: nothing else that succeeded runs
     * again.
     */
    public static boolean isExtensionAllowed(JobType type, JobStatus from) {
        return type == JobType.TRAINING && from.isFinal();
    }

    /** Throws {@link IllegalJobTransitionException} unless the change is allowed. */
    public static void requireAllowed(JobStatus from, JobStatus to) {
        if (!isAllowed(from, to)) {
            throw new IllegalJobTransitionException(from, to);
        }
    }

    /** The states from which a job may move to {@code to}. */
    public static Set<JobStatus> allowedSources(JobStatus to) {
        Set<JobStatus> sources = EnumSet.noneOf(JobStatus.class);
        ALLOWED.forEach((from, targets) -> {
            if (targets.contains(to)) {
                sources.add(from);
            }
        });
        return sources;
    }
}
