-- Row-level security: the backstop behind every query's own org_id filter (DESIGN.md section 6).
-- The unit of work runs `SELECT set_config('app.org_id', <org>, true)` first in each transaction;
-- without it current_setting(..., true) is NULL (or '') and no row is visible or writable.
-- FORCE makes the policies bind the table owner too (the app usually connects as the owner);
-- superusers and BYPASSRLS roles still bypass them.
ALTER TABLE items ENABLE ROW LEVEL SECURITY;
ALTER TABLE items FORCE ROW LEVEL SECURITY;
CREATE POLICY items_org_isolation ON items
    USING (org_id = current_setting('app.org_id', true))
    WITH CHECK (org_id = current_setting('app.org_id', true));

ALTER TABLE locations ENABLE ROW LEVEL SECURITY;
ALTER TABLE locations FORCE ROW LEVEL SECURITY;
CREATE POLICY locations_org_isolation ON locations
    USING (org_id = current_setting('app.org_id', true))
    WITH CHECK (org_id = current_setting('app.org_id', true));

ALTER TABLE stock_levels ENABLE ROW LEVEL SECURITY;
ALTER TABLE stock_levels FORCE ROW LEVEL SECURITY;
CREATE POLICY stock_levels_org_isolation ON stock_levels
    USING (org_id = current_setting('app.org_id', true))
    WITH CHECK (org_id = current_setting('app.org_id', true));

ALTER TABLE movements ENABLE ROW LEVEL SECURITY;
ALTER TABLE movements FORCE ROW LEVEL SECURITY;
CREATE POLICY movements_org_isolation ON movements
    USING (org_id = current_setting('app.org_id', true))
    WITH CHECK (org_id = current_setting('app.org_id', true));

ALTER TABLE movement_lines ENABLE ROW LEVEL SECURITY;
ALTER TABLE movement_lines FORCE ROW LEVEL SECURITY;
CREATE POLICY movement_lines_org_isolation ON movement_lines
    USING (org_id = current_setting('app.org_id', true))
    WITH CHECK (org_id = current_setting('app.org_id', true));

ALTER TABLE reservations ENABLE ROW LEVEL SECURITY;
ALTER TABLE reservations FORCE ROW LEVEL SECURITY;
CREATE POLICY reservations_org_isolation ON reservations
    USING (org_id = current_setting('app.org_id', true))
    WITH CHECK (org_id = current_setting('app.org_id', true));
-- The expiry sweep's way through (docs/adr/0004-rls-and-the-expiry-sweep.md): a transaction that
-- sets app.sweep may READ active reservations that have an expiry, across orgs. Nothing else:
-- no lines, no writes; each expiry then runs in a unit of work bound to the reservation's org.
CREATE POLICY reservations_expiry_sweep ON reservations FOR SELECT
    USING (current_setting('app.sweep', true) = 'on'
           AND status = 'active' AND expires_at IS NOT NULL);

ALTER TABLE reservation_lines ENABLE ROW LEVEL SECURITY;
ALTER TABLE reservation_lines FORCE ROW LEVEL SECURITY;
CREATE POLICY reservation_lines_org_isolation ON reservation_lines
    USING (org_id = current_setting('app.org_id', true))
    WITH CHECK (org_id = current_setting('app.org_id', true));

ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY idempotency_keys_org_isolation ON idempotency_keys
    USING (org_id = current_setting('app.org_id', true))
    WITH CHECK (org_id = current_setting('app.org_id', true));
-- The retention purge's way through: with app.purge set, keys older than 24 hours (and only
-- those) may be read and deleted across orgs. DELETE ... WHERE needs the SELECT policy too.
CREATE POLICY idempotency_keys_purge_select ON idempotency_keys FOR SELECT
    USING (current_setting('app.purge', true) = 'on'
           AND created_at < now() - interval '24 hours');
CREATE POLICY idempotency_keys_purge_delete ON idempotency_keys FOR DELETE
    USING (current_setting('app.purge', true) = 'on'
           AND created_at < now() - interval '24 hours');

-- rate_limit_windows is not org data (see 0005) and has no policy.
