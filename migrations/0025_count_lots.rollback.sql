-- Lines of lots have no place in the per-item key: they go (their sessions keep the rest).
DELETE FROM count_lines WHERE lot_id IS NOT NULL;
DROP INDEX count_lines_position_key;
ALTER TABLE count_lines DROP CONSTRAINT count_lines_pkey;
ALTER TABLE count_lines ADD CONSTRAINT count_lines_pkey PRIMARY KEY (org_id, session_id, item_id);
ALTER TABLE count_lines DROP CONSTRAINT count_lines_lot_code_check;
ALTER TABLE count_lines DROP CONSTRAINT count_lines_lot_fkey;
ALTER TABLE count_lines DROP COLUMN lot_code;
ALTER TABLE count_lines DROP COLUMN lot_id;
