"""``make bench``: run every benchmark of docs/design.md §9, print a table, write latest.json.

Each benchmark runs as soon as the pieces it needs exist; otherwise its row says
"not available: <why>". No figure is ever estimated.

Knobs (environment): BENCH_SECONDS (measured seconds per side, default 15),
BENCH_WORKERS (skip the 1-vs-2 worker comparison), BENCH_POOL_MAX (per worker, default 10),
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

from bench import hot_reserve, import_stock, memory, read, scale
from bench.database import embedded_database
from bench.load import generator_name, run_load
from bench.report import NotAvailable, machine, table, unavailable, write
from bench.server import RunningServer, ServerSettings, running_server

NAMES = ("read", "hot_reserve", "import", "scale", "memory")
TARGETS = {"read": ">=0.6", "hot_reserve": ">=0.6", "import": ">=0.5", "scale": "<=1.3",
           "memory": "<=150MB"}  # fmt: skip


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


def choose_workers(url: str, pool_max: int, seconds: int) -> tuple[int, dict[str, Any]]:
    """Measure the read pair at 1 and 2 workers; keep the count that serves more stock reads."""
    trials: dict[str, Any] = {}
    for workers in (1, 2):
        settings = ServerSettings(workers=workers, pool_max=pool_max)
        with running_server(url, settings) as server:
            try:
                row = read.run(server, url, seconds)
                trials[str(workers)] = {"read_rps": row["ours"]["rps"], "hello_rps": row["anchor"]["rps"],
                                        "p99_ms": row["p99_ms"]}  # fmt: skip
            except NotAvailable:
                hello = run_load(server.base_url, ["/hello"], token=None, seconds=seconds)
                trials[str(workers)] = {"hello_rps": hello.rps}
    key = "read_rps" if all("read_rps" in t for t in trials.values()) else "hello_rps"
    best = max(trials, key=lambda w: trials[w][key])
    return int(best), {"by": key, "trials": trials, "seconds_each": seconds}


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
        choice: dict[str, Any] = {"by": "BENCH_WORKERS"}
        if "BENCH_WORKERS" in os.environ:
            workers = int(os.environ["BENCH_WORKERS"])
        else:
            workers, choice = choose_workers(url, pool_max, max(5, seconds // 2))
        print(f"bench: serving with {workers} uvicorn worker(s), pool max {pool_max} ({choice})")
        settings = ServerSettings(workers=workers, pool_max=pool_max)
        with running_server(url, settings) as server:
            results.update(_served(server, url, seconds, only, choice))
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


def _served(server: RunningServer, url: str, seconds: int, only: set[str],
            choice: dict[str, Any]) -> dict[str, dict[str, Any]]:  # fmt: skip
    out: dict[str, dict[str, Any]] = {}
    if only & {"read", "memory"}:
        out["read"] = attempt("read", lambda: read.run(server, url, seconds))
        out["read"].setdefault("settings", {})["worker_selection"] = choice
        if out["read"]["status"] == "ok":
            out["memory"] = attempt("memory", lambda: memory.run(server, "the read benchmark"))
        else:
            out["memory"] = unavailable("the read benchmark did not run")
    if "hot_reserve" in only:
        out["hot_reserve"] = attempt("hot_reserve", lambda: hot_reserve.run(server, url, seconds))
    if "scale" in only or "import" in only:  # import reuses the 1M-item org scale seeds
        out["scale"] = attempt("scale", lambda: scale.run(server, url, max(3, seconds // 3)))
    return out


if __name__ == "__main__":
    sys.exit(main())
