"""CPU per request of the whole ASGI path, driven in-process (no HTTP server, no load tool).

For comparing two versions of the code on a noisy machine: the load generator and the
server's HTTP parsing are left out, so what remains is Stockroom's own work (edge, route, use
case, unit of work, driver). Run it twice and compare the lower figure, or under valgrind for
instruction counts, which do not depend on what else the machine is doing:

    .venv/bin/python bench/inprocess.py                 # GET /v1/stock-levels?item_id=
    BENCH_PATH=reserve .venv/bin/python bench/inprocess.py   # POST /v1/reservations
    valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out .venv/bin/python bench/inprocess.py

Knobs: BENCH_REQUESTS (default 5000), BENCH_CONCURRENCY (32), BENCH_POOL_MAX (10),
BENCH_ITEMS (100 levels taken in turn; 1: every request on one hot level).
Not part of ``make bench``: its figures are for A/B comparisons of code, not for targets.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import orjson
import uvloop

from bench.database import DATA_DIR, app_url, connect, embedded_database
from bench.fixtures import seed_org
from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.logging_setup import configure_logging
from entrypoints.settings import Settings

ORG = "bench-inprocess"


def _scope(method: str, path: str, query: bytes, token: str, body: bool) -> dict[str, Any]:
    headers = [(b"host", b"bench"), (b"authorization", f"Bearer {token}".encode())]
    if body:
        headers.append((b"content-type", b"application/json"))
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query,
        "root_path": "", "headers": headers, "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }  # fmt: skip


async def _drive(url: str) -> None:
    total = int(os.environ.get("BENCH_REQUESTS", "5000"))
    concurrency = int(os.environ.get("BENCH_CONCURRENCY", "32"))
    reserve = os.environ.get("BENCH_PATH") == "reserve"
    with connect(url) as conn:
        seeded = seed_org(conn, ORG, items=100, on_hand=10**9)
        item_ids = seeded.sample_item_ids(conn, int(os.environ.get("BENCH_ITEMS", "100")))
    settings = Settings(
        database_url=app_url(url),
        data_dir=DATA_DIR,
        rate_limit_per_minute=10**9,
        database_pool_max=int(os.environ.get("BENCH_POOL_MAX", "10")),
        log_level="WARNING",
    )
    configure_logging("development", "WARNING")
    app = create_app(build_container(settings), migrate_on_startup=False)
    async with app.router.lifespan_context(app):
        token = app.state.stockroom.dev_issuer.mint(
            user_id="bench", org_id=ORG, role="member", email=None
        )

        async def one(i: int) -> None:
            item = item_ids[i % len(item_ids)]
            if reserve:
                line = {"item_id": item, "location_id": seeded.location_id, "quantity": 1}
                payload = orjson.dumps({"lines": [line]})
                scope = _scope("POST", "/v1/reservations", b"", token, body=True)
            else:
                payload = b""
                scope = _scope("GET", "/v1/stock-levels", f"item_id={item}".encode(), token, False)
            sent: list[dict[str, Any]] = []

            async def receive() -> dict[str, Any]:
                return {"type": "http.request", "body": payload, "more_body": False}

            async def send(message: dict[str, Any]) -> None:
                sent.append(message)

            await app(scope, receive, send)
            if sent[0]["status"] not in (200, 201):
                raise RuntimeError(f"status {sent[0]['status']}: {sent[1].get('body')!r}")

        async def worker(start: int) -> None:
            for i in range(start, total, concurrency):
                await one(i)

        for i in range(200):  # warm up: prepared statements, caches, pool
            await one(i)
        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(*(worker(k) for k in range(concurrency)))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    kind = "POST /v1/reservations" if reserve else "GET /v1/stock-levels"
    print(
        f"{kind}: {1e6 * cpu / total:.1f} us CPU per request, {1e6 * wall / total:.1f} us wall "
        f"({total} requests, {concurrency} concurrent)"
    )


def main() -> None:
    with embedded_database() as url:
        uvloop.run(_drive(url))


if __name__ == "__main__":
    main()
