-- The same crop of one evaluation photo for every model (networks Comparison: Grace Hopper's
-- portrait, a 176-pixel window), so the Models page compares models by eye. A model's crop is
-- made where the model runs: by an EVALUATE job, or at ship time for the shipped models. One per
-- model; psnr is the crop's PSNR(Y) against the original's window.
CREATE TABLE model_comparisons (
    model_id    uuid             PRIMARY KEY REFERENCES models (id) ON DELETE CASCADE,
    photo       text             NOT NULL,
    x           integer          NOT NULL,
    y           integer          NOT NULL,
    size        integer          NOT NULL,
    psnr        double precision NOT NULL,
    blob_id     uuid             NOT NULL REFERENCES blobs (id),
    created_at  timestamptz      NOT NULL DEFAULT now()
);
