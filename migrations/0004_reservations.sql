-- Reservations and their lines. A line's expires_at mirrors its reservation's (the adapter
-- writes both on every save) so expired open holds are found per stock level through one
-- partial index, without a join: invariant 3 is evaluated on every stock read.
CREATE TABLE reservations (
    org_id     text        NOT NULL,
    id         uuid        NOT NULL,
    reference  text,
    status     text        NOT NULL,
    expires_at timestamptz,
    created_by text        NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version    integer     NOT NULL,
    CONSTRAINT reservations_pkey PRIMARY KEY (org_id, id),
    CONSTRAINT reservations_status_check
        CHECK (status IN ('active', 'fulfilled', 'released', 'expired')),
    CONSTRAINT reservations_version_check CHECK (version >= 1)
);
CREATE INDEX reservations_created_idx ON reservations (org_id, created_at, id);
CREATE INDEX reservations_status_created_idx ON reservations (org_id, status, created_at, id);
CREATE INDEX reservations_reference_created_idx ON reservations (org_id, reference, created_at, id)
    WHERE reference IS NOT NULL;
-- The effective "expired" filter: stored expired, or active past expires_at. Both have an expiry
-- (only a reservation with expires_at can expire), so one ordered partial index serves it.
CREATE INDEX reservations_expiring_created_idx ON reservations (org_id, created_at, id)
    WHERE expires_at IS NOT NULL AND status IN ('active', 'expired');
-- The cross-org expiry sweep (DueReservations): active reservations by expiry.
CREATE INDEX reservations_due_idx ON reservations (expires_at)
    WHERE status = 'active' AND expires_at IS NOT NULL;

CREATE TABLE reservation_lines (
    org_id         text    NOT NULL,
    reservation_id uuid    NOT NULL,
    line_no        integer NOT NULL,
    item_id        uuid    NOT NULL,
    location_id    uuid    NOT NULL,
    quantity       bigint  NOT NULL,
    fulfilled      bigint  NOT NULL DEFAULT 0,
    released       bigint  NOT NULL DEFAULT 0,
    expires_at     timestamptz,
    CONSTRAINT reservation_lines_pkey PRIMARY KEY (org_id, reservation_id, item_id, location_id),
    CONSTRAINT reservation_lines_reservation_fkey
        FOREIGN KEY (org_id, reservation_id) REFERENCES reservations (org_id, id),
    CONSTRAINT reservation_lines_item_fkey
        FOREIGN KEY (org_id, item_id) REFERENCES items (org_id, id),
    CONSTRAINT reservation_lines_location_fkey
        FOREIGN KEY (org_id, location_id) REFERENCES locations (org_id, id),
    CONSTRAINT reservation_lines_quantity_check CHECK (quantity > 0),
    CONSTRAINT reservation_lines_fulfilled_check CHECK (fulfilled >= 0),
    CONSTRAINT reservation_lines_released_check CHECK (released >= 0),
    -- quantity = fulfilled + released + open, open >= 0
    CONSTRAINT reservation_lines_open_check CHECK (fulfilled + released <= quantity)
);
-- Open holds with an expiry, per level. An open line implies an active reservation (terminal
-- states leave nothing open), so no status column is needed here.
CREATE INDEX reservation_lines_expiring_idx
    ON reservation_lines (org_id, item_id, location_id, expires_at)
    WHERE expires_at IS NOT NULL AND fulfilled + released < quantity;
