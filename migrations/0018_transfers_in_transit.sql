-- Transfers in transit (ADR 0028). A transfer ships at once: the source's on_hand drops (a
-- transfer_out movement) and the quantity is in transit, kept on the destination level as
-- `incoming` so the hot stock read pays one column for it, not a join. Receiving (transfer_in
-- at the destination) or cancelling (transfer_in back at the source) takes it out of transit.
-- A constant default is a catalog-only change: existing levels are not rewritten.
ALTER TABLE stock_levels ADD COLUMN incoming bigint NOT NULL DEFAULT 0;
ALTER TABLE stock_levels ADD CONSTRAINT stock_levels_incoming_check CHECK (incoming >= 0);

CREATE TABLE transfers (
    org_id           text        NOT NULL,
    id               uuid        NOT NULL,
    from_location_id uuid        NOT NULL,
    to_location_id   uuid        NOT NULL,
    reference        text,
    note             text,
    status           text        NOT NULL,
    created_by       text        NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    version          bigint      NOT NULL,
    CONSTRAINT transfers_pkey PRIMARY KEY (org_id, id),
    CONSTRAINT transfers_from_location_fkey
        FOREIGN KEY (org_id, from_location_id) REFERENCES locations (org_id, id),
    CONSTRAINT transfers_to_location_fkey
        FOREIGN KEY (org_id, to_location_id) REFERENCES locations (org_id, id),
    CONSTRAINT transfers_status_check
        CHECK (status IN ('in_transit', 'partially_received', 'received', 'cancelled')),
    CONSTRAINT transfers_locations_check CHECK (from_location_id <> to_location_id),
    CONSTRAINT transfers_version_check CHECK (version >= 1)
);
-- Keyset order (created_at, id), alone and behind each list filter.
CREATE INDEX transfers_created_idx ON transfers (org_id, created_at, id);
CREATE INDEX transfers_status_created_idx ON transfers (org_id, status, created_at, id);
CREATE INDEX transfers_from_created_idx ON transfers (org_id, from_location_id, created_at, id);
CREATE INDEX transfers_to_created_idx ON transfers (org_id, to_location_id, created_at, id);

-- Per line: shipped = received + cancelled + in transit, in transit >= 0.
CREATE TABLE transfer_lines (
    org_id      text    NOT NULL,
    transfer_id uuid    NOT NULL,
    line_no     integer NOT NULL,
    item_id     uuid    NOT NULL,
    shipped     bigint  NOT NULL,
    received    bigint  NOT NULL DEFAULT 0,
    cancelled   bigint  NOT NULL DEFAULT 0,
    CONSTRAINT transfer_lines_pkey PRIMARY KEY (org_id, transfer_id, item_id),
    CONSTRAINT transfer_lines_transfer_fkey
        FOREIGN KEY (org_id, transfer_id) REFERENCES transfers (org_id, id),
    CONSTRAINT transfer_lines_item_fkey FOREIGN KEY (org_id, item_id) REFERENCES items (org_id, id),
    CONSTRAINT transfer_lines_shipped_check CHECK (shipped > 0),
    CONSTRAINT transfer_lines_received_check CHECK (received >= 0),
    CONSTRAINT transfer_lines_cancelled_check CHECK (cancelled >= 0),
    CONSTRAINT transfer_lines_in_transit_check CHECK (received + cancelled <= shipped)
);

-- The ledger names the transfer a transfer_out or transfer_in belongs to.
ALTER TABLE movements ADD COLUMN transfer_id uuid;
ALTER TABLE movements ADD CONSTRAINT movements_transfer_fkey
    FOREIGN KEY (org_id, transfer_id) REFERENCES transfers (org_id, id);
ALTER TABLE movements DROP CONSTRAINT movements_type_check;
ALTER TABLE movements ADD CONSTRAINT movements_type_check CHECK (
    type IN ('receipt', 'shipment', 'transfer', 'adjustment', 'count', 'transfer_out',
             'transfer_in')
);

ALTER TABLE transfers ENABLE ROW LEVEL SECURITY;
ALTER TABLE transfers FORCE ROW LEVEL SECURITY;
CREATE POLICY transfers_org_isolation ON transfers
    USING (org_id = current_setting('app.org_id', true))
    WITH CHECK (org_id = current_setting('app.org_id', true));

ALTER TABLE transfer_lines ENABLE ROW LEVEL SECURITY;
ALTER TABLE transfer_lines FORCE ROW LEVEL SECURITY;
CREATE POLICY transfer_lines_org_isolation ON transfer_lines
    USING (org_id = current_setting('app.org_id', true))
    WITH CHECK (org_id = current_setting('app.org_id', true));
