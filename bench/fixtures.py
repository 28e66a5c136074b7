"""Bench data, bulk-loaded with SQL into dedicated orgs (setup only; the measured side is the API).

Orgs are reused across runs when their row counts already match. Levels are written without
ledger movements: these orgs exist only for the bench.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

_ITEMS = """
INSERT INTO items (org_id, id, sku, name, description, unit, reorder_point, archived, version,
                   created_at, updated_at)
SELECT %(org)s, md5(%(org)s || ':' || i)::uuid, 'SKU-' || lpad(i::text, 7, '0'), 'Item ' || i,
       NULL, 'each', 10, false, 1, now(), now()
FROM generate_series(1, %(n)s) AS i
"""
_LOCATION = """
INSERT INTO locations (org_id, id, code, name, kind, archived, version, created_at, updated_at)
VALUES (%(org)s, md5(%(org)s || ':loc')::uuid, 'WH-1', 'Main warehouse', 'warehouse', false, 1,
        now(), now())
"""
_LEVELS = """
INSERT INTO stock_levels (org_id, item_id, location_id, on_hand, reserved, version, updated_at)
SELECT org_id, id, md5(%(org)s || ':loc')::uuid, %(on_hand)s, 0, 1, now()
FROM items WHERE org_id = %(org)s
"""


@dataclass(frozen=True)
class SeededOrg:
    """An org with ``items`` items, one location and one stock level per item."""

    org: str
    items: int
    location_id: str

    def sample_item_ids(self, conn: psycopg.Connection, n: int) -> list[str]:
        """``n`` item ids spread over the whole org (deterministic)."""
        step = max(1, self.items // n)
        rows = conn.execute(
            "SELECT md5(%(org)s || ':' || i)::uuid::text FROM generate_series(1, %(top)s, %(step)s) i",
            {"org": self.org, "top": self.items, "step": step},
        ).fetchall()
        return [r[0] for r in rows[:n]]


def seed_org(conn: psycopg.Connection, org: str, items: int, on_hand: int = 100) -> SeededOrg:
    """Create ``org`` with ``items`` items and their levels, unless it already has them."""
    location_id = conn.execute("SELECT md5(%s || ':loc')::uuid::text", (org,)).fetchone()[0]  # type: ignore[index]
    have = conn.execute("SELECT count(*) FROM items WHERE org_id = %s", (org,)).fetchone()[0]  # type: ignore[index]
    if have != items:
        with conn.transaction():
            for table in ("reservation_lines", "reservations", "movement_lines", "movements",
                          "stock_levels", "items", "locations"):  # fmt: skip
                conn.execute(
                    psycopg.sql.SQL("DELETE FROM {} WHERE org_id = %s").format(
                        psycopg.sql.Identifier(table)
                    ),
                    (org,),
                )
            params = {"org": org, "n": items, "on_hand": on_hand}
            conn.execute(_ITEMS, params)
            conn.execute(_LOCATION, params)
            conn.execute(_LEVELS, params)
    # Freshly written rows would otherwise be measured while autovacuum and first-read hint-bit
    # writes run against them; a settled table is what a 1M-row production table looks like.
    conn.execute("VACUUM (ANALYZE) items, stock_levels, locations")
    return SeededOrg(org, items, location_id)


def reset_reservations(conn: psycopg.Connection, org: str, on_hand: int) -> None:
    """Drop the org's reservations and set every level to ``on_hand`` with nothing reserved."""
    with conn.transaction():
        conn.execute("DELETE FROM reservation_lines WHERE org_id = %s", (org,))
        conn.execute("DELETE FROM reservations WHERE org_id = %s", (org,))
        conn.execute(
            "UPDATE stock_levels SET on_hand = %s, reserved = 0 WHERE org_id = %s", (on_hand, org)
        )
