-- Live events without polling: every change to a job, every batch of loss points and every new
-- checkpoint is announced with pg_notify on channel 'srgan_events'. The api LISTENs once and fans
-- the events out to the dashboard over server-sent events. Whoever writes (api or any worker),
-- the event follows from the write itself, in the same transaction.

CREATE FUNCTION srgan_notify_job() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT'
       OR NEW.status IS DISTINCT FROM OLD.status
       OR NEW.progress IS DISTINCT FROM OLD.progress
       OR NEW.progress_message IS DISTINCT FROM OLD.progress_message
       OR NEW.cancel_requested IS DISTINCT FROM OLD.cancel_requested THEN
        PERFORM pg_notify('srgan_events', json_build_object(
            'kind', 'job', 'jobId', NEW.id, 'type', NEW.type, 'status', NEW.status,
            'progress', NEW.progress, 'message', NEW.progress_message, 'workerId', NEW.worker_id,
            'error', left(NEW.error, 500))::text);
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER jobs_notify AFTER INSERT OR UPDATE ON jobs
    FOR EACH ROW EXECUTE FUNCTION srgan_notify_job();

CREATE FUNCTION srgan_notify_losses() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('srgan_events', json_build_object('kind', 'losses', 'jobId', job_id, 'lastStep', max(step))::text)
    FROM new_points GROUP BY job_id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER loss_points_notify AFTER INSERT ON loss_points
    REFERENCING NEW TABLE AS new_points
    FOR EACH STATEMENT EXECUTE FUNCTION srgan_notify_losses();

CREATE FUNCTION srgan_notify_row() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('srgan_events', json_build_object('kind', TG_ARGV[0], 'jobId', NEW.job_id, 'step', NEW.step)::text);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER checkpoints_notify AFTER INSERT ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION srgan_notify_row('checkpoint');
CREATE TRIGGER validation_notify AFTER INSERT ON validation_metrics
    FOR EACH ROW EXECUTE FUNCTION srgan_notify_row('validation');

CREATE FUNCTION srgan_notify_worker() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.current_job_id IS DISTINCT FROM OLD.current_job_id
       OR NEW.stopped_at IS DISTINCT FROM OLD.stopped_at OR NEW.jobs_done IS DISTINCT FROM OLD.jobs_done THEN
        PERFORM pg_notify('srgan_events', json_build_object('kind', 'worker', 'workerId', NEW.id,
            'currentJobId', NEW.current_job_id, 'stopped', NEW.stopped_at IS NOT NULL, 'jobsDone', NEW.jobs_done)::text);
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER workers_notify AFTER INSERT OR UPDATE ON workers
    FOR EACH ROW EXECUTE FUNCTION srgan_notify_worker();

-- the relay wakes up on new outbox rows instead of polling fast
CREATE FUNCTION srgan_notify_outbox() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('srgan_outbox', '');
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION srgan_notify_outbox();
