CREATE INDEX movements_type_created_idx ON movements (org_id, type, created_at, id);
CREATE INDEX movements_reference_created_idx ON movements (org_id, reference, created_at, id)
    WHERE reference IS NOT NULL;
DROP INDEX movements_reference_position_idx;
DROP INDEX movements_type_position_idx;
DROP INDEX movements_position_idx;
ALTER TABLE movements DROP COLUMN txid;
