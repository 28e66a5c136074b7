-- Reversals already in the ledger stay (it is never edited): the old type check comes back
-- NOT VALID, refusing new ones only.
ALTER TABLE movements DROP CONSTRAINT movements_type_check;
ALTER TABLE movements ADD CONSTRAINT movements_type_check CHECK (
    type IN ('receipt', 'shipment', 'transfer', 'adjustment', 'count', 'transfer_out',
             'transfer_in')
) NOT VALID;
DROP INDEX movements_reverses_key;
ALTER TABLE movements DROP COLUMN reverses;
