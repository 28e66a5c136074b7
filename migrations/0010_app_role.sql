-- The app's role (ADR 0018): row-level security binds only roles that are not SUPERUSER, not
-- BYPASSRLS and own no table, so the app connects as stockroom_app (or a member of it) and gets
-- exactly the privileges it uses. The role is created here only where nobody created it first
-- (the embedded default and docs/operations.md create it with LOGIN); creating it needs
-- CREATEROLE, which Neon's owner role has. Roles belong to the cluster, so it may already exist.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'stockroom_app') THEN
        CREATE ROLE stockroom_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO stockroom_app;
-- Catalog entries and levels are created and changed, never deleted; the ledger only grows.
GRANT SELECT, INSERT, UPDATE ON items, locations, stock_levels TO stockroom_app;
GRANT SELECT, INSERT ON movements, movement_lines TO stockroom_app;
GRANT SELECT, INSERT, UPDATE ON reservations, reservation_lines TO stockroom_app;
-- The purge deletes keys past their 24 hours and old rate-limit windows.
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys, rate_limit_windows TO stockroom_app;
-- /readyz compares the applied migrations with those on disk.
GRANT SELECT ON _yoyo_migration TO stockroom_app;

-- Tables and sequences later migrations create (as the role running them) come with DML rights
-- for the app, so a new feature's table needs no grant of its own; a migration may narrow them.
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO stockroom_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO stockroom_app;
