"""read: authenticated GET /v1/stock-levels?item_id= vs unauthenticated /hello, same server."""

from __future__ import annotations

from typing import Any

from bench import auth, probe
from bench.database import connect
from bench.fixtures import seed_org
from bench.load import run_load
from bench.server import RunningServer

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


def run(server: RunningServer, url: str, seconds: int) -> dict[str, Any]:
    """Measure both sides back to back (after a short warm-up of each)."""
    token = auth.dev_token(server.env, ORG, role="member")
    paths = _paths(server, url, token)
    run_load(server.base_url, ["/hello"], token=None, seconds=2, connections=CONNECTIONS)
    hello = run_load(
        server.base_url, ["/hello"], token=None, seconds=seconds, connections=CONNECTIONS
    )
    run_load(server.base_url, paths, token=token, seconds=2, connections=CONNECTIONS)
    ours = run_load(server.base_url, paths, token=token, seconds=seconds, connections=CONNECTIONS)
    if ours.non_2xx or ours.errors:
        raise probe.NotAvailable(
            f"stock-level reads failed under load ({ours.non_2xx} non-2xx, {ours.errors} errors)"
        )
    return {
        "status": "ok",
        "ratio": round(ours.rps / hello.rps, 3),
        "p99_ms": round(ours.p99_ms, 2),
        "ours": ours.as_dict(),
        "anchor": hello.as_dict(),
        "target": ">=0.6, p99<=25ms",
        "ours_label": f"{ours.rps:,.0f} req/s p99 {ours.p99_ms:.1f}ms",
        "anchor_label": f"{hello.rps:,.0f} req/s (hello)",
        "settings": {**server.settings.as_dict(), "connections": CONNECTIONS, "seconds": seconds,
                     "distinct_item_ids": len(paths), "generator": ours.generator},
    }  # fmt: skip
