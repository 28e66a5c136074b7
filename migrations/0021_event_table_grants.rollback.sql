GRANT UPDATE ON events TO stockroom_app;
GRANT DELETE ON webhook_deliveries TO stockroom_app;
GRANT UPDATE, DELETE ON webhook_attempts TO stockroom_app;
