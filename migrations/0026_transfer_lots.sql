-- Transfers in transit in lots (ADR 0034). A transfer line of a lot-tracked item records which
-- lots it was shipped out of and what became of each since: received at the destination into
-- the same lot, or cancelled back into it at the source. Per lot, as per line:
-- shipped = received + cancelled + in transit; a line's figures are the sums of its lots'.
-- A line of an untracked item has no rows here and its ``lots`` flag stays false, so untracked
-- transfers read and write with the same statements as before.
ALTER TABLE transfer_lines ADD COLUMN lots boolean NOT NULL DEFAULT false;

CREATE TABLE transfer_lot_lines (
    org_id      text    NOT NULL,
    transfer_id uuid    NOT NULL,
    item_id     uuid    NOT NULL,
    lot_id      uuid    NOT NULL,
    seq         integer NOT NULL,
    shipped     bigint  NOT NULL,
    received    bigint  NOT NULL DEFAULT 0,
    cancelled   bigint  NOT NULL DEFAULT 0,
    CONSTRAINT transfer_lot_lines_pkey PRIMARY KEY (org_id, transfer_id, item_id, lot_id),
    CONSTRAINT transfer_lot_lines_line_fkey
        FOREIGN KEY (org_id, transfer_id, item_id)
        REFERENCES transfer_lines (org_id, transfer_id, item_id),
    CONSTRAINT transfer_lot_lines_lot_fkey
        FOREIGN KEY (org_id, lot_id) REFERENCES lots (org_id, id),
    CONSTRAINT transfer_lot_lines_shipped_check CHECK (shipped > 0),
    CONSTRAINT transfer_lot_lines_received_check CHECK (received >= 0),
    CONSTRAINT transfer_lot_lines_cancelled_check CHECK (cancelled >= 0),
    CONSTRAINT transfer_lot_lines_in_transit_check CHECK (received + cancelled <= shipped)
);
-- What of a lot is in transit (the serial rule counts it, ADR 0034).
CREATE INDEX transfer_lot_lines_lot_idx ON transfer_lot_lines (org_id, lot_id);

ALTER TABLE transfer_lot_lines ENABLE ROW LEVEL SECURITY;
ALTER TABLE transfer_lot_lines FORCE ROW LEVEL SECURITY;
CREATE POLICY transfer_lot_lines_org_isolation ON transfer_lot_lines
    USING (org_id = current_setting('app.org_id', true))
    WITH CHECK (org_id = current_setting('app.org_id', true));

-- The default privileges (0010) grant all four; transfers are kept, never deleted (0022).
REVOKE DELETE ON transfer_lot_lines FROM stockroom_app;
