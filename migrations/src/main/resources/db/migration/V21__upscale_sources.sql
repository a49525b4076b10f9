-- An upscale of an earlier upscale's image records the first upscale of the photo as
-- params.sourceJobId; the Upscale page lists the upscales of one photo to compare them.
CREATE INDEX jobs_upscale_source ON jobs ((params ->> 'sourceJobId')) WHERE type = 'UPSCALE';
