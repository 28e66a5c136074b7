"""Load generation: ``wrk`` with a Lua script when available, else a Python generator.

The Python fallback (asyncio + httpx in a separate process) costs far more CPU per request
than wrk; on a 2-core machine it caps throughput, so its figures are a floor, and the
results say which generator produced them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

# wrk prints one JSON line from done(); latencies are in microseconds.
_LUA = r"""
local paths = %(paths)s
local body = %(body)s
local method = %(method)s
local token = os.getenv("BENCH_TOKEN")
local i = 0
wrk.headers["Accept"] = "application/json"
if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end
if body then wrk.headers["Content-Type"] = "application/json" end
request = function()
  i = i + 1
  return wrk.format(method, paths[(i %% #paths) + 1], nil, body)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%%d,"duration_us":%%d,"p50_us":%%d,"p99_us":%%d,"mean_us":%%f,' ..
    '"errors":%%d,"non_2xx":%%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.mean, e.connect + e.read + e.write + e.timeout, e.status))
end
"""


@dataclass(frozen=True)
class LoadResult:
    """One load run: throughput, latency percentiles (ms), failures, and the generator."""

    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    non_2xx: int
    generator: str
    connections: int

    def as_dict(self) -> dict[str, object]:
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(self).items()}


def wrk_path() -> str | None:
    """Locate wrk; as root with apt-get, install it once (BENCH_NO_INSTALL=1 opts out)."""
    found = shutil.which("wrk")
    if found or os.environ.get("BENCH_NO_INSTALL") or os.geteuid() != 0:
        return found
    if shutil.which("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"], env=env, capture_output=True, check=False
        )
    return shutil.which("wrk")


def generator_name() -> str:
    return "wrk" if wrk_path() else "python-httpx"


def run_load(
    base_url: str,
    paths: list[str],
    *,
    token: str | None,
    seconds: int,
    connections: int = 32,
    threads: int = 1,
    method: str = "GET",
    body: dict[str, object] | None = None,
) -> LoadResult:
    """Drive ``paths`` (cycled) at ``connections`` concurrent connections for ``seconds``."""
    wrk = wrk_path()
    if wrk:
        return _run_wrk(wrk, base_url, paths, token, seconds, connections, threads, method, body)
    return _run_python(base_url, paths, token, seconds, connections, method, body)


def _lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal here


def _run_wrk(wrk, base_url, paths, token, seconds, connections, threads, method, body):  # type: ignore[no-untyped-def]
    script = _LUA % {
        "paths": "{" + ",".join(_lua_string(p) for p in paths) + "}",
        "body": _lua_string(json.dumps(body)) if body is not None else "nil",
        "method": _lua_string(method),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    try:
        env = dict(os.environ, BENCH_TOKEN=token or "")
        out = subprocess.run(
            [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s",
             lua.name, base_url],
            env=env, capture_output=True, text=True, check=True, timeout=seconds + 60,
        ).stdout  # fmt: skip
    finally:
        Path(lua.name).unlink()
    line = next(x for x in out.splitlines() if x.startswith("BENCH "))
    raw = json.loads(line[6:])
    secs = raw["duration_us"] / 1e6
    ok = raw["requests"] - raw["non_2xx"]
    return LoadResult(
        requests=raw["requests"], seconds=secs, rps=ok / secs,
        p50_ms=raw["p50_us"] / 1000, p99_ms=raw["p99_us"] / 1000,
        errors=raw["errors"], non_2xx=raw["non_2xx"], generator="wrk",
        connections=connections,
    )  # fmt: skip


def _run_python(base_url, paths, token, seconds, connections, method, body):  # type: ignore[no-untyped-def]
    spec = {
        "base_url": base_url, "paths": paths, "token": token, "seconds": seconds,
        "connections": connections, "method": method, "body": body,
    }  # fmt: skip
    out = subprocess.run(
        [sys.executable, "-m", "bench.pyload", json.dumps(spec)],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True, text=True, check=True, timeout=seconds + 120,
    ).stdout  # fmt: skip
    raw = json.loads(out.strip().splitlines()[-1])
    return LoadResult(**raw, generator="python-httpx", connections=connections)
