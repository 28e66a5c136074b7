-- Reversals (ADR 0030): a movement negating every line of another, which it names in
-- `reverses`. The unique index makes "at most once" hold under any concurrency; the use case
-- locks the original first, so the index only ever backs it up. It also serves the lookup of
-- `reversed_by` when a movement is read.
ALTER TABLE movements ADD COLUMN reverses uuid;
ALTER TABLE movements ADD CONSTRAINT movements_reverses_fkey
    FOREIGN KEY (org_id, reverses) REFERENCES movements (org_id, id);
CREATE UNIQUE INDEX movements_reverses_key ON movements (org_id, reverses)
    WHERE reverses IS NOT NULL;
ALTER TABLE movements DROP CONSTRAINT movements_type_check;
ALTER TABLE movements ADD CONSTRAINT movements_type_check CHECK (
    type IN ('receipt', 'shipment', 'transfer', 'adjustment', 'count', 'transfer_out',
             'transfer_in', 'reversal')
);
