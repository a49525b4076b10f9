-- What was deleted, and who manages whom: each row written in the transaction of the change it
-- records, so a change without its row (or a row without its change) cannot happen. Job
-- submissions, cancels and retries are in job_events; those go with a deleted job, this stays.
CREATE TABLE audit_log (
    id      bigserial   PRIMARY KEY,
    at      timestamptz NOT NULL DEFAULT now(),
    actor   text        NOT NULL,
    action  text        NOT NULL,
    target  text,
    detail  text        NOT NULL
);
CREATE INDEX audit_log_action ON audit_log (action, id DESC);
CREATE INDEX audit_log_actor ON audit_log (actor, id DESC);
