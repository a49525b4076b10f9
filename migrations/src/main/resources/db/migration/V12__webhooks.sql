-- Webhooks: a job submitted with a webhookUrl is POSTed to it each time it ends (SUCCEEDED,
-- FAILED or CANCELLED; again after a retry ends it again). Whoever ends the job (a worker's
-- outcome, the lease reaper, a cancel by the api, a batch's roll-up) the delivery row follows
-- from the write itself, in the same transaction, so no ending is missed. The api's relay sends
-- the rows (FOR UPDATE SKIP LOCKED, so api replicas never send one twice at once) and retries
-- failed sends with backoff.

CREATE TABLE job_webhooks (
    job_id  uuid PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    url     text NOT NULL CHECK (length(url) <= 2000)
);

CREATE TABLE webhook_deliveries (
    id             bigserial   PRIMARY KEY,
    job_id         uuid        NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    url            text        NOT NULL,
    job_status     text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    available_at   timestamptz NOT NULL DEFAULT now(),
    attempts       integer     NOT NULL DEFAULT 0,
    delivered_at   timestamptz,
    gave_up_at     timestamptz,
    response_code  integer,
    last_error     text
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (available_at)
    WHERE delivered_at IS NULL AND gave_up_at IS NULL;
CREATE INDEX webhook_deliveries_job ON webhook_deliveries (job_id, id);

CREATE FUNCTION srgan_job_webhook() RETURNS trigger AS $$
BEGIN
    IF NEW.status IN ('SUCCEEDED', 'FAILED', 'CANCELLED') AND NEW.status IS DISTINCT FROM OLD.status THEN
        INSERT INTO webhook_deliveries (job_id, url, job_status)
        SELECT NEW.id, w.url, NEW.status FROM job_webhooks w WHERE w.job_id = NEW.id;
        IF FOUND THEN
            PERFORM pg_notify('srgan_webhooks', '');
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER jobs_webhook AFTER UPDATE OF status ON jobs
    FOR EACH ROW EXECUTE FUNCTION srgan_job_webhook();

-- the job's page follows its webhook live: every send recorded is an event, as job changes are
CREATE FUNCTION srgan_notify_webhook() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('srgan_events', json_build_object(
        'kind', 'webhook', 'jobId', NEW.job_id, 'deliveryId', NEW.id, 'attempts', NEW.attempts,
        'delivered', NEW.delivered_at IS NOT NULL, 'gaveUp', NEW.gave_up_at IS NOT NULL)::text);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER webhook_deliveries_notify AFTER INSERT OR UPDATE ON webhook_deliveries
    FOR EACH ROW EXECUTE FUNCTION srgan_notify_webhook();
