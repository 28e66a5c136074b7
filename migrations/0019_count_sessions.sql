-- Count sessions (ADR 0029): a snapshot of a location's books (each line's `expected`), counts
-- recorded against it while stock keeps moving, then one count movement of counted - expected.
CREATE TABLE count_sessions (
    org_id      text        NOT NULL,
    id          uuid        NOT NULL,
    location_id uuid        NOT NULL,
    status      text        NOT NULL,
    blind       boolean     NOT NULL,
    listed      boolean     NOT NULL,
    reference   text,
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    version     bigint      NOT NULL,
    movement_id uuid,
    CONSTRAINT count_sessions_pkey PRIMARY KEY (org_id, id),
    CONSTRAINT count_sessions_location_fkey
        FOREIGN KEY (org_id, location_id) REFERENCES locations (org_id, id),
    CONSTRAINT count_sessions_status_check CHECK (status IN ('open', 'posted', 'cancelled')),
    CONSTRAINT count_sessions_posted_check CHECK ((status = 'posted') = (movement_id IS NOT NULL)),
    CONSTRAINT count_sessions_version_check CHECK (version >= 1)
);
-- Keyset order (created_at, id), alone and behind each list filter.
CREATE INDEX count_sessions_created_idx ON count_sessions (org_id, created_at, id);
CREATE INDEX count_sessions_status_created_idx
    ON count_sessions (org_id, status, created_at, id);
CREATE INDEX count_sessions_location_created_idx
    ON count_sessions (org_id, location_id, created_at, id);

CREATE TABLE count_lines (
    org_id     text        NOT NULL,
    session_id uuid        NOT NULL,
    line_no    integer     NOT NULL,
    item_id    uuid        NOT NULL,
    expected   bigint      NOT NULL,
    counted    bigint,
    counted_by text,
    counted_at timestamptz,
    CONSTRAINT count_lines_pkey PRIMARY KEY (org_id, session_id, item_id),
    CONSTRAINT count_lines_session_fkey
        FOREIGN KEY (org_id, session_id) REFERENCES count_sessions (org_id, id),
    CONSTRAINT count_lines_item_fkey FOREIGN KEY (org_id, item_id) REFERENCES items (org_id, id),
    CONSTRAINT count_lines_expected_check CHECK (expected >= 0),
    CONSTRAINT count_lines_counted_check CHECK (counted >= 0)
);

-- The ledger names the session a count movement was posted from.
ALTER TABLE movements ADD COLUMN count_session_id uuid;
ALTER TABLE movements ADD CONSTRAINT movements_count_session_fkey
    FOREIGN KEY (org_id, count_session_id) REFERENCES count_sessions (org_id, id);

ALTER TABLE count_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE count_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY count_sessions_org_isolation ON count_sessions
    USING (org_id = current_setting('app.org_id', true))
    WITH CHECK (org_id = current_setting('app.org_id', true));

ALTER TABLE count_lines ENABLE ROW LEVEL SECURITY;
ALTER TABLE count_lines FORCE ROW LEVEL SECURITY;
CREATE POLICY count_lines_org_isolation ON count_lines
    USING (org_id = current_setting('app.org_id', true))
    WITH CHECK (org_id = current_setting('app.org_id', true));
