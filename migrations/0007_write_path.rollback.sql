ALTER TABLE stock_levels RESET (fillfactor);
ALTER TABLE movement_lines
    ADD CONSTRAINT movement_lines_item_fkey FOREIGN KEY (org_id, item_id)
        REFERENCES items (org_id, id);
ALTER TABLE movement_lines
    ADD CONSTRAINT movement_lines_location_fkey FOREIGN KEY (org_id, location_id)
        REFERENCES locations (org_id, id);
ALTER TABLE movement_lines DROP CONSTRAINT movement_lines_level_fkey;
