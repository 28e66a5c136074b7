DROP TABLE reservation_lot_lines;
ALTER TABLE reservation_lines DROP COLUMN lots;
