GRANT DELETE ON transfers, transfer_lines, count_sessions, count_lines TO stockroom_app;
