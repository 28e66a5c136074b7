"""import: ``stockroom import-stock`` of 1,000,000 lines vs ``psql \\copy`` of the same file."""

from __future__ import annotations

import importlib
import subprocess
import sys
import time
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


def _ours(env: dict[str, str], csv: Path) -> float:
    cli = [sys.executable, "-m", "entrypoints.cli.main", "import-stock", str(csv), "--org", ORG]
    started = time.monotonic()
    done = subprocess.run(cli, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        why = (done.stderr.strip().splitlines() or done.stdout.strip().splitlines() or ["?"])[-1]
        raise NotAvailable(f"import-stock exited {done.returncode}: {why[:140]}")
    return elapsed


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


def _on_hand(url: str) -> int:
    with connect(url) as conn:
        row = conn.execute(
            "SELECT coalesce(sum(on_hand), 0) FROM stock_levels WHERE org_id = %s", (ORG,)
        ).fetchone()
    return int(row[0])  # type: ignore[index]


def _undo_import(url: str) -> None:
    """Take the imported movement back out (levels, lines, document) and settle the tables, so
    runs do not pile a million ledger lines each onto the scale org and its later measurements."""
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
        conn.execute("VACUUM (ANALYZE) stock_levels, movement_lines, movements")


_UNDO_LEVELS = """
UPDATE stock_levels s SET on_hand = s.on_hand - l.total
FROM (SELECT item_id, location_id, sum(delta) AS total FROM movement_lines
      WHERE org_id = %(org)s AND movement_id IN
            (SELECT id FROM movements WHERE org_id = %(org)s AND type = 'receipt')
      GROUP BY 1, 2) l
WHERE s.org_id = %(org)s AND s.item_id = l.item_id AND s.location_id = l.location_id
"""


def run(url: str, env: dict[str, str]) -> dict[str, Any]:
    _help_ok(env)
    with connect(url) as conn:
        seed_org(conn, ORG, items=LINES)
    columns = _columns()
    csv = DATA_DIR / "import-1m.csv"
    _write_csv(csv, columns)
    copy_s = _copy(url, csv, columns)
    before = _on_hand(url)
    ours_s = _ours(env, csv)
    added = _on_hand(url) - before
    _undo_import(url)
    if added != 5 * LINES:
        raise NotAvailable(f"import-stock exited 0 but on_hand grew by {added}, not {5 * LINES}")
    return {
        "status": "ok",
        "ratio": round(copy_s / ours_s, 3),
        "ours": {"seconds": round(ours_s, 2), "rows_per_s": round(LINES / ours_s)},
        "anchor": {"seconds": round(copy_s, 2), "rows_per_s": round(LINES / copy_s)},
        "target": ">=0.5",
        "ours_label": f"{LINES / ours_s:,.0f} rows/s",
        "anchor_label": f"{LINES / copy_s:,.0f} rows/s (\\copy)",
        "note": "wall clock of each command, process start included",
        "settings": {"lines": LINES, "columns": list(columns), "org": ORG,
                     "verified": "org on_hand grew by 5 x lines", "copy_target": f"staging table {STAGING} (plain, logged)"},
    }  # fmt: skip
