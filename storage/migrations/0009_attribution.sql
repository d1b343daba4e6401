-- Attribution (new / pre-existing / flaky / infra): every completed workflow run we learn about, with its
-- branch, event and commit, so a pull request's failures can be compared with its base branch's runs and a
-- default branch's failing streak has a first bad commit. Failures keep the verdict they were given.

CREATE TABLE workflow_runs (
    installation_id  BIGINT NOT NULL,
    repository_id    BIGINT NOT NULL,
    run_id           BIGINT NOT NULL,
    run_attempt      INTEGER NOT NULL,              -- the newest attempt recorded
    repo_full_name   TEXT NOT NULL DEFAULT '',      -- owner/name, for views
    default_branch   TEXT,                          -- the repository's default branch when the run completed
    workflow_id      BIGINT,
    workflow_name    TEXT NOT NULL DEFAULT '',
    run_number       INTEGER,
    event            TEXT,                          -- push | pull_request | schedule | ...
    pr_numbers       INTEGER[] NOT NULL DEFAULT '{}', -- a run of a PR's head (whatever its event) is not a branch's
    head_branch      TEXT,
    head_sha         TEXT NOT NULL,
    head_commit_at   TIMESTAMPTZ,                   -- the head commit's timestamp (orders a branch's runs)
    conclusion       TEXT NOT NULL CHECK (conclusion IN ('success', 'failure')),
    html_url         TEXT,
    analysed         BOOLEAN NOT NULL DEFAULT false, -- a failed run whose failures are in `failures`
    completed_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (installation_id, run_id)
);
CREATE INDEX workflow_runs_branch ON workflow_runs
    (installation_id, repository_id, head_branch, workflow_id, head_commit_at DESC);
CREATE INDEX workflow_runs_sha ON workflow_runs (installation_id, repository_id, head_sha);

ALTER TABLE failures ADD COLUMN verdict TEXT CHECK (verdict IN ('new', 'pre-existing', 'flaky', 'infra'));
ALTER TABLE failures ADD COLUMN verdict_reason TEXT;
CREATE INDEX failures_run ON failures (installation_id, repository_id, run_id);
