-- Extensions the schema relies on. citext backs case-insensitive unique codes (item sku);
-- it is a trusted extension (PostgreSQL 13+), so the database owner may create it, on Neon too.
CREATE EXTENSION IF NOT EXISTS citext;
