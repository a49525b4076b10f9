-- An evaluation may measure a model on LR inputs degraded as real photos are (blur before the
-- bicubic shrink, noise and JPEG after): {"blurSigma": 1.5, "noiseSigma": 5, "jpegQuality": 67}.
-- NULL: the bicubic shrink alone, as every evaluation before this.
ALTER TABLE model_evaluations ADD COLUMN degradation jsonb;
