-- API tokens: who may call the api and the dashboard, and with which role. Only the SHA-256 of a
-- token is stored: a copy of this table (a backup, a log of a query) grants nothing. The raw token
-- is shown once, when it is created.
CREATE TABLE api_tokens (
    id          uuid PRIMARY KEY,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    role        text NOT NULL CHECK (role IN ('VIEWER', 'OPERATOR', 'ADMIN')),
    token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
