-- Lots and expiry dates (ADR 0024). An item tracks lots ('lot'), serials ('serial': a lot that
-- never holds more than one unit across the org) or neither ('none', every existing item).
ALTER TABLE items ADD COLUMN tracking text NOT NULL DEFAULT 'none';
ALTER TABLE items ADD CONSTRAINT items_tracking_check
    CHECK (tracking IN ('none', 'lot', 'serial'));

CREATE TABLE lots (
    org_id     text        NOT NULL,
    id         uuid        NOT NULL,
    item_id    uuid        NOT NULL,
    code       text COLLATE "C" NOT NULL,
    expires_on date,
    created_at timestamptz NOT NULL,
    CONSTRAINT lots_pkey PRIMARY KEY (org_id, id),
    CONSTRAINT lots_item_fkey FOREIGN KEY (org_id, item_id) REFERENCES items (org_id, id),
    CONSTRAINT lots_code_check CHECK (char_length(code) BETWEEN 1 AND 64)
);
-- A code names one lot of an item, ignoring case (as SKUs, migration 0002).
CREATE UNIQUE INDEX lots_item_code_key ON lots (org_id, item_id, lower(code));
-- GET /v1/lots?item_id= lists in id order behind the filter.
CREATE INDEX lots_item_idx ON lots (org_id, item_id, id);

-- Per-lot positions of tracked items. The stock_levels row of (item, location) stays the
-- aggregate: every writer locks it first, then changes its lot rows and it in one statement,
-- so untracked items' statements are unchanged (ADR 0024).
CREATE TABLE lot_levels (
    org_id      text   NOT NULL,
    item_id     uuid   NOT NULL,
    location_id uuid   NOT NULL,
    lot_id      uuid   NOT NULL,
    on_hand     bigint NOT NULL,
    reserved    bigint NOT NULL DEFAULT 0,
    CONSTRAINT lot_levels_pkey PRIMARY KEY (org_id, item_id, location_id, lot_id),
    CONSTRAINT lot_levels_level_fkey FOREIGN KEY (org_id, item_id, location_id)
        REFERENCES stock_levels (org_id, item_id, location_id),
    CONSTRAINT lot_levels_lot_fkey FOREIGN KEY (org_id, lot_id) REFERENCES lots (org_id, id),
    CONSTRAINT lot_levels_on_hand_check CHECK (on_hand >= 0),
    CONSTRAINT lot_levels_reserved_check CHECK (reserved >= 0 AND reserved <= on_hand)
);
-- A lot's stock across locations (GET /v1/lots, the serial rule).
CREATE INDEX lot_levels_lot_idx ON lot_levels (org_id, lot_id);

-- A level of a tracked item has lot rows: reads add their expiry figures only where this is
-- set, so an untracked level reads with the same plan as before.
ALTER TABLE stock_levels ADD COLUMN lots boolean NOT NULL DEFAULT false;

-- Ledger lines of tracked items name their lot. No foreign key: lots are never deleted, and a
-- key would fire a check per ledger line of every import (ADR 0011).
ALTER TABLE movement_lines ADD COLUMN lot_id uuid;

ALTER TABLE lots ENABLE ROW LEVEL SECURITY;
ALTER TABLE lots FORCE ROW LEVEL SECURITY;
CREATE POLICY lots_org_isolation ON lots
    USING (org_id = current_setting('app.org_id', true))
    WITH CHECK (org_id = current_setting('app.org_id', true));

ALTER TABLE lot_levels ENABLE ROW LEVEL SECURITY;
ALTER TABLE lot_levels FORCE ROW LEVEL SECURITY;
CREATE POLICY lot_levels_org_isolation ON lot_levels
    USING (org_id = current_setting('app.org_id', true))
    WITH CHECK (org_id = current_setting('app.org_id', true));

-- The default privileges (0010) grant all four; lots and positions are kept, never deleted.
REVOKE DELETE ON lots, lot_levels FROM stockroom_app;
