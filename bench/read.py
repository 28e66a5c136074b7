"""read: authenticated GET /v1/stock-levels?item_id= vs unauthenticated /hello, same server.

Measured twice: with one worker, and with one worker per core (the production setup, which
also serves the other benchmarks). Each side reports throughput, latency and CPU per request:
the workers' CPU seconds, and the database's, over the requests served (bench/cpu.py).
"""

from __future__ import annotations

import os
import threading
from typing import Any

from bench import auth, memory, probe
from bench.cpu import CpuMeter, postgres_processes
from bench.database import DATA_DIR, connect
from bench.fixtures import seed_org
from bench.load import LoadResult, run_load
from bench.server import RunningServer, ServerSettings, running_server

ORG = "bench-read"
CONNECTIONS = 32


def _paths(server: RunningServer, url: str, token: str) -> list[str]:
    with connect(url) as conn:
        org = seed_org(conn, ORG, items=100)
        ids = org.sample_item_ids(conn, 100)
    paths = [f"/v1/stock-levels?item_id={i}" for i in ids]
    body = probe.expect(
        probe.request(server.base_url, "GET", paths[0], token), 200, "GET /v1/stock-levels"
    )
    if not body.get("items") or body["items"][0].get("on_hand") != 100:
        raise probe.NotAvailable(
            "GET /v1/stock-levels does not see rows seeded in PostgreSQL "
            "(the container still wires the in-memory unit of work?)"
        )
    return paths


def measured(
    server: RunningServer, paths: list[str], token: str | None, seconds: int
) -> tuple[LoadResult, dict[str, float | None], list[int]]:
    """One load after a short warm-up, the CPU it cost per request, and how its connections
    were spread over the workers (sampled halfway through)."""
    run_load(server.base_url, paths, token=token, seconds=2, connections=CONNECTIONS)
    database = lambda: postgres_processes(str(DATA_DIR / "pgdata"))  # noqa: E731
    spread: list[list[int]] = []
    halfway = threading.Timer(seconds / 2, lambda: spread.append(server.connections_per_worker()))
    with CpuMeter(server.worker_processes, database) as meter:
        halfway.start()
        load = run_load(
            server.base_url, paths, token=token, seconds=seconds, connections=CONNECTIONS
        )
        halfway.join()
    return load, meter.sample.per_request_us(load.requests), spread[0] if spread else []


def pair(server: RunningServer, url: str, seconds: int) -> dict[str, Any]:
    """Hello, then the stock read, on one running server."""
    token = auth.dev_token(server.env, ORG, role="member")
    paths = _paths(server, url, token)
    hello, hello_cpu, hello_spread = measured(server, ["/hello"], None, seconds)
    ours, ours_cpu, ours_spread = measured(server, paths, token, seconds)
    if ours.non_2xx or ours.errors:
        raise probe.NotAvailable(
            f"stock-level reads failed under load ({ours.non_2xx} non-2xx, {ours.errors} errors)"
        )
    return {
        "ratio": round(ours.rps / hello.rps, 3),
        "p99_ms": round(ours.p99_ms, 2),
        "ours": {**ours.as_dict(), "cpu_us_per_request": ours_cpu,
                 "connections_per_worker": ours_spread},
        "anchor": {**hello.as_dict(), "cpu_us_per_request": hello_cpu,
                   "connections_per_worker": hello_spread},
        "cpu_ratio": _cpu_ratio(hello_cpu, ours_cpu),
        "settings": {**server.settings.as_dict(), "connections": CONNECTIONS,
                     "seconds": seconds, "distinct_item_ids": len(paths)},
    }  # fmt: skip


def _cpu_ratio(hello: dict[str, float | None], ours: dict[str, float | None]) -> float | None:
    """Hello's CPU per request over the read's (worker and database): 1.0 would be as cheap."""
    if not hello.get("total") or not ours.get("total"):
        return None
    return round(float(hello["total"]) / float(ours["total"]), 3)  # type: ignore[arg-type]


def run(
    url: str, seconds: int, pool_max: int, per_core: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The read pair with one worker, then with one worker per core; and the workers' memory
    right after the last read (the memory benchmark)."""
    rows = {}
    rss: dict[str, Any] = {}
    for workers in sorted({1, per_core}):
        with running_server(url, ServerSettings(workers=workers, pool_max=pool_max)) as server:
            rows[workers] = pair(server, url, seconds)
            rss = memory.run(server, f"the read benchmark ({workers} workers)")
    main, single = rows[per_core], rows[1]
    meets = all(r["ratio"] >= 0.6 and r["p99_ms"] <= 25 for r in rows.values())
    return {
        "status": "ok",
        **main,
        "one_worker": single,
        "meets_target_both": meets,
        "target": ">=0.6, p99<=25ms (1 worker and 1 per core)",
        "ours_label": f"{main['ours']['rps']:,.0f} req/s p99 {main['p99_ms']:.1f}ms",
        "anchor_label": f"{main['anchor']['rps']:,.0f} req/s (hello)",
        "note": (f"{per_core} workers; 1 worker: ratio {single['ratio']}, "
                 f"p99 {single['p99_ms']} ms; CPU/request read "
                 f"{main['ours']['cpu_us_per_request']['total']} us vs hello "
                 f"{main['anchor']['cpu_us_per_request']['total']} us; connections per "
                 f"worker: read {_spread(main['ours'])}, hello {_spread(main['anchor'])}"),
    }, rss  # fmt: skip


def cores() -> int:
    return os.cpu_count() or 1


def _spread(side: dict[str, Any]) -> str:
    return "/".join(str(n) for n in side["connections_per_worker"]) or "?"
