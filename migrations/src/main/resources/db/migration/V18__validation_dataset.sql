-- A training run may validate on a dataset of its own instead of the held-out tenth of its training
-- dataset: the same photos for every run, whatever each trains on, so their PSNR, SSIM and NIQE
-- compare (./srgan train --validation does the same on one machine). The training dataset then
-- trains with all its images. Deleting the validation dataset keeps the run's history: the link
-- goes, its name stays, and a retry or an extension is refused with the reason.
ALTER TABLE training_runs
    ADD COLUMN validation_dataset_id   uuid REFERENCES datasets (id) ON DELETE SET NULL,
    ADD COLUMN validation_dataset_name text;

CREATE INDEX training_runs_validation_dataset ON training_runs (validation_dataset_id)
    WHERE validation_dataset_id IS NOT NULL;
