-- Who submitted each job: the name of the api token (or dashboard session) that did, as it was
-- then (a token deleted later leaves its jobs' attribution as it was). Jobs from before this
-- migration, and those the api makes itself (evaluations of shipped models), have none.
ALTER TABLE jobs ADD COLUMN submitted_by text;
CREATE INDEX jobs_submitted_by ON jobs (submitted_by, created_at DESC) WHERE submitted_by IS NOT NULL;
