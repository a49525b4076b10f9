-- How many jobs a token's holder may have QUEUED or RUNNING at once (an image of a batch and a run
-- of a sweep each count as one). Null: the cluster's srgan.quota.active-jobs, if set. Jobs are
-- counted by their submitter's name (jobs.submitted_by), so a token and the token that replaced it
-- under the same name share one count.
ALTER TABLE api_tokens ADD COLUMN max_active_jobs integer CHECK (max_active_jobs >= 0);
CREATE INDEX jobs_active_by_submitter ON jobs (submitted_by)
    WHERE status IN ('QUEUED', 'RUNNING') AND type <> 'BATCH';
