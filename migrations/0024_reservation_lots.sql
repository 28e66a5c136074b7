-- Reservations in lots (ADR 0031). A reservation line of a lot-tracked item records which lots
-- hold it, in the order they were picked (seq): release gives back to those lots, fulfilment
-- ships from them in that order. A line of an untracked item has no rows here, and its
-- ``lots`` flag stays false, so untracked reservations read and write as before.
ALTER TABLE reservation_lines ADD COLUMN lots boolean NOT NULL DEFAULT false;

CREATE TABLE reservation_lot_lines (
    org_id         text    NOT NULL,
    reservation_id uuid    NOT NULL,
    item_id        uuid    NOT NULL,
    location_id    uuid    NOT NULL,
    seq            integer NOT NULL,
    lot_id         uuid    NOT NULL,
    quantity       bigint  NOT NULL,
    fulfilled      bigint  NOT NULL DEFAULT 0,
    released       bigint  NOT NULL DEFAULT 0,
    CONSTRAINT reservation_lot_lines_pkey
        PRIMARY KEY (org_id, reservation_id, item_id, location_id, seq),
    CONSTRAINT reservation_lot_lines_line_fkey
        FOREIGN KEY (org_id, reservation_id, item_id, location_id)
        REFERENCES reservation_lines (org_id, reservation_id, item_id, location_id),
    CONSTRAINT reservation_lot_lines_lot_fkey
        FOREIGN KEY (org_id, lot_id) REFERENCES lots (org_id, id),
    CONSTRAINT reservation_lot_lines_lot_key
        UNIQUE (org_id, reservation_id, item_id, location_id, lot_id),
    CONSTRAINT reservation_lot_lines_quantity_check CHECK (quantity > 0),
    CONSTRAINT reservation_lot_lines_fulfilled_check CHECK (fulfilled >= 0),
    CONSTRAINT reservation_lot_lines_released_check CHECK (released >= 0),
    CONSTRAINT reservation_lot_lines_open_check CHECK (fulfilled + released <= quantity)
);
-- Which reservations hold a lot (the audit: a lot's reserved = its open reservation quantities).
CREATE INDEX reservation_lot_lines_lot_idx ON reservation_lot_lines (org_id, lot_id);

ALTER TABLE reservation_lot_lines ENABLE ROW LEVEL SECURITY;
ALTER TABLE reservation_lot_lines FORCE ROW LEVEL SECURITY;
CREATE POLICY reservation_lot_lines_org_isolation ON reservation_lot_lines
    USING (org_id = current_setting('app.org_id', true))
    WITH CHECK (org_id = current_setting('app.org_id', true));

-- The default privileges (0010) grant all four; reservations are kept, never deleted.
REVOKE DELETE ON reservation_lot_lines FROM stockroom_app;
