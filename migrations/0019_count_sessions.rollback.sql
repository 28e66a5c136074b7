ALTER TABLE movements DROP COLUMN count_session_id;
DROP TABLE count_lines;
DROP TABLE count_sessions;
