-- Count sessions per lot (ADR 0032): a line of a lot-tracked item names the lot counted, with
-- its code as the line shows it (a lot's code never changes). A line is a position of the
-- session: (item, lot), the lot absent for untracked items (and for the per-item line a
-- tracked item gets at open). A nullable column cannot be in a primary key, so the key is the
-- line's number and the position is a unique index (ON CONFLICT infers it).
ALTER TABLE count_lines ADD COLUMN lot_id uuid;
ALTER TABLE count_lines ADD COLUMN lot_code text;
ALTER TABLE count_lines ADD CONSTRAINT count_lines_lot_fkey
    FOREIGN KEY (org_id, lot_id) REFERENCES lots (org_id, id);
ALTER TABLE count_lines ADD CONSTRAINT count_lines_lot_code_check
    CHECK ((lot_id IS NULL) = (lot_code IS NULL));
ALTER TABLE count_lines DROP CONSTRAINT count_lines_pkey;
ALTER TABLE count_lines ADD CONSTRAINT count_lines_pkey PRIMARY KEY (org_id, session_id, line_no);
CREATE UNIQUE INDEX count_lines_position_key ON count_lines
    (org_id, session_id, item_id, COALESCE(lot_id, '00000000-0000-0000-0000-000000000000'::uuid));
