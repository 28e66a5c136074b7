"""Every version column is bigint: a hot stock level changes millions of times a day."""

from __future__ import annotations

import psycopg

VERSION_COLUMNS = """
SELECT table_name, data_type FROM information_schema.columns
WHERE table_schema = 'public' AND column_name = 'version' AND table_name NOT LIKE '%%yoyo%%'
ORDER BY table_name
"""


def test_every_version_column_is_bigint(database_url: str) -> None:
    with psycopg.connect(database_url) as conn:
        columns = conn.execute(VERSION_COLUMNS).fetchall()

    assert {table for table, _ in columns} >= {"items", "locations", "reservations", "stock_levels"}
    assert {kind for _, kind in columns} == {"bigint"}
