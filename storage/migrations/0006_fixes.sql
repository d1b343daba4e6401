-- Suggested fixes, PR comment commands (executed once each), the audit log, quarantined tests.
-- Tenant-owned: every table carries installation_id and every query filters on it.

CREATE TABLE fixes (
    installation_id  BIGINT NOT NULL,
    id               TEXT NOT NULL CHECK (id ~ '^[0-9a-f]{8}$'),   -- shown to users: /triage approve <id>
    repository_id    BIGINT NOT NULL,
    repo_full_name   TEXT NOT NULL,
    pr_number        INTEGER,
    head_sha         TEXT NOT NULL,                 -- the commit the diff was verified against
    source           TEXT NOT NULL CHECK (source IN ('history', 'rule', 'llm')),
    rule             TEXT NOT NULL,
    title            TEXT NOT NULL,
    explanation      TEXT NOT NULL,
    confidence       REAL NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
    score            REAL NOT NULL,                 -- confidence adjusted by past outcomes (ranking)
    diff             TEXT NOT NULL,
    diff_hash        TEXT NOT NULL,                 -- sha256 of the diff: the same fix suggested again is found
    fingerprint      TEXT,
    links            TEXT[] NOT NULL DEFAULT '{}',
    status           TEXT NOT NULL DEFAULT 'suggested'
                     CHECK (status IN ('suggested', 'applied', 'suggested_in_review', 'rejected', 'failed')),
    decided_by       TEXT,
    decided_at       TIMESTAMPTZ,
    reason           TEXT,                          -- rejection reason, or why applying failed
    commit_sha       TEXT,                          -- the commit that applied it
    outcome          TEXT CHECK (outcome IN ('worked', 'failed')),
    outcome_at       TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (installation_id, id)
);
CREATE UNIQUE INDEX fixes_same_suggestion ON fixes (installation_id, repository_id, head_sha, diff_hash);
CREATE INDEX fixes_by_pr ON fixes (installation_id, repository_id, pr_number, created_at DESC);
CREATE INDEX fixes_by_commit ON fixes (installation_id, repository_id, commit_sha) WHERE commit_sha IS NOT NULL;
CREATE INDEX fixes_by_diff ON fixes (installation_id, diff_hash) WHERE outcome IS NOT NULL;

-- The failures a PR's latest triage saw, kept for `/triage explain` (written when fixes are suggested).
CREATE TABLE fix_contexts (
    installation_id  BIGINT NOT NULL,
    repository_id    BIGINT NOT NULL,
    pr_number        INTEGER NOT NULL,
    head_sha         TEXT NOT NULL,
    failures         JSONB NOT NULL,                -- [{tool, kind, message, file, line, test_id, excerpt}]
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (installation_id, repository_id, pr_number)
);

-- One row per comment (or button press) whose commands ran: a redelivered or replayed event runs nothing.
CREATE TABLE command_executions (
    installation_id  BIGINT NOT NULL,
    source           TEXT NOT NULL CHECK (source IN ('comment', 'check_run')),
    key              TEXT NOT NULL,                 -- comment id, or the delivery id of a button press
    repository_id    BIGINT,
    actor            TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (installation_id, source, key)
);

CREATE TABLE audit_log (
    id               BIGSERIAL PRIMARY KEY,
    installation_id  BIGINT NOT NULL,
    repository_id    BIGINT,
    actor            TEXT NOT NULL,                 -- GitHub login
    action           TEXT NOT NULL,                 -- e.g. command.approve
    target           TEXT,                          -- fix id, test id, run id
    result           TEXT NOT NULL CHECK (result IN ('ok', 'denied', 'refused', 'failed')),
    message          TEXT,
    detail           JSONB NOT NULL DEFAULT '{}',   -- pr number, comment id, commit sha, ...
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_by_installation ON audit_log (installation_id, created_at DESC);

CREATE TABLE quarantines (
    id               BIGSERIAL PRIMARY KEY,
    installation_id  BIGINT NOT NULL,
    repository_id    BIGINT NOT NULL,
    test_id          TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at       TIMESTAMPTZ NOT NULL,
    ended_at         TIMESTAMPTZ,
    ended_by         TEXT
);
CREATE UNIQUE INDEX quarantines_open ON quarantines (installation_id, repository_id, test_id) WHERE ended_at IS NULL;
