-- A ledger line belongs to a stock level; the level already references its item and location.
-- One composite foreign key instead of two halves the integrity checks per ledger line, which
-- dominate bulk imports (ADR 0011). Every writer creates or locks the level before it writes
-- the line, so the new key holds for all existing rows.
ALTER TABLE movement_lines
    ADD CONSTRAINT movement_lines_level_fkey FOREIGN KEY (org_id, item_id, location_id)
        REFERENCES stock_levels (org_id, item_id, location_id);
ALTER TABLE movement_lines DROP CONSTRAINT movement_lines_item_fkey;
ALTER TABLE movement_lines DROP CONSTRAINT movement_lines_location_fkey;

-- Every stock change rewrites its level's row, and no index covers the quantities: leave room
-- on each page so those updates stay HOT (no index writes, no index bloat on hot levels).
ALTER TABLE stock_levels SET (fillfactor = 80);
