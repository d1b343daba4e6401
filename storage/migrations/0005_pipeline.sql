-- Triage pipeline: one report per workflow run (its check run and newest attempt), the sticky comment per PR,
-- and the repository config cached by blob sha.

CREATE TABLE reports (
    installation_id  BIGINT NOT NULL,
    repository_id    BIGINT NOT NULL,
    run_id           BIGINT NOT NULL,
    run_attempt      INTEGER NOT NULL,              -- the newest attempt reported; older attempts never overwrite
    workflow_id      BIGINT,
    workflow_name    TEXT NOT NULL DEFAULT '',
    head_sha         TEXT NOT NULL,
    head_branch      TEXT,
    pr_numbers       INTEGER[] NOT NULL DEFAULT '{}',
    check_run_id     BIGINT,                        -- the "CI Triage" check run on head_sha
    status           TEXT NOT NULL DEFAULT 'triaging'
                     CHECK (status IN ('triaging', 'partial', 'failing', 'passing')),
    conclusion       TEXT,
    failures         JSONB NOT NULL DEFAULT '[]',   -- [{name, verdict, pattern_id, test_id}] for later runs
    timings          JSONB NOT NULL DEFAULT '{}',   -- seconds per stage (setup, fetch, analyze, match, report), started_at
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (installation_id, run_id)
);
CREATE INDEX reports_branch ON reports (installation_id, repository_id, head_branch, updated_at DESC);
CREATE INDEX reports_sha ON reports (installation_id, repository_id, head_sha);

CREATE TABLE report_comments (
    installation_id  BIGINT NOT NULL,
    repository_id    BIGINT NOT NULL,
    pr_number        INTEGER NOT NULL,
    comment_id       BIGINT,                        -- the sticky comment, once posted
    run_id           BIGINT NOT NULL,               -- the run it shows
    run_attempt      INTEGER NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('failing', 'passing')),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (installation_id, repository_id, pr_number)
);

CREATE TABLE repo_configs (
    installation_id  BIGINT NOT NULL,
    repository_id    BIGINT NOT NULL,
    ref              TEXT NOT NULL,                 -- the default branch it was read from
    blob_sha         TEXT,                          -- NULL: the file does not exist
    etag             TEXT,
    content          TEXT,                          -- raw YAML (at most 64 KiB)
    fetched_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (installation_id, repository_id)
);
