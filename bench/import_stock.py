"""import: ``stockroom import-stock`` of 1,000,000 lines vs the least SQL with the same effect.

The anchor is ``psql`` doing in one transaction what the import does, and nothing more:
``\\copy`` of the file into a temp table, one INSERT of the ledger lines joined to items and
locations (and their levels, for on_hand_after), one UPDATE of the levels from the aggregated
ledger lines, commit; same tables, indexes and constraints. Bare ``\\copy`` into a plain table
is reported beside it. The import's own time is split by phase from its log. Each side runs
twice, interleaved, each run from a checkpoint with autovacuum idle (``_quiet``).
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from psycopg import sql

from bench.database import DATA_DIR, ROOT, connect, pg_tool
from bench.fixtures import seed_org
from bench.report import NotAvailable

LINES = 1_000_000
# The 1M-item scale org: one line per item at its one location (run after scale).
ORG = "bench-scale-1m"
DEFAULT_COLUMNS = ("sku", "location_code", "quantity")
STAGING = "bench_import_copy"


def _columns() -> tuple[str, ...]:
    """The importer's CSV header if its module declares one, else the documented default."""
    for name in ("entrypoints.cli.import_stock", "entrypoints.cli.import_csv"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        for attr in ("COLUMNS", "CSV_COLUMNS", "HEADER", "CSV_HEADER"):
            value = getattr(module, attr, None)
            if isinstance(value, str):
                return tuple(v.strip() for v in value.split(","))
            if isinstance(value, (tuple, list)):
                return tuple(value)
    return DEFAULT_COLUMNS


def _write_csv(path: Path, columns: tuple[str, ...]) -> None:
    values = {"sku": "SKU-{:07d}", "location_code": "WH-1", "location": "WH-1",
              "quantity": "5", "counted": "5", "item_sku": "SKU-{:07d}"}  # fmt: skip
    unknown = [c for c in columns if c not in values]
    if unknown:
        raise NotAvailable(f"bench does not know how to fill import columns {unknown}")
    template = ",".join(values[c] for c in columns) + "\n"
    with path.open("w") as out:
        out.write(",".join(columns) + "\n")
        out.writelines(template.format(i) for i in range(1, LINES + 1))


def _help_ok(env: dict[str, str]) -> None:
    cli = [sys.executable, "-m", "entrypoints.cli.main", "import-stock", "--help"]
    done = subprocess.run(cli, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise NotAvailable("`stockroom import-stock` does not exist yet")


def _ours(env: dict[str, str], csv: Path) -> tuple[float, dict[str, float]]:
    cli = [sys.executable, "-m", "entrypoints.cli.main", "import-stock", str(csv), "--org", ORG]
    started = time.monotonic()
    done = subprocess.run(cli, env={**env, "STOCKROOM_LOG_LEVEL": "INFO"}, cwd=ROOT,
                          capture_output=True, text=True, check=False)  # fmt: skip
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        why = (done.stderr.strip().splitlines() or done.stdout.strip().splitlines() or ["?"])[-1]
        raise NotAvailable(f"import-stock exited {done.returncode}: {why[:140]}")
    return elapsed, _phases(done.stderr)


def _copy(url: str, csv: Path, columns: tuple[str, ...]) -> float:
    psql = pg_tool("psql")
    if psql is None:
        raise NotAvailable("psql not found")
    table = sql.Identifier(STAGING)
    cols = sql.SQL(", ").join(
        sql.SQL("{} {}").format(
            sql.Identifier(c), sql.SQL("bigint" if c in ("quantity", "counted") else "text")
        )
        for c in columns
    )
    with connect(url) as conn:
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
        conn.execute(sql.SQL("CREATE TABLE {} ({})").format(table, cols))
    command = f"\\copy {STAGING} FROM '{csv}' WITH (FORMAT csv, HEADER true)"
    started = time.monotonic()
    subprocess.run([str(psql), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", command, url],
                   check=True, capture_output=True)  # fmt: skip
    elapsed = time.monotonic() - started
    with connect(url) as conn:
        conn.execute(sql.SQL("DROP TABLE {}").format(table))
    return elapsed


ANCHOR_SCRIPT = r"""
\set ON_ERROR_STOP 1
BEGIN;
SELECT set_config('app.org_id', :'org', true) \g /dev/null
CREATE TEMP TABLE anchor_rows (sku text, location_code text, quantity bigint) ON COMMIT DROP;
\copy anchor_rows FROM '{file}' WITH (FORMAT csv, HEADER true)
INSERT INTO movements (org_id, id, type, reason, reference, note, actor, created_at)
VALUES (:'org', :'mid', 'receipt', NULL, NULL, NULL, 'bench-anchor', now());
INSERT INTO movement_lines (org_id, movement_id, line_no, item_id, location_id, delta,
                            on_hand_after)
SELECT :'org', :'mid', row_number() OVER (), i.id, l.id, r.quantity, s.on_hand + r.quantity
FROM anchor_rows r
JOIN items i ON i.org_id = :'org' AND lower(i.sku) = lower(r.sku)
JOIN locations l ON l.org_id = :'org' AND lower(l.code) = lower(r.location_code)
JOIN stock_levels s ON s.org_id = :'org' AND s.item_id = i.id AND s.location_id = l.id;
UPDATE stock_levels s SET on_hand = s.on_hand + a.total, version = s.version + a.n,
       updated_at = now()
FROM (SELECT item_id, location_id, sum(delta) AS total, count(*) AS n FROM movement_lines
      WHERE org_id = :'org' AND movement_id = :'mid' GROUP BY 1, 2) a
WHERE s.org_id = :'org' AND s.item_id = a.item_id AND s.location_id = a.location_id;
{events}COMMIT;
"""
# The same effect as the import since it writes events (ADR 0021): one event per level with
# the level's figures, in the outbox, in level order (the import adds the signals, which
# this file's levels do not cross, and one document event).
ANCHOR_EVENTS = r"""INSERT INTO events (org_id, id, type, occurred_at, subject_id, data)
SELECT :'org', gen_random_uuid(), 'stock_level.changed', now(),
       s.item_id::text || ':' || s.location_id::text,
       jsonb_build_object('item_id', s.item_id, 'location_id', s.location_id,
                          'on_hand', s.on_hand, 'reserved', s.reserved,
                          'available', s.on_hand - s.reserved, 'expired', 0,
                          'incoming', s.incoming, 'version', s.version,
                          'updated_at', s.updated_at, 'cause',
                          jsonb_build_object('movement_id', :'mid'))
FROM stock_levels s
WHERE s.org_id = :'org' AND (s.item_id, s.location_id) IN (
    SELECT item_id, location_id FROM movement_lines WHERE org_id = :'org' AND movement_id = :'mid')
ORDER BY s.item_id, s.location_id;
"""


def _anchor(url: str, csv: Path, *, events: bool = False) -> float:
    """The least SQL with the import's effect, run by psql in one transaction (seconds);
    ``events``: the level events too."""
    psql = pg_tool("psql")
    if psql is None:
        raise NotAvailable("psql not found")
    script = DATA_DIR / "import-anchor.sql"
    # \\copy takes no psql variables: the file's path is written into the script.
    text = ANCHOR_SCRIPT.replace("{events}", ANCHOR_EVENTS if events else "")
    script.write_text(text.replace("{file}", str(csv).replace("'", "''")))
    cmd = [str(psql), "-X", "-q", "-v", f"org={ORG}",
           "-v", f"mid={uuid.uuid4()}", "-f", str(script), url]  # fmt: skip
    started = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        raise NotAvailable(f"the psql anchor failed: {done.stderr.strip()[-160:]}")
    return elapsed


def _phases(stderr: str) -> dict[str, float]:
    """Seconds per phase from the import's log lines (``import phase <name> took <s>``)."""
    return {m.group(1): float(m.group(2)) for m in _PHASE.finditer(stderr)}


_PHASE = re.compile(r"import phase (\w+) took ([\d.]+) s")


def _on_hand(url: str) -> int:
    with connect(url) as conn:
        row = conn.execute(
            "SELECT coalesce(sum(on_hand), 0) FROM stock_levels WHERE org_id = %s", (ORG,)
        ).fetchone()
    return int(row[0])  # type: ignore[index]


def _undo_import(url: str) -> None:
    """Take the imported movement back out (levels, lines, document, events) and settle the
    tables, so runs do not pile a million ledger lines each onto the scale org and its later
    measurements."""
    with connect(url) as conn:
        with conn.transaction():
            conn.execute(_UNDO_LEVELS, {"org": ORG})
            conn.execute(
                "DELETE FROM movement_lines WHERE org_id = %(org)s AND movement_id IN"
                " (SELECT id FROM movements WHERE org_id = %(org)s AND type = 'receipt')",
                {"org": ORG},
            )
            conn.execute(
                "DELETE FROM movements WHERE org_id = %(org)s AND type = 'receipt'", {"org": ORG}
            )
            conn.execute("DELETE FROM events WHERE org_id = %(org)s", {"org": ORG})  # its feed
        conn.execute("VACUUM (ANALYZE) stock_levels, movement_lines, movements, events")


_UNDO_LEVELS = """
UPDATE stock_levels s SET on_hand = s.on_hand - l.total
FROM (SELECT item_id, location_id, sum(delta) AS total FROM movement_lines
      WHERE org_id = %(org)s AND movement_id IN
            (SELECT id FROM movements WHERE org_id = %(org)s AND type = 'receipt')
      GROUP BY 1, 2) l
WHERE s.org_id = %(org)s AND s.item_id = l.item_id AND s.location_id = l.location_id
"""


def _quiet(url: str) -> None:
    """Start each timed side from the same state: no autovacuum still working through the
    previous side's million rows (it shares the two cores), and a fresh checkpoint, so that no
    side pays for the WAL another left to flush."""
    with connect(url) as conn:
        for _ in range(120):
            busy = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"
                " AND datname = current_database()"
            ).fetchone()
            if not busy or not busy[0]:
                break
            time.sleep(0.5)
        conn.execute("CHECKPOINT")


def run(url: str, env: dict[str, str]) -> dict[str, Any]:
    _help_ok(env)
    with connect(url) as conn:
        seed_org(conn, ORG, items=LINES)
    columns = _columns()
    csv = DATA_DIR / "import-1m.csv"
    _write_csv(csv, columns)
    copy_s = _copy(url, csv, columns)
    before = _on_hand(url)
    # Two rounds, the order flipped in the second (anchor, ours, ours, anchor): the machine's
    # disk and CPU drift over minutes (one anchor took 45 s, another 78 s, in one afternoon),
    # and each side then meets as much of it. The ratio is total over total.
    anchor_runs: list[float] = []
    ours_runs: list[float] = []
    phases: dict[str, float] = {}
    for side in ("anchor", "ours", "ours", "anchor"):
        _quiet(url)
        if side == "anchor":
            anchor_runs.append(_anchor(url, csv))
        else:
            seconds, phases = _ours(env, csv)
            ours_runs.append(seconds)
        added = _on_hand(url) - before
        _undo_import(url)
        if added != 5 * LINES:
            raise NotAvailable(f"on_hand grew by {added} ({side}), not {5 * LINES}")
    _quiet(url)
    evented_s = _anchor(url, csv, events=True)
    _undo_import(url)
    anchor_s, ours_s = sum(anchor_runs) / 2, sum(ours_runs) / 2
    split = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in phases.items())
    return {
        "status": "ok",
        "ratio": round(anchor_s / ours_s, 3),
        "ours": {"seconds": round(ours_s, 2), "rows_per_s": round(LINES / ours_s),
                 "runs_s": [round(r, 2) for r in ours_runs], "phases_s": phases},
        "anchor": {"seconds": round(anchor_s, 2), "rows_per_s": round(LINES / anchor_s),
                   "runs_s": [round(r, 2) for r in anchor_runs],
                   "what": "psql: \\copy to a temp table, INSERT ledger lines, UPDATE levels"},
        "bare_copy": {"seconds": round(copy_s, 2), "rows_per_s": round(LINES / copy_s)},
        "anchor_with_events": {"seconds": round(evented_s, 2),
                               "rows_per_s": round(LINES / evented_s),
                               "ratio": round(evented_s / ours_s, 3),
                               "what": "the anchor plus one INSERT of the level events"},
        "target": ">=0.7",
        "ours_label": f"{LINES / ours_s:,.0f} rows/s",
        "anchor_label": f"{LINES / anchor_s:,.0f} rows/s (psql)",
        "note": f"bare \\copy {LINES / copy_s:,.0f} rows/s; anchor with the level events "
                f"{LINES / evented_s:,.0f} rows/s (ratio {evented_s / ours_s:.3f}); "
                f"phases: {split or 'not logged'}",
        "settings": {"lines": LINES, "columns": list(columns), "org": ORG,
                     "verified": "org on_hand grew by 5 x lines, every run",
                     "timing": "wall clock of each command, process start included; "
                               "mean of two runs each, in the order anchor, ours, ours, "
                               "anchor; phases from the last run of ours"},
    }  # fmt: skip
