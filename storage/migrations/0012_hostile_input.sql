-- Issue 19 (hostile input and abuse): commands run exactly once, scoped API keys, loss-free reconcile.

-- A command execution is claimed with a lease: a worker that dies mid-command leaves it 'running' until the
-- lease expires, then a retry takes it over. Each command's outcome is recorded as it finishes (by its index
-- in the comment), so a takeover never runs a finished command again; the reply is recorded once posted.
-- Rows written before this migration are finished executions.
ALTER TABLE command_executions
    ADD COLUMN state        TEXT NOT NULL DEFAULT 'done' CHECK (state IN ('running', 'done')),
    ADD COLUMN lease_until  TIMESTAMPTZ,
    ADD COLUMN outcomes     JSONB NOT NULL DEFAULT '{}',   -- {"<index>": {"result", "message", ...}}
    ADD COLUMN reply_url    TEXT,
    ADD COLUMN updated_at   TIMESTAMPTZ NOT NULL DEFAULT now();

-- API keys carry scopes: read (browse), ingest (external runs), triage:write (mute/pin/merge patterns,
-- quarantine tests), fixes:write (approve or reject fixes: pushes to PR branches). Keys that exist when this
-- runs keep what they were made for, reading and ingesting; anything more takes a new key with that scope.
ALTER TABLE api_keys
    ADD COLUMN scopes TEXT[] NOT NULL DEFAULT '{read,ingest}'
        CHECK (scopes <@ ARRAY['read', 'ingest', 'triage:write', 'fixes:write']::text[]);

-- Reconcile pages back through GET /app/hook/deliveries (newest first) only as far as it must: to the oldest
-- missed delivery not yet resolved (stored, or given up on), kept here between runs.
CREATE TABLE reconcile_cursor (
    id            INTEGER PRIMARY KEY CHECK (id = 1),   -- one row: deliveries are the App's, not a tenant's
    delivered_at  TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Dashboard write actions (mute, pin, merge patterns) need write permission on every repository the pattern
-- touches: the repositories GitHub says the signed-in user can push to, stored with the session. Sessions
-- made before this migration have none, so they may read until their user signs in again.
ALTER TABLE web_sessions ADD COLUMN writable BIGINT[] NOT NULL DEFAULT '{}';
