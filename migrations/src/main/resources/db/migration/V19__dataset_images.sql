-- The images of a dataset as its upload found them (the entries a training run reads, in the
-- zip's order), so the api can show what a dataset holds and which of its images a run holds out
-- for validation without unpacking it. Datasets uploaded before this have none until their images
-- are first asked for, when the api reads them from the stored zip once.
CREATE TABLE dataset_images (
    dataset_id  uuid    NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    ordinal     integer NOT NULL,
    name        text    NOT NULL,
    width       integer NOT NULL,
    height      integer NOT NULL,
    size_bytes  bigint  NOT NULL,
    PRIMARY KEY (dataset_id, ordinal)
);
