-- A training run may start from a registered model instead of from random weights (fine-tuning):
-- jobs.model_id names that model while it exists, so the model cannot be deleted while the run is
-- queued or running. training_runs keeps which model it was, by id and name, after the model is
-- deleted: the run's page still says where it started, and a run that stored no checkpoint yet
-- knows it cannot start again without it.
ALTER TABLE training_runs
    ADD COLUMN base_model_id   uuid,
    ADD COLUMN base_model_name text;
