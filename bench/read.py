"""read: authenticated GET /v1/stock-levels?item_id= vs unauthenticated /hello, same server.

Measured twice: with one worker, and with one worker per core (the production setup, which
also serves the other benchmarks). Each side reports throughput, latency and CPU per request:
the workers' CPU seconds, and the database's, over the requests served (bench/cpu.py). The
sides alternate in rounds; the ratio is the median of the rounds' ratios, the p99 the worst
round's.
"""

from __future__ import annotations

import os
import statistics
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


# Hello and the read alternate in short rounds (order flipped each round) and the ratio is the
# median of the rounds': on a shared machine a noisy spell then hits both sides, not only one.
ROUNDS = 3


def measured(
    server: RunningServer, paths: list[str], token: str | None, seconds: int
) -> tuple[LoadResult, dict[str, float | None], list[int]]:
    """One load, the CPU it cost per request, and how its connections were spread over the
    workers (sampled halfway through)."""
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


Side = tuple[LoadResult, dict[str, float | None], list[int]]


def pair(server: RunningServer, url: str, seconds: int) -> dict[str, Any]:
    """Hello and the stock read, alternating for ROUNDS rounds on one running server."""
    token = auth.dev_token(server.env, ORG, role="member")
    paths = _paths(server, url, token)
    loads = {"hello": (["/hello"], None), "read": (paths, token)}
    for side_paths, side_token in loads.values():  # warm-up, not measured
        run_load(server.base_url, side_paths, token=side_token, seconds=2, connections=CONNECTIONS)
    rounds: list[dict[str, Side]] = []
    for n in range(ROUNDS):
        order = ["hello", "read"] if n % 2 == 0 else ["read", "hello"]
        round_seconds = max(1, seconds // ROUNDS)
        rounds.append({side: measured(server, *loads[side], round_seconds) for side in order})
    failed = [r["read"][0] for r in rounds if r["read"][0].non_2xx or r["read"][0].errors]
    if failed:
        raise probe.NotAvailable(
            f"stock-level reads failed under load ({failed[0].non_2xx} non-2xx, "
            f"{failed[0].errors} errors)"
        )
    ratios = [r["read"][0].rps / r["hello"][0].rps for r in rounds]
    hello, ours = _combined([r["hello"] for r in rounds]), _combined([r["read"] for r in rounds])
    return {
        "ratio": round(statistics.median(ratios), 3),
        "ratios": [round(x, 3) for x in ratios],
        "p99_ms": ours["p99_ms"],
        "ours": ours,
        "anchor": hello,
        "cpu_ratio": _cpu_ratio(hello["cpu_us_per_request"], ours["cpu_us_per_request"]),
        "settings": {**server.settings.as_dict(), "connections": CONNECTIONS,
                     "seconds": seconds, "rounds": ROUNDS, "distinct_item_ids": len(paths)},
    }  # fmt: skip


def _combined(sides: list[Side]) -> dict[str, Any]:
    """One side over all rounds: totals, the median p50, the worst p99, CPU per request
    weighted by requests."""
    loads = [load for load, _, _ in sides]
    requests = sum(load.requests for load in loads)
    elapsed = sum(load.seconds for load in loads)

    def cpu(part: str) -> float | None:
        values = [(c.get(part), load.requests) for load, c, _ in sides]
        if requests <= 0 or any(v is None for v, _ in values):
            return None
        return round(sum(float(v) * n for v, n in values if v is not None) / requests, 1)

    return {
        "requests": requests,
        "seconds": round(elapsed, 3),
        "rps": round(sum(load.rps * load.seconds for load in loads) / elapsed, 3),
        "p50_ms": round(statistics.median(load.p50_ms for load in loads), 3),
        "p99_ms": round(max(load.p99_ms for load in loads), 2),
        "errors": sum(load.errors for load in loads),
        "non_2xx": sum(load.non_2xx for load in loads),
        "generator": loads[0].generator,
        "connections": CONNECTIONS,
        "cpu_us_per_request": {part: cpu(part) for part in ("worker", "database", "total")},
        "connections_per_worker": sides[len(sides) // 2][2],
    }


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
