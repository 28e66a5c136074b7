"""hot_reserve: reservations/s on ONE stock level, API vs pgbench doing the same transaction."""

from __future__ import annotations

import re
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from bench import auth, probe
from bench.cpu import CpuMeter, postgres_processes
from bench.database import DATA_DIR, app_url, connect, pg_tool
from bench.fixtures import reset_reservations, seed_org
from bench.load import run_load
from bench.server import RunningServer

API_ORG = "bench-hot-api"
PG_ORG = "bench-hot-pgbench"
ON_HAND = 50_000_000
CONNECTIONS = 32

# The same transaction the API runs for a one-line reservation: bind the org for RLS,
# take one unit with a conditional UPDATE (\gset fails the transaction if nothing is
# available), insert the reservation and its line.
PGBENCH_SCRIPT = r"""
BEGIN;
SELECT set_config('app.org_id', :org, true);
UPDATE stock_levels SET reserved = reserved + 1, version = version + 1, updated_at = now()
 WHERE org_id = :org AND item_id = :item AND location_id = :loc AND on_hand - reserved >= 1
 RETURNING on_hand - reserved AS available \gset
INSERT INTO reservations (org_id, id, reference, status, expires_at, created_by, created_at,
                          updated_at, version)
 VALUES (:org, gen_random_uuid(), NULL, 'active', NULL, 'pgbench', now(), now(), 1)
 RETURNING id AS rid \gset
INSERT INTO reservation_lines (org_id, reservation_id, line_no, item_id, location_id, quantity,
                               fulfilled, released, expires_at)
 VALUES (:org, :rid, 1, :item, :loc, 1, 0, 0, NULL);
COMMIT;
"""

_CHECK = """
SELECT l.on_hand, l.reserved,
       (SELECT count(*) FROM reservations r WHERE r.org_id = %(org)s),
       (SELECT coalesce(sum(q.quantity - q.fulfilled - q.released), 0) FROM reservation_lines q
         WHERE q.org_id = %(org)s AND q.item_id = l.item_id AND q.location_id = l.location_id)
FROM stock_levels l WHERE l.org_id = %(org)s
"""


def _database() -> list[psutil.Process]:
    return postgres_processes(str(DATA_DIR / "pgdata"))


def _verify(url: str, org: str) -> dict[str, int | bool]:
    """Zero oversell: reserved <= on_hand, reservations = reserved = open line quantity."""
    with connect(url) as conn:
        on_hand, reserved, count, open_qty = conn.execute(_CHECK, {"org": org}).fetchone()  # type: ignore[misc]
    ok = reserved <= on_hand and count == reserved == open_qty
    return {"on_hand": on_hand, "reserved": reserved, "reservations": count,
            "open_line_quantity": int(open_qty), "zero_oversell": ok}  # fmt: skip


def _prepare(url: str, org: str) -> tuple[str, str]:
    with connect(url) as conn:
        seeded = seed_org(conn, org, items=1, on_hand=ON_HAND)
        reset_reservations(conn, org, ON_HAND)
        # Both sides start from a clean checkpoint, so neither pays for the other's WAL.
        conn.execute("CHECKPOINT")
        return seeded.sample_item_ids(conn, 1)[0], seeded.location_id


def _api(server: RunningServer, url: str, seconds: int) -> dict[str, Any]:
    item, loc = _prepare(url, API_ORG)
    token = auth.dev_token(server.env, API_ORG, role="member")
    body = {"lines": [{"item_id": item, "location_id": loc, "quantity": 1}]}
    first = probe.request(server.base_url, "POST", "/v1/reservations", token, json=body)
    probe.expect(first, 201, "POST /v1/reservations")
    if not _verify(url, API_ORG)["reserved"]:
        raise probe.NotAvailable("POST /v1/reservations did not write to PostgreSQL (in-memory?)")
    run_load(server.base_url, ["/v1/reservations"], token=token, seconds=2, method="POST",
             body=body, connections=CONNECTIONS)  # fmt: skip
    before = _verify(url, API_ORG)["reservations"]
    with CpuMeter(server.worker_processes, _database) as meter:
        load = run_load(server.base_url, ["/v1/reservations"], token=token, seconds=seconds,
                        method="POST", body=body, connections=CONNECTIONS)  # fmt: skip
    check = _verify(url, API_ORG)
    made = int(check["reservations"]) - int(before)
    return {"reservations_per_s": made / load.seconds, "load": load.as_dict(), "check": check,
            "cpu_us_per_request": meter.sample.per_request_us(load.requests)}  # fmt: skip


def _pgbench(url: str, seconds: int) -> dict[str, Any]:
    pgbench = pg_tool("pgbench")
    if pgbench is None:
        raise probe.NotAvailable("pgbench not found")
    item, loc = _prepare(url, PG_ORG)
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(PGBENCH_SCRIPT)
    cmd = [str(pgbench), "-n", "-M", "prepared", "-c", str(CONNECTIONS), "-j", "2",
           "-T", str(seconds), "-f", script.name, "-D", f"org={PG_ORG}", "-D", f"item={item}",
           "-D", f"loc={loc}", app_url(url)]  # fmt: skip  # bound by RLS, like the API
    try:
        started = time.monotonic()
        with CpuMeter(list, _database) as meter:
            done = subprocess.run(
                cmd, capture_output=True, text=True, timeout=seconds + 60, check=False
            )
        elapsed = time.monotonic() - started
    finally:
        Path(script.name).unlink()
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", done.stdout)
    if done.returncode != 0 or not tps:
        raise probe.NotAvailable(f"pgbench failed: {(done.stderr or done.stdout)[-160:]}")
    failed = re.search(r"number of failed transactions: (\d+)", done.stdout)
    check = _verify(url, PG_ORG)
    processed = re.search(r"number of transactions actually processed: (\d+)", done.stdout)
    count = int(processed.group(1)) if processed else 0
    return {"reservations_per_s": float(tps.group(1)), "wall_seconds": round(elapsed, 1),
            "failed_transactions": int(failed.group(1)) if failed else 0, "check": check,
            "cpu_us_per_request": meter.sample.per_request_us(count)}  # fmt: skip


def run(server: RunningServer, url: str, seconds: int) -> dict[str, Any]:
    anchor = _pgbench(url, seconds)
    ours = _api(server, url, seconds)
    ok = ours["check"]["zero_oversell"] and anchor["check"]["zero_oversell"]
    return {
        "status": "ok",
        "ratio": round(ours["reservations_per_s"] / anchor["reservations_per_s"], 3),
        "zero_oversell": ok,
        "ours": ours,
        "anchor": anchor,
        "target": ">=0.6, 0 oversell",
        "ours_label": f"{ours['reservations_per_s']:,.0f} res/s",
        "anchor_label": f"{anchor['reservations_per_s']:,.0f} res/s (pgbench)",
        "cpu_us_per_request": ours["cpu_us_per_request"],
        "note": ("zero oversell" if ok else "OVERSELL OR MISMATCH - see json")
        + f"; CPU/reservation {ours['cpu_us_per_request']['total']} us"
        + f" (pgbench's database side {anchor['cpu_us_per_request']['database']} us)",
        "settings": {**server.settings.as_dict(), "connections": CONNECTIONS,
                     "seconds": seconds, "pgbench": "-M prepared -j 2", "on_hand": ON_HAND},
    }  # fmt: skip
