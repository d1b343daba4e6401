-- Preview deployments, browser snapshots, stored artifacts and API keys.

-- Every deployment_status event (all states), so previews are found per head sha and deployment frequency
-- can be computed later. One row per GitHub deployment status: redeliveries change nothing.
CREATE TABLE deployments (
    id               BIGSERIAL PRIMARY KEY,
    installation_id  BIGINT NOT NULL,
    repository_id    BIGINT NOT NULL,
    repository       TEXT NOT NULL,                 -- full_name at the time of the event
    deployment_id    BIGINT NOT NULL,               -- GitHub deployment id
    status_id        BIGINT NOT NULL,               -- GitHub deployment status id
    sha              TEXT NOT NULL,
    ref              TEXT,
    environment      TEXT NOT NULL,
    state            TEXT NOT NULL,                 -- success | failure | error | inactive | in_progress | queued | pending
    url              TEXT,                          -- environment_url, else target_url
    transient        BOOLEAN,
    production       BOOLEAN,
    created_at       TIMESTAMPTZ NOT NULL,          -- deployment_status.created_at
    recorded_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (installation_id, status_id)
);
CREATE INDEX deployments_sha ON deployments (installation_id, repository_id, sha, created_at DESC);
CREATE INDEX deployments_frequency ON deployments (installation_id, repository_id, environment, created_at);

-- One row per captured route (pipeline) or per API request.
CREATE TABLE snapshots (
    id               UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    installation_id  BIGINT NOT NULL,
    repository_id    BIGINT,                        -- NULL for API captures
    source           TEXT NOT NULL CHECK (source IN ('pipeline', 'api')),
    status           TEXT NOT NULL DEFAULT 'queued'
                     CHECK (status IN ('queued', 'running', 'done', 'failed')),
    url              TEXT NOT NULL,                 -- the page captured
    route            TEXT NOT NULL DEFAULT '/',
    run_id           BIGINT,
    run_attempt      INTEGER,
    head_sha         TEXT,
    pr_number        INTEGER,
    run_passed       BOOLEAN,                       -- true: a green baseline for later diffs
    test_run_id      TEXT,                          -- caller's id (API)
    options          JSONB NOT NULL DEFAULT '{}',   -- viewport, waitForSelector
    summary          JSONB,                         -- console, page errors, failed/blocked requests, notes
    diff             JSONB,                         -- against baseline_id
    baseline_id      UUID REFERENCES snapshots(id) ON DELETE SET NULL,
    error            TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at      TIMESTAMPTZ
);
CREATE INDEX snapshots_baseline ON snapshots (installation_id, repository_id, route, created_at DESC)
    WHERE run_passed AND status = 'done';
CREATE INDEX snapshots_run ON snapshots (installation_id, run_id, run_attempt);
CREATE INDEX snapshots_created ON snapshots (created_at);

-- Every object in the artifact store, so retention can delete objects with their rows.
CREATE TABLE artifacts (
    id               BIGSERIAL PRIMARY KEY,
    installation_id  BIGINT NOT NULL,
    snapshot_id      UUID REFERENCES snapshots(id) ON DELETE CASCADE,
    kind             TEXT NOT NULL,                 -- screenshot | html | har | console | log | ...
    key              TEXT NOT NULL UNIQUE,          -- store key, starts with the installation id
    content_type     TEXT NOT NULL,
    size_bytes       BIGINT NOT NULL,
    sha256           TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX artifacts_snapshot ON artifacts (installation_id, snapshot_id);
CREATE INDEX artifacts_created ON artifacts (created_at);

-- API keys for other CI systems: only a sha256 of the key is stored; the prefix identifies it to people.
CREATE TABLE api_keys (
    id               BIGSERIAL PRIMARY KEY,
    installation_id  BIGINT NOT NULL,
    name             TEXT NOT NULL,
    prefix           TEXT NOT NULL,
    key_hash         BYTEA NOT NULL UNIQUE,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used_at     TIMESTAMPTZ,
    revoked_at       TIMESTAMPTZ
);
CREATE INDEX api_keys_prefix ON api_keys (prefix);
CREATE INDEX api_keys_installation ON api_keys (installation_id);
