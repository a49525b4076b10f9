-- Fencing: each claim of a job increments its lease epoch, and every write that belongs to an
-- attempt (its outcome, result, progress, loss points, validations, samples, checkpoints and their
-- retention) carries the epoch of that attempt's claim and applies only while the job is still
-- RUNNING under that epoch, checked in the write's own transaction. A worker that was paused past
-- its lease (a long GC pause, a frozen VM) can therefore write nothing for a job that was taken
-- from it, even when the same worker has claimed the job again since.
ALTER TABLE jobs ADD COLUMN lease_epoch bigint NOT NULL DEFAULT 0;
