-- Transfers and count sessions (0018, 0019) were created after the app role's default
-- privileges (0010), which grant all four on every table; the app never deletes them
-- (docs/adr/0018): documents are kept, and what ends is marked received, cancelled or posted.
REVOKE DELETE ON transfers, transfer_lines, count_sessions, count_lines FROM stockroom_app;
