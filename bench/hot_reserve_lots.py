"""hot_reserve_lots: reservations/s on ONE lot-tracked level holding several lots, FEFO.

The same load as hot_reserve (one unit per reservation, 32 connections, no lot named, so every
reservation is allocated first-expiry-first-out), on an item tracked by lot with five lots at
one location. Its anchor is hot_reserve's untracked level in the same run: the ratio is what
lots cost a hot reservation (ADR 0031: two statements more under the level's lock).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from bench import auth, probe
from bench.cpu import CpuMeter, postgres_processes
from bench.database import DATA_DIR, connect
from bench.fixtures import seed_org
from bench.load import run_load
from bench.server import RunningServer

ORG = "bench-hot-lots"
LOTS = 5
PER_LOT = 10_000_000
CONNECTIONS = 32
_TABLES = ("reservation_lot_lines", "reservation_lines", "reservations", "movement_lines",
           "movements", "lot_levels", "lots", "stock_levels", "items", "locations")  # fmt: skip

# Zero oversell, per lot too: the level's reserved is its lots' reserved, which is what the
# reservations' open lot lines hold, one unit per reservation, never more than on hand.
_CHECK = """
SELECT s.on_hand, s.reserved,
       (SELECT coalesce(sum(ll.reserved), 0) FROM lot_levels ll WHERE ll.org_id = s.org_id),
       (SELECT coalesce(sum(ll.on_hand), 0) FROM lot_levels ll WHERE ll.org_id = s.org_id),
       (SELECT count(*) FROM reservations r WHERE r.org_id = s.org_id),
       (SELECT coalesce(sum(q.quantity - q.fulfilled - q.released), 0)
          FROM reservation_lot_lines q WHERE q.org_id = s.org_id)
FROM stock_levels s WHERE s.org_id = %(org)s
"""


def _verify(url: str) -> dict[str, int | bool]:
    with connect(url) as conn:
        row = conn.execute(_CHECK, {"org": ORG}).fetchone()
    on_hand, reserved, lots_reserved, lots_on_hand, count, open_qty = row  # type: ignore[misc]
    ok = reserved <= on_hand and on_hand == lots_on_hand and reserved == lots_reserved == count
    ok = ok and count == open_qty
    return {"on_hand": on_hand, "reserved": reserved, "lots_reserved": int(lots_reserved),
            "reservations": count, "open_lot_quantity": int(open_qty),
            "zero_oversell": ok}  # fmt: skip


def _prepare(server: RunningServer, url: str) -> tuple[str, str]:
    """A fresh org: one lot-tracked item, five lots received at one location (API receipts)."""
    with connect(url) as conn, conn.transaction():
        for table in _TABLES:
            query = psycopg.sql.SQL("DELETE FROM {} WHERE org_id = %s")
            conn.execute(query.format(psycopg.sql.Identifier(table)), (ORG,))
    with connect(url) as conn:
        seeded = seed_org(conn, ORG, items=1, on_hand=0)
        item = seeded.sample_item_ids(conn, 1)[0]
        conn.execute("DELETE FROM stock_levels WHERE org_id = %s", (ORG,))
        conn.execute("UPDATE items SET tracking = 'lot' WHERE org_id = %s", (ORG,))
    admin = auth.dev_token(server.env, ORG, role="admin")
    today = datetime.now(UTC).date()
    for n in range(LOTS):
        line = {"item_id": item, "location_id": seeded.location_id, "quantity": PER_LOT,
                "lot_code": f"LOT-{n}", "expires_on": str(today + timedelta(days=30 * (n + 1)))}  # fmt: skip
        sent = probe.request(server.base_url, "POST", "/v1/movements", admin,
                             json={"type": "receipt", "lines": [line]})  # fmt: skip
        probe.expect(sent, 201, "POST /v1/movements (a receipt in a lot)")
    with connect(url) as conn:
        conn.execute("CHECKPOINT")
    return item, seeded.location_id


def run(server: RunningServer, url: str, seconds: int, untracked: dict[str, Any]) -> dict[str, Any]:
    """``untracked``: hot_reserve's row of the same run (its API side is the anchor)."""
    if untracked.get("status") != "ok":
        raise probe.NotAvailable("hot_reserve did not run, and it is this benchmark's anchor")
    item, loc = _prepare(server, url)
    token = auth.dev_token(server.env, ORG, role="member")
    body = {"lines": [{"item_id": item, "location_id": loc, "quantity": 1}]}
    first = probe.request(server.base_url, "POST", "/v1/reservations", token, json=body)
    probe.expect(first, 201, "POST /v1/reservations of a lot-tracked item")
    run_load(server.base_url, ["/v1/reservations"], token=token, seconds=2, method="POST",
             body=body, connections=CONNECTIONS)  # fmt: skip
    before = int(_verify(url)["reservations"])

    def database() -> list[Any]:
        return postgres_processes(str(DATA_DIR / "pgdata"))

    with CpuMeter(server.worker_processes, database) as meter:
        load = run_load(server.base_url, ["/v1/reservations"], token=token, seconds=seconds,
                        method="POST", body=body, connections=CONNECTIONS)  # fmt: skip
    check = _verify(url)
    rate = (int(check["reservations"]) - before) / load.seconds
    anchor = untracked["ours"]["reservations_per_s"]
    cpu = meter.sample.per_request_us(load.requests)
    return {
        "status": "ok",
        "ratio": round(rate / anchor, 3),
        "zero_oversell": check["zero_oversell"],
        "ours": {
            "reservations_per_s": rate,
            "load": load.as_dict(),
            "check": check,
            "cpu_us_per_request": cpu,
        },
        "anchor": {"reservations_per_s": anchor, "what": "hot_reserve's untracked level"},
        "ours_label": f"{rate:,.0f} res/s",
        "anchor_label": f"{anchor:,.0f} res/s (untracked)",
        "cpu_us_per_request": cpu,
        "note": ("zero oversell, lots = level" if check["zero_oversell"] else "MISMATCH - see json")
        + f"; {LOTS} lots, FEFO; CPU/reservation {cpu['total']} us"
        + f" (untracked {untracked['ours']['cpu_us_per_request']['total']} us)",
        "settings": {
            **server.settings.as_dict(),
            "connections": CONNECTIONS,
            "seconds": seconds,
            "lots": LOTS,
            "on_hand_per_lot": PER_LOT,
        },
    }
