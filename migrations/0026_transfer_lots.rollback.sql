DROP TABLE transfer_lot_lines;
ALTER TABLE transfer_lines DROP COLUMN lots;
