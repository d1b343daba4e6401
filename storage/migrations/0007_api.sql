-- REST API, dashboard and ingestion from other CI systems.

-- Repositories known from other CI systems (Jenkins, GitLab, ...), not from a GitHub installation. Their ids are
-- negative so they never collide with GitHub repository ids in failures.repository_id and friends.
CREATE SEQUENCE external_repository_ids INCREMENT BY -1 START WITH -1 MAXVALUE -1;
CREATE TABLE external_repositories (
    id               BIGINT PRIMARY KEY DEFAULT nextval('external_repository_ids'),
    installation_id  BIGINT NOT NULL,
    full_name        TEXT NOT NULL,
    default_branch   TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX external_repositories_name ON external_repositories (installation_id, lower(full_name));

-- One row per CI run reported to us, from any CI: POST /api/test-runs (source 'api') or the triage pipeline
-- (source 'github'). The run failure rate, time to recovery and time lost are computed from these rows.
CREATE TABLE ci_runs (
    id               BIGSERIAL PRIMARY KEY,
    installation_id  BIGINT NOT NULL,
    repository_id    BIGINT NOT NULL,
    source           TEXT NOT NULL CHECK (source IN ('api', 'github')),
    client_id        TEXT,                          -- the caller's idempotency id (API), or the GitHub run id
    ci               TEXT NOT NULL,                 -- jenkins | gitlab | github-actions | ...
    branch           TEXT,
    commit_sha       TEXT,
    conclusion       TEXT NOT NULL CHECK (conclusion IN ('success', 'failure')),
    failed_tests     INTEGER NOT NULL DEFAULT 0,
    duration_seconds DOUBLE PRECISION,              -- wall time of the failed work (time lost when failing)
    started_at       TIMESTAMPTZ,
    finished_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    snapshot_links   JSONB NOT NULL DEFAULT '[]',   -- [{"label", "url"}] given by the caller
    request_sha256   TEXT,                          -- replay with another body under the same id is refused
    response         JSONB,                         -- the answer given, returned again on replay
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX ci_runs_client_id ON ci_runs (installation_id, source, client_id) WHERE client_id IS NOT NULL;
CREATE INDEX ci_runs_repo_time ON ci_runs (installation_id, repository_id, finished_at DESC);

-- Patterns merged by a user: the source's failures and fingerprints moved to the target and the source deleted.
CREATE TABLE pattern_merges (
    id               BIGSERIAL PRIMARY KEY,
    installation_id  BIGINT NOT NULL,
    source_id        BIGINT NOT NULL,
    target_id        BIGINT NOT NULL,
    source_title     TEXT NOT NULL,
    merged_by        TEXT NOT NULL,
    merged_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX pattern_merges_installation ON pattern_merges (installation_id, source_id);

-- Dashboard sessions (GitHub sign-in). The cookie carries a signed random id; only its hash is stored, with the
-- user's access list (installations and repositories). The user's GitHub token is never stored.
CREATE TABLE web_sessions (
    id_hash          BYTEA PRIMARY KEY,
    user_id          BIGINT NOT NULL,
    login            TEXT NOT NULL,
    installations    BIGINT[] NOT NULL,
    repositories     BIGINT[] NOT NULL,
    csrf_token       TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);
