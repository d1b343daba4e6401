-- Core bookkeeping: installations, repositories, webhook deliveries.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE installations (
    id               BIGINT PRIMARY KEY,            -- GitHub installation id
    account_login    TEXT NOT NULL,
    account_type     TEXT NOT NULL DEFAULT 'Organization',
    account_id       BIGINT,
    permissions      JSONB NOT NULL DEFAULT '{}',
    events           TEXT[] NOT NULL DEFAULT '{}',
    suspended_at     TIMESTAMPTZ,
    deleted_at       TIMESTAMPTZ,                   -- data purged after a grace period
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE repositories (
    id               BIGINT PRIMARY KEY,            -- GitHub repository id
    installation_id  BIGINT NOT NULL REFERENCES installations(id) ON DELETE CASCADE,
    full_name        TEXT NOT NULL,
    private          BOOLEAN NOT NULL DEFAULT false,
    default_branch   TEXT,
    removed_at       TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX repositories_installation ON repositories (installation_id);
CREATE UNIQUE INDEX repositories_full_name ON repositories (installation_id, lower(full_name));

CREATE TABLE deliveries (
    id               TEXT PRIMARY KEY,              -- X-GitHub-Delivery (same on redelivery)
    event            TEXT NOT NULL,
    action           TEXT,
    installation_id  BIGINT,
    repository       TEXT,
    payload          JSONB NOT NULL,
    received_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'queued', 'running', 'done', 'failed', 'ignored')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    enqueued_at      TIMESTAMPTZ,
    finished_at      TIMESTAMPTZ
);
CREATE INDEX deliveries_status ON deliveries (status, received_at);
CREATE INDEX deliveries_installation ON deliveries (installation_id, received_at DESC);
