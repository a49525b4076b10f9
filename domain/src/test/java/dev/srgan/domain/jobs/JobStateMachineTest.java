package dev.srgan.domain.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class JobStateMachineTest {

    @Test
    void queuedJobRunsAndFinishes() {
        assertTrue(JobStateMachine.isAllowed(JobStatus.QUEUED, JobStatus.RUNNING));
        assertTrue(JobStateMachine.isAllowed(JobStatus.RUNNING, JobStatus.SUCCEEDED));
        assertTrue(JobStateMachine.isAllowed(JobStatus.RUNNING, JobStatus.FAILED));
        assertTrue(JobStateMachine.isAllowed(JobStatus.RUNNING, JobStatus.CANCELLED));
    }

    @Test
    void succeededJobNeverChangesAgain() {
        for (JobStatus to : JobStatus.values()) {
            assertFalse(JobStateMachine.isAllowed(JobStatus.SUCCEEDED, to), "SUCCEEDED -> " + to);
        }
        IllegalJobTransitionException e = assertThrows(
                IllegalJobTransitionException.class,
                () -> JobStateMachine.requireAllowed(JobStatus.SUCCEEDED, JobStatus.CANCELLED));
        assertEquals("a SUCCEEDED job cannot become CANCELLED", e.getMessage());
    }

    @Test
    void onlyATrainingRunThatHasEndedMayBeExtended() {
        for (JobStatus from : JobStatus.values()) {
            assertEquals(
                    from.isFinal(),
                    JobStateMachine.isExtensionAllowed(JobType.TRAINING, from),
                    "a training run that is " + from);
            for (JobType type : EnumSet.complementOf(EnumSet.of(JobType.TRAINING))) {
                assertFalse(JobStateMachine.isExtensionAllowed(type, from), "a " + type + " job that is " + from);
            }
        }
    }

    @Test
    void queuedJobCannotSkipRunning() {
        assertFalse(JobStateMachine.isAllowed(JobStatus.QUEUED, JobStatus.SUCCEEDED));
        assertFalse(JobStateMachine.isAllowed(JobStatus.QUEUED, JobStatus.FAILED));
    }

    @Test
    void retryRequeuesFailedAndCancelledJobsOnly() {
        assertEquals(
                EnumSet.of(JobStatus.RUNNING, JobStatus.FAILED, JobStatus.CANCELLED),
                JobStateMachine.allowedSources(JobStatus.QUEUED));
    }

    @Test
    void finalStatesAreTheThreeEnds() {
        assertEquals(
                EnumSet.of(JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED),
                EnumSet.copyOf(java.util.Arrays.stream(JobStatus.values())
                        .filter(JobStatus::isFinal)
                        .toList()));
    }

    @Test
    void topicsAndGroupsAreNamedPerType() {
        assertEquals("srgan.jobs.upscale", JobType.UPSCALE.topic("srgan.jobs"));
        assertEquals("srgan-workers-training", JobType.TRAINING.consumerGroup("srgan"));
    }
}
