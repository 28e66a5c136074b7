ALTER TABLE movement_lines DROP COLUMN lot_id;
ALTER TABLE stock_levels DROP COLUMN lots;
DROP TABLE lot_levels;
DROP TABLE lots;
ALTER TABLE items DROP CONSTRAINT items_tracking_check;
ALTER TABLE items DROP COLUMN tracking;
