-- Failure signatures (analysis/signature.py): a pattern's identity is its signature key, and similarity is only
-- compared among patterns of one scope (same tool, kind, test or file, error type and key identifiers).
-- Existing patterns keep everything; their keys are filled in by the history service on start-up (and by
-- `ci-triage rekey`) from their representative failure, since the signature is computed in Python.
ALTER TABLE patterns ADD COLUMN signature_key TEXT;
ALTER TABLE patterns ADD COLUMN scope_key TEXT;
ALTER TABLE patterns ADD COLUMN signature JSONB;
CREATE INDEX patterns_scope ON patterns (installation_id, scope_key);
CREATE INDEX patterns_unkeyed ON patterns (id) WHERE signature_key IS NULL;

-- Where each failure was seen, for the evidence of a "seen before": the run's number as GitHub shows it.
ALTER TABLE failures ADD COLUMN signature_key TEXT;
ALTER TABLE failures ADD COLUMN run_number INTEGER;
-- Occurrences count runs: "has this pattern already occurred in this run?"
CREATE INDEX failures_pattern_run ON failures (installation_id, pattern_id, run_id, run_attempt);

-- 'signature': the same signature key as an earlier failure; 'generic': too generic to match (never known).
ALTER TABLE failures DROP CONSTRAINT failures_how_check;
ALTER TABLE failures ADD CONSTRAINT failures_how_check
    CHECK (how IN ('fingerprint', 'signature', 'similar', 'new', 'generic'));
