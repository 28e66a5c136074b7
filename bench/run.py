"""``make bench``: run every benchmark of docs/design.md §9, print a table, write latest.json.

Each benchmark runs as soon as the pieces it needs exist; otherwise its row says
"not available: <why>". No figure is ever estimated.

Knobs (environment): BENCH_SECONDS (measured seconds per side, default 15),
BENCH_WORKERS (workers for every benchmark but the one-worker read; default one per core),
BENCH_POOL_MAX (per worker, default 10),
BENCH_ONLY (comma list of benchmarks), BENCH_NO_INSTALL=1 (never apt-get install wrk).
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import hot_reserve, hot_reserve_lots, import_stock, read, scale
from bench.database import embedded_database
from bench.load import generator_name
from bench.report import NotAvailable, machine, table, unavailable, write
from bench.server import RunningServer, ServerSettings, running_server

NAMES = ("read", "hot_reserve", "hot_reserve_lots", "import", "scale", "memory")
TARGETS = {"read": ">=0.6", "hot_reserve": ">=0.6", "hot_reserve_lots": "report (vs untracked)",
           "import": ">=0.7", "scale": "<=1.3", "memory": "<=150MB"}  # fmt: skip


def attempt(name: str, fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run one benchmark; a missing piece or a failure becomes a "not available" row."""
    started = time.monotonic()
    print(f"bench: {name} ...", flush=True)
    try:
        row = fn()
    except NotAvailable as exc:
        row = unavailable(str(exc))
    except Exception as exc:  # a crash must not hide the other benchmarks' figures
        traceback.print_exc()
        row = unavailable(f"error: {type(exc).__name__}: {str(exc)[:160]}")
    row.setdefault("target", TARGETS[name])
    print(f"bench: {name} done in {time.monotonic() - started:.0f} s ({row['status']})", flush=True)
    return row


def main() -> int:
    seconds = int(os.environ.get("BENCH_SECONDS", "15"))
    pool_max = int(os.environ.get("BENCH_POOL_MAX", "10"))
    only = set(filter(None, os.environ.get("BENCH_ONLY", "").split(","))) or set(NAMES)
    box = machine()
    print(f"bench: {box['cores']} cores, {box['cpu_model']}; load generator: {generator_name()}")
    if generator_name() != "wrk":
        print("bench: wrk not found; the Python generator shares the CPU and caps throughput")
    results: dict[str, dict[str, Any]] = {}
    with embedded_database() as url:
        # One worker per core, as ADR 0014 deploys it; the read also runs with one worker.
        workers = int(os.environ.get("BENCH_WORKERS", str(read.cores())))
        print(f"bench: serving with {workers} uvicorn worker(s), pool max {pool_max}")
        if only & {"read", "memory"}:
            results.update(_read(url, seconds, pool_max, workers))
        settings = ServerSettings(workers=workers, pool_max=pool_max)
        with running_server(url, settings) as server:
            results.update(_served(server, url, seconds, only))
            env = server.env
        if "import" in only:
            results["import"] = attempt("import", lambda: import_stock.run(url, env))
    ordered = {n: results.get(n) or unavailable("skipped (BENCH_ONLY)") for n in NAMES}
    for name, row in ordered.items():
        row.setdefault("target", TARGETS[name])
        row["machine"] = box
    write(ordered)
    print()
    print(table(ordered))
    print(f"\nbench: wrote {Path('bench/results/latest.json')}")
    return 0


def _read(url: str, seconds: int, pool_max: int, workers: int) -> dict[str, dict[str, Any]]:
    memory_row: dict[str, Any] = {}

    def measure() -> dict[str, Any]:
        row, rss = read.run(url, seconds, pool_max, workers)
        memory_row.update(rss)
        return row

    out = {"read": attempt("read", measure)}
    out["memory"] = memory_row or unavailable("the read benchmark did not run")
    return out


def _served(server: RunningServer, url: str, seconds: int,
            only: set[str]) -> dict[str, dict[str, Any]]:  # fmt: skip
    out: dict[str, dict[str, Any]] = {}
    if "hot_reserve" in only:
        out["hot_reserve"] = attempt("hot_reserve", lambda: hot_reserve.run(server, url, seconds))
    if "hot_reserve_lots" in only:  # its anchor is hot_reserve's API side, in this run
        untracked = out.get("hot_reserve", {})
        out["hot_reserve_lots"] = attempt(
            "hot_reserve_lots", lambda: hot_reserve_lots.run(server, url, seconds, untracked)
        )
    if "scale" in only or "import" in only:  # import reuses the 1M-item org scale seeds
        out["scale"] = attempt("scale", lambda: scale.run(server, url, max(3, seconds // 3)))
    return out


if __name__ == "__main__":
    sys.exit(main())
