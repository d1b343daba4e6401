-- The text of a compile, type or lint failure's line, read from the repository's source at the run's commit
-- (githubapp.pipeline.source): the offending code when the log prints none (go vet), part of the failure's
-- signature (analysis.source_line), so the signatures recomputed after an upgrade (rekey) find it here; NULL when
-- no source was read.
ALTER TABLE failures ADD COLUMN code_line TEXT;
