-- The symbol a compile, type or lint failure's line is in, read from the repository's source at the run's commit
-- (analysis.enclosing: a function, a YAML key path, a make target). Part of the failure's signature, so the
-- signatures recomputed after an upgrade (rekey) find it here; NULL when the log named it or nothing did.
ALTER TABLE failures ADD COLUMN symbol TEXT;
