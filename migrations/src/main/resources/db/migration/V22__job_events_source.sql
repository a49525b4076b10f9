-- A job's event names the first upscale of its photo (params.sourceJobId) when it has one, so an
-- Upscale page can follow the other upscales of its photo (GET /api/events?sourceJobId=) and
-- compare with each as it ends. Otherwise the same function as V2's.
CREATE OR REPLACE FUNCTION srgan_notify_job() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT'
       OR NEW.status IS DISTINCT FROM OLD.status
       OR NEW.progress IS DISTINCT FROM OLD.progress
       OR NEW.progress_message IS DISTINCT FROM OLD.progress_message
       OR NEW.cancel_requested IS DISTINCT FROM OLD.cancel_requested THEN
        PERFORM pg_notify('srgan_events', json_build_object(
            'kind', 'job', 'jobId', NEW.id, 'type', NEW.type, 'status', NEW.status,
            'progress', NEW.progress, 'message', NEW.progress_message, 'workerId', NEW.worker_id,
            'error', left(NEW.error, 500), 'sourceJobId', NEW.params ->> 'sourceJobId')::text);
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
