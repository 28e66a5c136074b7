-- Fails, changing nothing, once any version has passed 2^31 - 1: integer cannot hold it.
ALTER TABLE reservations ALTER COLUMN version TYPE integer;
ALTER TABLE stock_levels ALTER COLUMN version TYPE integer;
ALTER TABLE locations ALTER COLUMN version TYPE integer;
ALTER TABLE items ALTER COLUMN version TYPE integer;
