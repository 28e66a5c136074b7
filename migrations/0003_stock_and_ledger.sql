-- Stock levels and the movement ledger. The CHECKs repeat the domain invariants as a backstop:
-- the adapter's conditional statements never let them fire.
CREATE TABLE stock_levels (
    org_id      text        NOT NULL,
    item_id     uuid        NOT NULL,
    location_id uuid        NOT NULL,
    on_hand     bigint      NOT NULL,
    reserved    bigint      NOT NULL DEFAULT 0,
    version     integer     NOT NULL,
    updated_at  timestamptz NOT NULL,
    CONSTRAINT stock_levels_pkey PRIMARY KEY (org_id, item_id, location_id),
    CONSTRAINT stock_levels_item_fkey FOREIGN KEY (org_id, item_id) REFERENCES items (org_id, id),
    CONSTRAINT stock_levels_location_fkey
        FOREIGN KEY (org_id, location_id) REFERENCES locations (org_id, id),
    CONSTRAINT stock_levels_on_hand_check CHECK (on_hand >= 0),
    CONSTRAINT stock_levels_reserved_check CHECK (reserved >= 0),
    CONSTRAINT stock_levels_reserved_le_on_hand_check CHECK (reserved <= on_hand)
);
-- The primary key serves the item_id filter and the keyset order; this one the location filter.
CREATE INDEX stock_levels_location_idx ON stock_levels (org_id, location_id, item_id);

CREATE TABLE movements (
    org_id         text        NOT NULL,
    id             uuid        NOT NULL,
    type           text        NOT NULL,
    reason         text,
    reference      text,
    note           text,
    actor          text        NOT NULL,
    created_at     timestamptz NOT NULL,
    reservation_id uuid,
    CONSTRAINT movements_pkey PRIMARY KEY (org_id, id),
    CONSTRAINT movements_type_check
        CHECK (type IN ('receipt', 'shipment', 'transfer', 'adjustment', 'count')),
    CONSTRAINT movements_reason_check CHECK (
        reason IN ('correction', 'damaged', 'lost', 'found', 'expired', 'other')
        AND type = 'adjustment' OR reason IS NULL AND type <> 'adjustment'
    )
);
-- Keyset order (created_at, id), alone and behind each equality filter.
CREATE INDEX movements_created_idx ON movements (org_id, created_at, id);
CREATE INDEX movements_type_created_idx ON movements (org_id, type, created_at, id);
CREATE INDEX movements_reference_created_idx ON movements (org_id, reference, created_at, id)
    WHERE reference IS NOT NULL;

CREATE TABLE movement_lines (
    org_id        text    NOT NULL,
    movement_id   uuid    NOT NULL,
    line_no       integer NOT NULL,
    item_id       uuid    NOT NULL,
    location_id   uuid    NOT NULL,
    delta         bigint  NOT NULL,
    on_hand_after bigint  NOT NULL,
    CONSTRAINT movement_lines_pkey PRIMARY KEY (org_id, movement_id, line_no),
    CONSTRAINT movement_lines_movement_fkey
        FOREIGN KEY (org_id, movement_id) REFERENCES movements (org_id, id),
    CONSTRAINT movement_lines_item_fkey FOREIGN KEY (org_id, item_id) REFERENCES items (org_id, id),
    CONSTRAINT movement_lines_location_fkey
        FOREIGN KEY (org_id, location_id) REFERENCES locations (org_id, id),
    CONSTRAINT movement_lines_on_hand_after_check CHECK (on_hand_after >= 0)
);
-- The item_id / location_id filters of the ledger (a movement matches if any line does).
CREATE INDEX movement_lines_item_idx ON movement_lines (org_id, item_id, movement_id);
CREATE INDEX movement_lines_location_idx ON movement_lines (org_id, location_id, movement_id);
