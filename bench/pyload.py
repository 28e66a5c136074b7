"""Fallback load generator (run as a separate process): asyncio + httpx, closed loop."""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time

import httpx


async def _worker(client, spec, deadline, latencies, counts):  # type: ignore[no-untyped-def]
    paths, i = spec["paths"], 0
    while time.monotonic() < deadline:
        path = paths[i % len(paths)]
        i += 1
        start = time.perf_counter()
        try:
            response = await client.request(spec["method"], path, json=spec["body"])
        except httpx.HTTPError:
            counts["errors"] += 1
            continue
        latencies.append(time.perf_counter() - start)
        if response.status_code >= 300:
            counts["non_2xx"] += 1


async def main(spec: dict) -> dict:  # type: ignore[type-arg]
    headers = {"Accept": "application/json"}
    if spec["token"]:
        headers["Authorization"] = f"Bearer {spec['token']}"
    limits = httpx.Limits(max_connections=spec["connections"])
    latencies: list[float] = []
    counts = {"errors": 0, "non_2xx": 0}
    async with httpx.AsyncClient(base_url=spec["base_url"], headers=headers, limits=limits) as c:
        start = time.monotonic()
        deadline = start + spec["seconds"]
        await asyncio.gather(
            *(_worker(c, spec, deadline, latencies, counts) for _ in range(spec["connections"]))
        )
        seconds = time.monotonic() - start
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    ok = len(latencies) - counts["non_2xx"]
    return {
        "requests": len(latencies) + counts["errors"], "seconds": seconds, "rps": ok / seconds,
        "p50_ms": cuts[49] * 1000, "p99_ms": cuts[98] * 1000, **counts,
    }  # fmt: skip


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(json.loads(sys.argv[1])))))
