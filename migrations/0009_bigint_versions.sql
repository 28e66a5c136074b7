-- Versions grow by one on every change, and a hot stock level changes millions of times a day:
-- integer (2^31) would overflow within weeks, bigint never will. Each ALTER rewrites its table
-- under an exclusive lock (seconds per million rows): run it before the new replicas start.
ALTER TABLE items ALTER COLUMN version TYPE bigint;
ALTER TABLE locations ALTER COLUMN version TYPE bigint;
ALTER TABLE stock_levels ALTER COLUMN version TYPE bigint;
ALTER TABLE reservations ALTER COLUMN version TYPE bigint;
