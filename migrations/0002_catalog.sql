-- Items and locations. Every org table is keyed by (org_id, id); org ids are BetterAuth's opaque
-- text ids. sku and code use the "C" collation so lower(...) orders by code point, exactly as the
-- application's keyset cursors compare them; uniqueness is case-insensitive per org.
CREATE TABLE items (
    org_id        text        NOT NULL,
    id            uuid        NOT NULL,
    sku           text COLLATE "C" NOT NULL,
    name          text        NOT NULL,
    description   text,
    unit          text        NOT NULL,
    reorder_point bigint,
    archived      boolean     NOT NULL DEFAULT false,
    version       integer     NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    CONSTRAINT items_pkey PRIMARY KEY (org_id, id),
    CONSTRAINT items_sku_check CHECK (sku ~ '^[A-Za-z0-9._-]{1,64}$'),
    CONSTRAINT items_reorder_point_check CHECK (reorder_point IS NULL OR reorder_point >= 0),
    CONSTRAINT items_version_check CHECK (version >= 1)
);
-- Backs the duplicate-SKU Conflict (mapped by this name) and the items keyset order.
CREATE UNIQUE INDEX items_org_sku_key ON items (org_id, lower(sku));

CREATE TABLE locations (
    org_id     text        NOT NULL,
    id         uuid        NOT NULL,
    code       text COLLATE "C" NOT NULL,
    name       text        NOT NULL,
    kind       text        NOT NULL,
    archived   boolean     NOT NULL DEFAULT false,
    version    integer     NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    CONSTRAINT locations_pkey PRIMARY KEY (org_id, id),
    CONSTRAINT locations_code_check CHECK (code ~ '^[A-Za-z0-9._-]{1,64}$'),
    CONSTRAINT locations_kind_check CHECK (kind IN ('warehouse', 'store', 'bin', 'virtual')),
    CONSTRAINT locations_version_check CHECK (version >= 1)
);
CREATE UNIQUE INDEX locations_org_code_key ON locations (org_id, lower(code));
