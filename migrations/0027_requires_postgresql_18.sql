-- The schema needs PostgreSQL 18 or later (ADR 0021): the import's level UPDATE reads the row it
-- replaced through RETURNING old.*, which PostgreSQL 17 does not parse. Refusing here makes
-- `stockroom migrate` say so at once, rather than the first import failing after minutes of work.
DO $$
BEGIN
    IF current_setting('server_version_num')::int < 180000 THEN
        RAISE EXCEPTION 'Stockroom needs PostgreSQL 18 or later; this server is %',
            current_setting('server_version');
    END IF;
END
$$;
