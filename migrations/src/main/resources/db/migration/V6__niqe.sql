-- NIQE (Mittal, Soundararajan and Bovik 2013): a no-reference measure of how natural an image
-- looks, lower is better. An evaluation keeps the mean NIQE of the model's output, of bicubic and of
-- the original photos; a validation that of the generator's output and of bicubic. Null where no
-- image was large enough to be scored (at least 192x192 after the border is cropped), and in every
-- row written before NIQE was measured.
ALTER TABLE model_evaluations
    ADD COLUMN niqe          double precision,
    ADD COLUMN bicubic_niqe  double precision,
    ADD COLUMN hr_niqe       double precision;

ALTER TABLE validation_metrics
    ADD COLUMN niqe          double precision,
    ADD COLUMN bicubic_niqe  double precision;
