-- History: failures with their vectors, failure patterns, test outcomes, changed files.
-- Vector columns are created without a dimension; storage/history.py types them with the active embedder's
-- dimension (and builds the HNSW indexes) on first use, and `ci-triage reembed` retypes them.
-- No foreign keys to installations/repositories: the history also serves `ci-triage replay` and other CI
-- systems' ingestion; installation purges delete by installation_id.

CREATE TABLE history_embedder (
    singleton        BOOLEAN PRIMARY KEY DEFAULT true CHECK (singleton),
    name             TEXT NOT NULL,                 -- e.g. hashing-v1-384, openai:text-embedding-3-small
    dim              INTEGER NOT NULL CHECK (dim > 0),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE patterns (
    id               BIGSERIAL PRIMARY KEY,
    installation_id  BIGINT NOT NULL,
    kind             TEXT NOT NULL,
    tool             TEXT NOT NULL DEFAULT '',
    title            TEXT NOT NULL,                 -- the representative failure's message (first line)
    test_id          TEXT,
    representative_failure_id BIGINT,               -- may point to an expired failure
    representative_text TEXT NOT NULL,              -- normalized text: kept so reembed works after retention
    centroid         vector,
    occurrences      BIGINT NOT NULL DEFAULT 0,
    first_seen       TIMESTAMPTZ NOT NULL,
    last_seen        TIMESTAMPTZ NOT NULL,
    repositories     BIGINT[] NOT NULL DEFAULT '{}',
    status           TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'muted', 'pinned')),
    resolution       JSONB,                         -- how it was made to pass last time
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX patterns_installation ON patterns (installation_id, last_seen DESC);

-- Exact fingerprints owned by a pattern: the first assignment rule, and the concurrency guard (unique).
CREATE TABLE pattern_fingerprints (
    installation_id  BIGINT NOT NULL,
    fingerprint      TEXT NOT NULL,
    pattern_id       BIGINT NOT NULL REFERENCES patterns(id) ON DELETE CASCADE,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (installation_id, fingerprint)
);
CREATE INDEX pattern_fingerprints_pattern ON pattern_fingerprints (pattern_id);

CREATE TABLE failures (
    id               BIGSERIAL PRIMARY KEY,
    installation_id  BIGINT NOT NULL,
    repository_id    BIGINT NOT NULL,
    pattern_id       BIGINT REFERENCES patterns(id) ON DELETE SET NULL,
    run_id           BIGINT,
    run_attempt      INTEGER NOT NULL DEFAULT 1,
    job_id           BIGINT,
    job_name         TEXT,
    head_sha         TEXT,
    branch           TEXT,
    pr_number        INTEGER,
    kind             TEXT NOT NULL,
    tool             TEXT NOT NULL DEFAULT '',
    test_id          TEXT,
    message          TEXT NOT NULL,
    file             TEXT,
    line             INTEGER,
    fingerprint      TEXT NOT NULL,
    text             TEXT NOT NULL,                 -- the normalized text that was embedded
    excerpt          TEXT,                          -- raw log lines; cleared after LOG_RETENTION_DAYS
    how              TEXT NOT NULL CHECK (how IN ('fingerprint', 'similar', 'new')),
    similarity       REAL NOT NULL DEFAULT 0,
    embedding        vector,
    seen_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX failures_installation_seen ON failures (installation_id, seen_at);
CREATE INDEX failures_pattern ON failures (installation_id, pattern_id, seen_at DESC);
CREATE INDEX failures_repo_test ON failures (installation_id, repository_id, test_id);
CREATE INDEX failures_repo_sha ON failures (installation_id, repository_id, head_sha);
-- A re-run job (same run, attempt, job) records each fingerprint once: the pipeline may retry.
CREATE UNIQUE INDEX failures_dedup ON failures
    (installation_id, repository_id, run_id, run_attempt, job_id, fingerprint)
    WHERE run_id IS NOT NULL AND job_id IS NOT NULL;

CREATE TABLE test_outcomes (
    id               BIGSERIAL PRIMARY KEY,
    installation_id  BIGINT NOT NULL,
    repository_id    BIGINT NOT NULL,
    test_id          TEXT NOT NULL,
    head_sha         TEXT NOT NULL,
    run_id           BIGINT NOT NULL DEFAULT 0,
    run_attempt      INTEGER NOT NULL DEFAULT 1,
    job              TEXT NOT NULL DEFAULT '',
    branch           TEXT,
    pr_number        INTEGER,
    outcome          TEXT NOT NULL CHECK (outcome IN ('passed', 'failed', 'skipped')),
    infra            BOOLEAN NOT NULL DEFAULT false,
    recorded_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (installation_id, repository_id, test_id, head_sha, run_id, run_attempt, job)
);
CREATE INDEX test_outcomes_repo_time ON test_outcomes (installation_id, repository_id, recorded_at);
CREATE INDEX test_outcomes_repo_sha ON test_outcomes (installation_id, repository_id, head_sha);

-- Files changed by a commit/PR head, so tests can be linked to the paths whose changes broke them.
CREATE TABLE change_files (
    installation_id  BIGINT NOT NULL,
    repository_id    BIGINT NOT NULL,
    head_sha         TEXT NOT NULL,
    pr_number        INTEGER,
    files            TEXT[] NOT NULL,
    recorded_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (installation_id, repository_id, head_sha)
);
