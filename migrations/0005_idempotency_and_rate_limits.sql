-- Idempotency keys, per org, written in the same transaction as the change they guard. Kept at
-- least 24 hours (created_at); the purge only removes older ones.
CREATE TABLE idempotency_keys (
    org_id      text        NOT NULL,
    key         text        NOT NULL,
    fingerprint text        NOT NULL,
    result      jsonb,
    created_at  timestamptz NOT NULL,
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (org_id, key),
    CONSTRAINT idempotency_keys_key_check CHECK (length(key) BETWEEN 1 AND 255)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- Fixed-window rate-limit counters shared by every API process. NOT org data: keys are per IP
-- or per principal (login attempts arrive before any org is known), so this table carries no
-- org_id and no row-level security. One row per key; a new window resets the row in place.
CREATE TABLE rate_limit_windows (
    key          text        NOT NULL,
    window_start timestamptz NOT NULL,
    hits         integer     NOT NULL,
    CONSTRAINT rate_limit_windows_pkey PRIMARY KEY (key),
    CONSTRAINT rate_limit_windows_hits_check CHECK (hits >= 1)
);
CREATE INDEX rate_limit_windows_start_idx ON rate_limit_windows (window_start);
