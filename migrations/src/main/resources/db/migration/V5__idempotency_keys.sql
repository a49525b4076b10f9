-- Idempotent submissions: a client that sends the same Idempotency-Key header again (a retry after
-- a timeout, a double click) gets the first answer instead of a second job. A key belongs to the
-- token that used it; it remembers which endpoint it was used on and a fingerprint of the request
-- (the same key with a different request is refused), and is kept for 24 hours.
CREATE TABLE idempotency_keys (
    owner        text        NOT NULL,
    key          text        NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    endpoint     text        NOT NULL,
    fingerprint  text        NOT NULL,
    resource_id  uuid,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (owner, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
