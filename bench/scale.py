"""scale: p50 of list and get endpoints at 1,000,000 items vs 10,000 items (same server)."""

from __future__ import annotations

from typing import Any

from bench import auth, probe
from bench.database import connect
from bench.fixtures import SeededOrg, seed_org
from bench.load import LoadResult, run_load
from bench.server import RunningServer

SIZES = {"10k": ("bench-scale-10k", 10_000), "1m": ("bench-scale-1m", 1_000_000)}
# Latency, not throughput: one connection, so queueing in the server does not hide the cost
# of the query.
CONNECTIONS = 1
SAMPLE = 1000
# Sub-millisecond p50s move by a third between runs on a shared 2-core box; the sizes are
# measured alternately, ROUNDS times each, and the median round of each is compared.
ROUNDS = 3


def _endpoints(conn: Any, org: SeededOrg) -> dict[str, list[str]]:
    ids = org.sample_item_ids(conn, SAMPLE)
    return {
        "list_items": ["/v1/items?limit=50"],
        "get_item": [f"/v1/items/{i}" for i in ids],
        "stock_levels_by_item": [f"/v1/stock-levels?item_id={i}" for i in ids],
    }


def _measure(
    server: RunningServer, org: SeededOrg, paths: dict[str, list[str]], seconds: int
) -> dict[str, LoadResult]:
    token = auth.dev_token(server.env, org.org, role="member")
    for name, urls in paths.items():
        probe.expect(probe.request(server.base_url, "GET", urls[0], token), 200, f"GET {urls[0]}")
        if name == "get_item":
            continue
        body = probe.request(server.base_url, "GET", urls[0], token).json()
        if not body.get("items"):
            raise probe.NotAvailable(f"{urls[0]} sees no rows seeded in PostgreSQL (in-memory?)")
    out = {}
    for name, urls in paths.items():
        run_load(server.base_url, urls, token=token, seconds=1, connections=CONNECTIONS)
        out[name] = run_load(
            server.base_url, urls, token=token, seconds=seconds, connections=CONNECTIONS
        )
        if out[name].non_2xx or out[name].errors:
            raise probe.NotAvailable(f"{name} failed under load ({out[name].non_2xx} non-2xx)")
    return out


def run(server: RunningServer, url: str, seconds: int) -> dict[str, Any]:
    setups: dict[str, tuple[SeededOrg, dict[str, list[str]]]] = {}
    for size, (org_id, items) in SIZES.items():
        with connect(url) as conn:
            org = seed_org(conn, org_id, items=items)
            setups[size] = (org, _endpoints(conn, org))
    rounds: dict[str, list[dict[str, LoadResult]]] = {size: [] for size in SIZES}
    per_round = max(2, seconds // ROUNDS)
    for _ in range(ROUNDS):
        for size, (org, paths) in setups.items():
            rounds[size].append(_measure(server, org, paths, per_round))
    results = {size: _median_rounds(rounds[size]) for size in SIZES}
    ratios = {n: results["1m"][n].p50_ms / results["10k"][n].p50_ms for n in results["1m"]}
    worst = max(ratios, key=lambda n: ratios[n])
    return {
        "status": "ok",
        "ratio": round(ratios[worst], 3),
        "ratios": {n: round(r, 3) for n, r in ratios.items()},
        "ours": {n: r.as_dict() for n, r in results["1m"].items()},
        "anchor": {n: r.as_dict() for n, r in results["10k"].items()},
        "target": "<=1.3",
        "ours_label": f"p50 {results['1m'][worst].p50_ms:.2f}ms @1M",
        "anchor_label": f"p50 {results['10k'][worst].p50_ms:.2f}ms @10k",
        "note": f"worst endpoint: {worst}; list = first page only",
        "settings": {**server.settings.as_dict(), "connections": CONNECTIONS, "rounds": ROUNDS,
                     "seconds_per_round": per_round, "get_ids_sampled": SAMPLE},
    }  # fmt: skip


def _median_rounds(rounds: list[dict[str, LoadResult]]) -> dict[str, LoadResult]:
    """Per endpoint, the round whose p50 is the median of the rounds."""
    out = {}
    for name in rounds[0]:
        ordered = sorted((r[name] for r in rounds), key=lambda result: result.p50_ms)
        out[name] = ordered[len(ordered) // 2]
    return out
