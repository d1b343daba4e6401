-- Webhook intake: job leases need to know when a delivery started; reconcile remembers what it asked GitHub
-- to redeliver so a delivery that keeps failing is not requested again and again.
ALTER TABLE deliveries ADD COLUMN started_at TIMESTAMPTZ;

-- App-level bookkeeping (not tenant data): one row per GitHub delivery GUID we asked to redeliver.
CREATE TABLE webhook_redeliveries (
    guid                TEXT PRIMARY KEY,           -- X-GitHub-Delivery of the missed delivery
    github_delivery_id  BIGINT NOT NULL,            -- id of the failed attempt we asked to redeliver
    installation_id     BIGINT,
    event               TEXT NOT NULL,
    requests            INTEGER NOT NULL DEFAULT 1,
    last_requested_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX webhook_redeliveries_installation ON webhook_redeliveries (installation_id);
