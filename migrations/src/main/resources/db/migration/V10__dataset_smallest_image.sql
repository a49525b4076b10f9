-- The shortest side over a dataset's images, and the image that has it, measured at upload, so a
-- training run or sweep whose hrCropSize cannot be cut from every image is refused when it is
-- submitted (422) instead of failing on a worker. Null for datasets stored before this column:
-- the worker's own check still stands for those.
ALTER TABLE datasets
    ADD COLUMN smallest_side  integer CHECK (smallest_side > 0),
    ADD COLUMN smallest_image text;
