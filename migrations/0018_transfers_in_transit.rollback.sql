-- Rolling back drops the transfers and what is in transit with them. Ledger rows of the new
-- types stay (the ledger is never edited), so the old type check comes back NOT VALID: it
-- refuses new rows of those types without rejecting the old ones.
ALTER TABLE movements DROP CONSTRAINT movements_type_check;
ALTER TABLE movements ADD CONSTRAINT movements_type_check
    CHECK (type IN ('receipt', 'shipment', 'transfer', 'adjustment', 'count')) NOT VALID;
ALTER TABLE movements DROP COLUMN transfer_id;
DROP TABLE transfer_lines;
DROP TABLE transfers;
ALTER TABLE stock_levels DROP COLUMN incoming;
