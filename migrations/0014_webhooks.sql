-- Webhook endpoints, their deliveries and attempts (ADR 0022). Each endpoint keeps its own
-- place in the org's feed (after_txid, after_seq): events are delivered in feed order, one at a
-- time per endpoint, and a delivered event moves the place on. Workers lease an endpoint for a
-- short while (lease_until) in a short transaction and deliver outside any transaction.
CREATE TABLE webhooks (
    org_id          text        NOT NULL,
    id              uuid        NOT NULL,
    url             text        NOT NULL,
    types           text[]      NOT NULL,
    description     text,
    enabled         boolean     NOT NULL,
    disabled_reason text,
    secret          bytea       NOT NULL,  -- encrypted with STOCKROOM_SECRET_KEY
    version         bigint      NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    after_txid      xid8        NOT NULL,
    after_seq       bigint      NOT NULL,
    failing_since   timestamptz,
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    lease_until     timestamptz,
    lease_token     uuid,
    CONSTRAINT webhooks_pkey PRIMARY KEY (org_id, id)
);
-- The workers' queue: enabled endpoints by when they are due.
CREATE INDEX webhooks_due_idx ON webhooks (next_attempt_at) WHERE enabled;

CREATE TABLE webhook_deliveries (
    org_id      text        NOT NULL,
    id          uuid        NOT NULL,
    webhook_id  uuid        NOT NULL,
    event_id    uuid        NOT NULL,
    event_type  text        NOT NULL,
    payload     jsonb       NOT NULL,
    status      text        NOT NULL,
    manual      boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    CONSTRAINT webhook_deliveries_pkey PRIMARY KEY (org_id, id),
    CONSTRAINT webhook_deliveries_webhook_fkey FOREIGN KEY (org_id, webhook_id)
        REFERENCES webhooks (org_id, id) ON DELETE CASCADE,
    CONSTRAINT webhook_deliveries_status_check
        CHECK (status IN ('pending', 'delivered', 'failed'))
);
CREATE INDEX webhook_deliveries_webhook_idx
    ON webhook_deliveries (org_id, webhook_id, created_at, id);
-- One automatic delivery per endpoint and event (its attempts hang off it).
CREATE UNIQUE INDEX webhook_deliveries_event_idx
    ON webhook_deliveries (org_id, webhook_id, event_id) WHERE NOT manual;

CREATE TABLE webhook_attempts (
    org_id       text        NOT NULL,
    delivery_id  uuid        NOT NULL,
    attempt_no   integer     NOT NULL,
    attempted_at timestamptz NOT NULL,
    status_code  integer,
    duration_ms  integer     NOT NULL,
    error        text,
    CONSTRAINT webhook_attempts_pkey PRIMARY KEY (org_id, delivery_id, attempt_no),
    CONSTRAINT webhook_attempts_delivery_fkey FOREIGN KEY (org_id, delivery_id)
        REFERENCES webhook_deliveries (org_id, id) ON DELETE CASCADE
);

ALTER TABLE webhooks ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhooks FORCE ROW LEVEL SECURITY;
CREATE POLICY webhooks_org_isolation ON webhooks
    USING (org_id = current_setting('app.org_id', true))
    WITH CHECK (org_id = current_setting('app.org_id', true));
-- The delivery workers' way through (as the expiry listing's in 0006): with app.webhooks set,
-- enabled endpoints may be read and leased across orgs. Everything else a worker does runs
-- bound to the endpoint's org.
CREATE POLICY webhooks_delivery_queue ON webhooks FOR SELECT
    USING (current_setting('app.webhooks', true) = 'on' AND enabled);
CREATE POLICY webhooks_delivery_lease ON webhooks FOR UPDATE
    USING (current_setting('app.webhooks', true) = 'on' AND enabled)
    WITH CHECK (current_setting('app.webhooks', true) = 'on');

ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY webhook_deliveries_org_isolation ON webhook_deliveries
    USING (org_id = current_setting('app.org_id', true))
    WITH CHECK (org_id = current_setting('app.org_id', true));

ALTER TABLE webhook_attempts ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_attempts FORCE ROW LEVEL SECURITY;
CREATE POLICY webhook_attempts_org_isolation ON webhook_attempts
    USING (org_id = current_setting('app.org_id', true))
    WITH CHECK (org_id = current_setting('app.org_id', true));
