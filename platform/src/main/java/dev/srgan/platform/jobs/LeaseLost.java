package dev.srgan.platform.jobs;

/**
 * Thrown when an attempt finds its job taken: its lease expired and the job was queued again,
 * failed, cancelled or claimed by another attempt. The attempt must stop and write nothing more;
 * whoever took the job owns it now.
 */
public final class LeaseLost extends RuntimeException {
    private final transient JobLease lease;

    /**
     * @param lease the attempt's lease
     * @param what the write that was refused (or what noticed it)
     */
    public LeaseLost(JobLease lease, String what) {
        super("job " + lease.jobId() + " is no longer held by attempt epoch " + lease.epoch() + " (lease expired?): "
                + what + " refused");
        this.lease = lease;
    }

    /** Returns the lease that was lost. */
    public JobLease lease() {
        return lease;
    }
}
