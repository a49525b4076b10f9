-- Models and datasets can be deleted (DELETE /api/models/{id}, /api/datasets/{id}) once no queued
-- or running job uses them. The jobs that used one before keep their history and lose only the
-- link: their model_id or dataset_id becomes null, and a retry of such a job is refused with the
-- reason. A sweep's dataset link goes the same way.
ALTER TABLE jobs
    DROP CONSTRAINT jobs_model_id_fkey,
    ADD CONSTRAINT jobs_model_id_fkey FOREIGN KEY (model_id) REFERENCES models (id) ON DELETE SET NULL,
    DROP CONSTRAINT jobs_dataset_id_fkey,
    ADD CONSTRAINT jobs_dataset_id_fkey FOREIGN KEY (dataset_id) REFERENCES datasets (id) ON DELETE SET NULL;

ALTER TABLE training_sweeps
    ALTER COLUMN dataset_id DROP NOT NULL,
    DROP CONSTRAINT training_sweeps_dataset_id_fkey,
    ADD CONSTRAINT training_sweeps_dataset_id_fkey FOREIGN KEY (dataset_id) REFERENCES datasets (id) ON DELETE SET NULL;
