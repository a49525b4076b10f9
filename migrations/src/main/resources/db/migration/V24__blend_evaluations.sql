-- An evaluation of a model blended with a second one (POST /api/models/{id}/evaluate with
-- blendModelId, blendWeight and blendMode) records the blend as {"modelId", "weight", "mode"};
-- null for the model alone. The model's own row on the Models page reads only the latter.
ALTER TABLE model_evaluations ADD COLUMN blend jsonb;
CREATE INDEX model_evaluations_blend_model ON model_evaluations (((blend ->> 'modelId')::uuid)) WHERE blend IS NOT NULL;
