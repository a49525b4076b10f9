-- Batch upscales: one BATCH job (the batch) and one UPSCALE job per image (its images), so every
-- image is its own unit of work on Kafka, claimed, leased, fenced, retried and stored like any
-- single upscale, and a batch spreads over all workers. A BATCH job never travels on Kafka: its
-- state, counts and progress follow from its images', by the trigger below.

ALTER TABLE jobs DROP CONSTRAINT jobs_type_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_type_check CHECK (type IN ('UPSCALE', 'TRAINING', 'EVALUATE', 'BATCH'));

-- An image of a batch: its batch and its place in it (the order of the upload). input_name holds
-- the image's name as uploaded (a zip entry keeps its folder).
ALTER TABLE jobs ADD COLUMN batch_id uuid REFERENCES jobs (id) ON DELETE CASCADE;
ALTER TABLE jobs ADD COLUMN batch_index integer;
ALTER TABLE jobs ADD CONSTRAINT jobs_batch_image CHECK ((batch_id IS NULL) = (batch_index IS NULL));
CREATE UNIQUE INDEX jobs_batch_images ON jobs (batch_id, batch_index) WHERE batch_id IS NOT NULL;

-- A batch's counts, kept by the trigger in the transaction that ends one of its images.
CREATE TABLE batches (
    job_id       uuid        PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    image_count  integer     NOT NULL CHECK (image_count > 0),
    succeeded    integer     NOT NULL DEFAULT 0,
    failed       integer     NOT NULL DEFAULT 0,
    cancelled    integer     NOT NULL DEFAULT 0,
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- The roll-up. It runs on every change of an image's state, in the transaction of that change,
-- whoever makes it (a worker's claim or outcome, the lease reaper, a cancel or retry by the api),
-- so no code path can end an image and forget its batch. The batch's row is locked first: two
-- images ending at once are counted one after the other, and each count (a fresh snapshot per
-- statement in READ COMMITTED) sees the other's committed state.
--
-- The batch's state, in the transitions JobStateMachine allows:
--   QUEUED -> RUNNING       when one of its images is claimed;
--   -> SUCCEEDED            when every image succeeded;
--   -> CANCELLED            when every image is final and the batch was cancelled;
--   -> FAILED               when every image is final and one or more failed or were cancelled,
--                           with "2 of 5 images failed: a.png: <reason>; b.png: cancelled";
--   final -> QUEUED         when one of its images is queued again (a retry of that image).
CREATE FUNCTION srgan_batch_rollup() RETURNS trigger AS $$
DECLARE
    batch     jobs%ROWTYPE;
    total     integer;
    ok        integer;
    bad       integer;
    gone      integer;
    running   integer;
    done      integer;
    target    text;
    failures  text;
    summary   text;
    reason    text;
BEGIN
    SELECT * INTO batch FROM jobs WHERE id = NEW.batch_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT count(*), count(*) FILTER (WHERE status = 'SUCCEEDED'), count(*) FILTER (WHERE status = 'FAILED'),
           count(*) FILTER (WHERE status = 'CANCELLED'), count(*) FILTER (WHERE status = 'RUNNING')
      INTO total, ok, bad, gone, running
      FROM jobs WHERE batch_id = batch.id;
    done := ok + bad + gone;
    UPDATE batches SET succeeded = ok, failed = bad, cancelled = gone, updated_at = now() WHERE job_id = batch.id;

    IF done = total THEN
        target := CASE WHEN ok = total THEN 'SUCCEEDED' WHEN batch.cancel_requested THEN 'CANCELLED' ELSE 'FAILED' END;
    ELSIF batch.status IN ('SUCCEEDED', 'FAILED', 'CANCELLED') THEN
        target := 'QUEUED';
    ELSIF running > 0 OR batch.status = 'RUNNING' THEN
        target := 'RUNNING';
    ELSE
        target := 'QUEUED';
    END IF;

    IF bad + gone > 0 THEN
        SELECT string_agg(coalesce(input_name, 'image ' || (batch_index + 1)) || ': ' || coalesce(left(f.error, 300), lower(status)),
                          '; ' ORDER BY batch_index)
          INTO failures
          FROM (SELECT input_name, batch_index, j.error, status FROM jobs j
                WHERE batch_id = batch.id AND status IN ('FAILED', 'CANCELLED') ORDER BY batch_index LIMIT 10) f;
        IF bad + gone > 10 THEN
            failures := failures || '; and ' || (bad + gone - 10) || ' more';
        END IF;
    END IF;
    IF target = 'FAILED' THEN
        reason := (bad + gone) || ' of ' || total || ' images failed: ' || failures;
    END IF;
    summary := CASE WHEN target = 'CANCELLED' THEN 'cancelled: ' ELSE '' END
               || done || ' of ' || total || ' images done'
               || CASE WHEN bad + gone > 0 THEN ' (' || concat_ws(', ', CASE WHEN bad > 0 THEN bad || ' failed' END,
                                                              CASE WHEN gone > 0 THEN gone || ' cancelled' END) || ')' ELSE '' END;

    UPDATE jobs SET status = target,
           progress = done::real / total,
           progress_message = summary,
           error = reason,
           cancel_requested = CASE WHEN target = 'QUEUED' AND batch.status <> 'QUEUED' THEN false ELSE cancel_requested END,
           started_at = CASE WHEN target = 'QUEUED' THEN started_at ELSE coalesce(started_at, now()) END,
           finished_at = CASE WHEN target NOT IN ('SUCCEEDED', 'FAILED', 'CANCELLED') THEN NULL
                              WHEN batch.status = target THEN finished_at ELSE now() END,
           updated_at = now()
     WHERE id = batch.id;

    IF NEW.status IN ('SUCCEEDED', 'FAILED', 'CANCELLED') THEN
        INSERT INTO job_events (job_id, kind, status, message)
        VALUES (batch.id, 'IMAGE', NEW.status, coalesce(NEW.input_name, 'image ' || (NEW.batch_index + 1))
                || CASE WHEN NEW.status = 'FAILED' THEN ': ' || coalesce(left(NEW.error, 300), 'failed') ELSE ' ' || lower(NEW.status) END);
    END IF;
    IF target IS DISTINCT FROM batch.status THEN
        INSERT INTO job_events (job_id, kind, status, message)
        VALUES (batch.id, 'STATUS', target, CASE target
            WHEN 'RUNNING' THEN 'its first image started: ' || coalesce(NEW.input_name, 'image ' || (NEW.batch_index + 1))
            WHEN 'SUCCEEDED' THEN 'all ' || total || ' images upscaled'
            WHEN 'FAILED' THEN reason
            WHEN 'CANCELLED' THEN 'cancelled; ' || ok || ' of ' || total || ' images had been upscaled'
            ELSE coalesce(NEW.input_name, 'image ' || (NEW.batch_index + 1)) || ' was queued again' END);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER jobs_batch_rollup AFTER UPDATE OF status ON jobs
    FOR EACH ROW WHEN (NEW.batch_id IS NOT NULL AND OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION srgan_batch_rollup();
