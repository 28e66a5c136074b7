-- The outbox and the feed (ADR 0021): every change writes its events in its own transaction.
-- Feed order is (txid, seq), read only behind the snapshot's xmin (ADR 0020); seq keeps the
-- order of one transaction's events. The primary key is the feed's keyset order.
CREATE TABLE events (
    org_id      text        NOT NULL,
    txid        xid8        NOT NULL DEFAULT pg_current_xact_id(),
    seq         bigint      GENERATED ALWAYS AS IDENTITY,
    id          uuid        NOT NULL,
    type        text        NOT NULL,
    occurred_at timestamptz NOT NULL,
    subject_id  text        NOT NULL,
    data        jsonb       NOT NULL,
    CONSTRAINT events_pkey PRIMARY KEY (org_id, txid, seq)
);
-- A reservation expires once: whichever of the expiry job and a write that releases its
-- holds first announces it; the other's INSERT skips the row (ON CONFLICT DO NOTHING).
CREATE UNIQUE INDEX events_expired_once_idx ON events (org_id, subject_id)
    WHERE type = 'reservation.expired';
-- The retention purge deletes by occurred_at; rows arrive in roughly that order, so a BRIN
-- index serves it at almost no cost per insert.
CREATE INDEX events_occurred_brin ON events USING brin (occurred_at);

ALTER TABLE events ENABLE ROW LEVEL SECURITY;
ALTER TABLE events FORCE ROW LEVEL SECURITY;
CREATE POLICY events_org_isolation ON events
    USING (org_id = current_setting('app.org_id', true))
    WITH CHECK (org_id = current_setting('app.org_id', true));
-- The retention purge's way through (as for idempotency keys in 0006): with app.purge set,
-- events older than a day (and only those) may be read and deleted across orgs.
CREATE POLICY events_purge_select ON events FOR SELECT
    USING (current_setting('app.purge', true) = 'on' AND occurred_at < now() - interval '1 day');
CREATE POLICY events_purge_delete ON events FOR DELETE
    USING (current_setting('app.purge', true) = 'on' AND occurred_at < now() - interval '1 day');
