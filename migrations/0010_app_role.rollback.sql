-- The role itself stays: roles belong to the cluster, and other databases may grant to it.
ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM stockroom_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM stockroom_app;
REVOKE ALL ON _yoyo_migration FROM stockroom_app;
REVOKE ALL ON idempotency_keys, rate_limit_windows FROM stockroom_app;
REVOKE ALL ON reservations, reservation_lines FROM stockroom_app;
REVOKE ALL ON movements, movement_lines FROM stockroom_app;
REVOKE ALL ON items, locations, stock_levels FROM stockroom_app;
REVOKE USAGE ON SCHEMA public FROM stockroom_app;
