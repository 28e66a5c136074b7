-- citext was created by 0001 for case-insensitive codes, but the schema settled on
-- COLLATE "C" columns with unique indexes on lower(sku) / lower(code) (ADR 0008); nothing uses
-- the extension. Dropping it keeps the database to what the schema needs.
DROP EXTENSION IF EXISTS citext;
