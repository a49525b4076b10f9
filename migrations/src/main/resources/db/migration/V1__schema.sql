-- SRGAN Cluster schema. Jobs are the unit of work; everything a job produces hangs off it.
-- Large binaries (images, datasets, checkpoints, models) live in blobs, stored as 1 MiB chunks
-- of bytea so they stream in and out without ever being held whole in a JVM heap.

CREATE TABLE blobs (
    id            uuid PRIMARY KEY,
    content_type  text        NOT NULL,
    size_bytes    bigint      NOT NULL DEFAULT 0,
    sha256        text,
    complete      boolean     NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE blob_chunks (
    blob_id  uuid    NOT NULL REFERENCES blobs (id) ON DELETE CASCADE,
    seq      integer NOT NULL,
    data     bytea   NOT NULL,
    PRIMARY KEY (blob_id, seq)
);

CREATE TABLE workers (
    id              text        PRIMARY KEY,
    host            text        NOT NULL,
    pid             bigint      NOT NULL,
    device          text        NOT NULL,
    job_types       text        NOT NULL,
    started_at      timestamptz NOT NULL DEFAULT now(),
    last_heartbeat  timestamptz NOT NULL DEFAULT now(),
    stopped_at      timestamptz,
    current_job_id  uuid,
    jobs_done       bigint      NOT NULL DEFAULT 0
);

CREATE TABLE datasets (
    id           uuid        PRIMARY KEY,
    name         text        NOT NULL,
    image_count  integer     NOT NULL CHECK (image_count > 0),
    size_bytes   bigint      NOT NULL,
    blob_id      uuid        NOT NULL REFERENCES blobs (id),
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE models (
    id                    uuid        PRIMARY KEY,
    name                  text        NOT NULL,
    format                text        NOT NULL CHECK (format IN ('CHECKPOINT', 'TORCHSCRIPT')),
    scale                 integer     NOT NULL CHECK (scale IN (2, 4, 8)),
    residual_blocks       integer,
    source                text        NOT NULL,
    source_job_id         uuid,
    source_checkpoint_id  uuid,
    blob_id               uuid        NOT NULL REFERENCES blobs (id),
    is_default            boolean     NOT NULL DEFAULT false,
    description           text,
    created_at            timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX models_one_default_per_scale ON models (scale) WHERE is_default;

CREATE TABLE jobs (
    id                uuid        PRIMARY KEY,
    type              text        NOT NULL CHECK (type IN ('UPSCALE', 'TRAINING', 'EVALUATE')),
    status            text        NOT NULL CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    name              text,
    params            jsonb       NOT NULL DEFAULT '{}',
    input_blob_id     uuid        REFERENCES blobs (id),
    input_name        text,
    model_id          uuid        REFERENCES models (id),
    dataset_id        uuid        REFERENCES datasets (id),
    attempts          integer     NOT NULL DEFAULT 0,
    max_attempts      integer     NOT NULL DEFAULT 3,
    worker_id         text,
    lease_expires_at  timestamptz,
    progress          real        NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
    progress_message  text,
    cancel_requested  boolean     NOT NULL DEFAULT false,
    error             text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    started_at        timestamptz,
    finished_at       timestamptz,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_created ON jobs (created_at DESC, id);
CREATE INDEX jobs_status_created ON jobs (status, created_at DESC);
CREATE INDEX jobs_type_status_created ON jobs (type, status, created_at DESC);
CREATE INDEX jobs_running_lease ON jobs (lease_expires_at) WHERE status = 'RUNNING';

CREATE TABLE job_events (
    id         bigserial   PRIMARY KEY,
    job_id     uuid        NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    at         timestamptz NOT NULL DEFAULT now(),
    kind       text        NOT NULL,
    status     text,
    worker_id  text,
    message    text
);
CREATE INDEX job_events_job ON job_events (job_id, id);

-- Transactional outbox: written in the same transaction as the job, published to Kafka by the relay.
CREATE TABLE outbox (
    id            bigserial   PRIMARY KEY,
    topic         text        NOT NULL,
    message_key   text        NOT NULL,
    payload       text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- a retry with backoff is an outbox row that becomes available later
    available_at  timestamptz NOT NULL DEFAULT now(),
    published_at  timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (available_at, id) WHERE published_at IS NULL;

-- One result per job: the unique key makes a second result impossible, whatever is redelivered.
CREATE TABLE results (
    job_id        uuid        PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    blob_id       uuid        NOT NULL REFERENCES blobs (id),
    width         integer     NOT NULL,
    height        integer     NOT NULL,
    content_type  text        NOT NULL,
    model_ms      bigint,
    total_ms      bigint,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE training_runs (
    job_id        uuid        PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    config        jsonb       NOT NULL,
    content_loss  text,
    total_steps   integer     NOT NULL,
    current_step  integer     NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE loss_points (
    job_id            uuid     NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    step              integer  NOT NULL,
    phase             text     NOT NULL,
    d_loss            double precision,
    g_loss            double precision,
    content_loss      double precision,
    adversarial_loss  double precision,
    d_real            double precision,
    d_fake            double precision,
    lr_g              double precision,
    lr_d              double precision,
    seconds_per_step  double precision,
    PRIMARY KEY (job_id, step)
);

CREATE TABLE validation_metrics (
    job_id        uuid    NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    step          integer NOT NULL,
    psnr          double precision NOT NULL,
    ssim          double precision NOT NULL,
    bicubic_psnr  double precision NOT NULL,
    bicubic_ssim  double precision NOT NULL,
    PRIMARY KEY (job_id, step)
);

CREATE TABLE checkpoints (
    id          uuid        PRIMARY KEY,
    job_id      uuid        NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    step        integer     NOT NULL,
    blob_id     uuid        NOT NULL REFERENCES blobs (id),
    size_bytes  bigint      NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (job_id, step)
);

CREATE TABLE sample_images (
    job_id   uuid    NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    step     integer NOT NULL,
    idx      integer NOT NULL,
    blob_id  uuid    NOT NULL REFERENCES blobs (id),
    PRIMARY KEY (job_id, step, idx)
);

CREATE TABLE model_evaluations (
    id             uuid        PRIMARY KEY,
    model_id       uuid        NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    job_id         uuid        REFERENCES jobs (id) ON DELETE SET NULL,
    scale          integer     NOT NULL,
    image_count    integer     NOT NULL,
    psnr           double precision NOT NULL,
    ssim           double precision NOT NULL,
    bicubic_psnr   double precision NOT NULL,
    bicubic_ssim   double precision NOT NULL,
    ms_per_image   double precision NOT NULL,
    details        jsonb       NOT NULL DEFAULT '[]',
    created_at     timestamptz NOT NULL DEFAULT now()
);
