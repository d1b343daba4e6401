-- Repeats of one message that the analysis folded into a failure (mypy's "Name ... is not defined" in 40
-- files): how many lines the tool printed, the first distinct files with their counts ([[path, n], ...], in
-- log order, at most 100) and how many distinct files in all. A failure seen once: 1, NULL, 0.
ALTER TABLE failures
    ADD COLUMN occurrences INTEGER NOT NULL DEFAULT 1,
    ADD COLUMN repeated_in JSONB,
    ADD COLUMN file_count INTEGER NOT NULL DEFAULT 0;
