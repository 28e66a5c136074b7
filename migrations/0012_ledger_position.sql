-- The ledger's order is the order of the writing transactions' ids (ADR 0020): a list shows
-- only movements of transactions older than every transaction still running, so a movement
-- that commits late can never land behind a cursor already handed out. created_at stays the
-- business time that since/until filter on. Existing rows take this migration's id.
ALTER TABLE movements ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
-- Keyset order (txid, id), alone and behind each equality filter; created_at keeps its index
-- for since/until.
CREATE INDEX movements_position_idx ON movements (org_id, txid, id);
CREATE INDEX movements_type_position_idx ON movements (org_id, type, txid, id);
CREATE INDEX movements_reference_position_idx ON movements (org_id, reference, txid, id)
    WHERE reference IS NOT NULL;
DROP INDEX movements_type_created_idx;
DROP INDEX movements_reference_created_idx;
