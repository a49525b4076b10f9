-- Hyperparameter sweeps: one submission with base hyperparameters and a grid of values becomes one
-- training job per grid point (the cartesian product), all written in one transaction. The jobs
-- are ordinary training jobs (jobs, training_runs, the outbox); these tables only remember which
-- jobs belong to a sweep and which grid point each one runs. `parameters` keeps the grid's keys in
-- the order they were given (jsonb sorts object keys), so pages show the columns in that order.
CREATE TABLE training_sweeps (
    id            uuid        PRIMARY KEY,
    name          text        NOT NULL,
    dataset_id    uuid        NOT NULL REFERENCES datasets (id),
    content_loss  text        NOT NULL,
    base          jsonb       NOT NULL,
    grid          jsonb       NOT NULL,
    parameters    text[]      NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX training_sweeps_created ON training_sweeps (created_at DESC, id);

CREATE TABLE training_sweep_runs (
    sweep_id  uuid    NOT NULL REFERENCES training_sweeps (id) ON DELETE CASCADE,
    idx       integer NOT NULL,
    job_id    uuid    NOT NULL UNIQUE REFERENCES jobs (id) ON DELETE CASCADE,
    point     jsonb   NOT NULL,
    PRIMARY KEY (sweep_id, idx)
);
