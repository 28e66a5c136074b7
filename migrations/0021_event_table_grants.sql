-- The event and webhook tables (0013, 0014) were created after the app role's default
-- privileges (0010), which grant every table all four privileges; keep only what the app does
-- with each (docs/adr/0018): the outbox is inserted, read and purged, never updated; attempts
-- are only appended; deliveries are appended and move on; endpoints are managed in full.
REVOKE UPDATE ON events FROM stockroom_app;
REVOKE DELETE ON webhook_deliveries FROM stockroom_app;
REVOKE UPDATE, DELETE ON webhook_attempts FROM stockroom_app;
