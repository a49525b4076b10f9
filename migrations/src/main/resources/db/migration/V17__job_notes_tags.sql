-- Notes and tags on jobs, for keeping track of experiments: free text and short labels, set when a
-- training run or sweep is submitted and edited later with PATCH /api/jobs/{id}. Jobs are listed
-- by tag (GET /api/jobs?tag=...), hence the GIN index (tags @> ARRAY[...]).
ALTER TABLE jobs ADD COLUMN notes text;
ALTER TABLE jobs ADD COLUMN tags text[] NOT NULL DEFAULT '{}';
CREATE INDEX jobs_tags ON jobs USING gin (tags);
