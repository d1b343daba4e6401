-- Where the changes that broke a pattern's test touched the code (analysis.change_loci: path#symbol), for test
-- failures whose log cannot tell faults apart (a thin signature): a failure with the same signature after a change
-- to other code is another fault and joins another pattern. NULL: no member's change was known.
ALTER TABLE patterns ADD COLUMN change_loci TEXT[];
-- The patterns of one signature (a thin one may have several, one per place its faults were changed).
CREATE INDEX patterns_signature_key ON patterns (installation_id, signature_key);
-- The test patterns made before: their members' changes were never read, so no place tells them apart ('*').
UPDATE patterns SET change_loci = ARRAY['*'] WHERE kind = 'test';
