-- A batch of an earlier batch's images records the first batch of the photos as
-- params.sourceJobId (as an upscale of an earlier upscale's image does, V21); a batch's page lists
-- the other batches of its photos.
CREATE INDEX jobs_batch_source ON jobs ((params ->> 'sourceJobId')) WHERE type = 'BATCH';
