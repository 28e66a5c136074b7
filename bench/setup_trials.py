"""Trials behind docs/adr/0008-server-setup.md (not part of ``make bench``).

Runs the read pair (hello anchor + authenticated stock-level reads) for each server setup
and prints one JSON line per trial, plus the JSON encoding cost per stock-level response.
Usage: .venv/bin/python -m bench.setup_trials [seconds]; granian trials need granian
importable (BENCH_GRANIAN_PATH=<dir it is installed in>).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import timeit

from bench import read
from bench.database import embedded_database
from bench.report import NotAvailable, machine
from bench.server import ServerSettings, running_server

TRIALS = [
    ServerSettings(server="uvicorn", workers=1, pool_max=10),
    ServerSettings(server="uvicorn", workers=2, pool_max=10),
    ServerSettings(server="uvicorn", workers=1, pool_max=5),
    ServerSettings(server="uvicorn", workers=1, pool_max=20),
    ServerSettings(server="granian", workers=1, pool_max=10),
    ServerSettings(server="granian", workers=2, pool_max=10),
    ServerSettings(server="uvicorn", workers=1, pool_max=10, diag_no_rate_limit_write=True),
    ServerSettings(server="uvicorn", workers=2, pool_max=10, diag_no_rate_limit_write=True),
]


def json_cost() -> dict[str, float]:
    """Microseconds to encode one stock-level list response, stdlib json vs orjson."""
    level = {"item_id": "6f1c1b9e-7d4b-4b53-9a7e-0c2d3e4f5a6b", "location_id":
             "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "on_hand": 100, "reserved": 0,
             "available": 100, "version": 1, "updated_at": "2026-11-26T05:00:00Z"}  # fmt: skip
    body = {"items": [level], "next_cursor": None}
    out = {
        "stdlib_json_us": 1e6
        * min(timeit.repeat(lambda: json.dumps(body).encode(), number=20000, repeat=3))
        / 20000
    }
    if importlib.util.find_spec("orjson"):
        import orjson

        out["orjson_us"] = (
            1e6 * min(timeit.repeat(lambda: orjson.dumps(body), number=20000, repeat=3)) / 20000
        )
    return out


def main() -> None:
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    granian = bool(os.environ.get("BENCH_GRANIAN_PATH")) or importlib.util.find_spec("granian")
    print(json.dumps({"machine": machine(), "json_encode": json_cost()}), flush=True)
    with embedded_database() as url:
        for settings in TRIALS:
            if settings.server == "granian" and not granian:
                print(json.dumps({**settings.as_dict(), "status": "granian not installed"}))
                continue
            try:
                with running_server(url, settings) as server:
                    row = read.run(server, url, seconds)
                out = {"read_rps": row["ours"]["rps"], "read_p99_ms": row["ours"]["p99_ms"],
                       "hello_rps": row["anchor"]["rps"], "ratio": row["ratio"]}  # fmt: skip
            except (NotAvailable, RuntimeError) as exc:
                out = {"status": f"not available: {exc}"[:200]}
            print(json.dumps({**settings.as_dict(), **out,
                              "load_average_1m": round(os.getloadavg()[0], 2)}), flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
