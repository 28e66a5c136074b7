"""Run the API the way production would: uvicorn workers on sockets of their own (ADR 0038),
app factory, uvloop + httptools."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
import psutil

from bench.database import DATA_DIR, ROOT, app_url, owner_url


@dataclass(frozen=True)
class ServerSettings:
    """What the bench varies about the server; recorded next to every figure."""

    workers: int = 1
    pool_max: int = 10
    server: str = "uvicorn"
    diag_no_rate_limit_write: bool = False  # setup trials only: price the rate limiter

    def as_dict(self) -> dict[str, object]:
        http = "httptools" if self.server == "uvicorn" else "granian (Rust, hyper)"
        return {
            "server": self.server,
            "workers": self.workers,
            "loop": "uvloop",
            "http": http,
            "database_pool_max": self.pool_max,
        } | (
            {"diagnostic": "rate limiter replaced by AlwaysAllow"}
            if self.diag_no_rate_limit_write
            else {}
        )


@dataclass
class RunningServer:
    """A started server: its base URL, the environment it shares with the CLI, its processes."""

    base_url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    settings: ServerSettings
    log_path: str = field(default="")

    def worker_processes(self) -> list[psutil.Process]:
        """The processes that serve requests (uvicorn's children, or the master if 1 worker)."""
        master = psutil.Process(self.process.pid)
        children = [
            p
            for p in master.children(recursive=True)
            if "python" in p.name().lower() and "resource_tracker" not in " ".join(p.cmdline())
        ]
        return children or [master]

    def connections_per_worker(self) -> list[int]:
        """Established client connections each worker holds now: how evenly the kernel spread
        the load tool's burst of connections over the workers' sockets (ADR 0038)."""
        port = int(self.base_url.rsplit(":", 1)[1])
        counts = []
        for worker in self.worker_processes():
            try:
                connections = worker.net_connections("tcp")
            except psutil.Error:
                connections = []
            counts.append(
                sum(1 for c in connections if c.laddr.port == port and c.status == "ESTABLISHED")
            )
        return sorted(counts, reverse=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(database_url: str, port: int, pool_max: int) -> dict[str, str]:
    """The environment both the server and ``stockroom`` CLI calls get (same dev issuer)."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=app_url(database_url),  # row-level security binds it, as in production
        DATABASE_DIRECT_URL=owner_url(database_url),
        STOCKROOM_DATA_DIR=str(DATA_DIR),
        STOCKROOM_HOST="127.0.0.1",
        STOCKROOM_PORT=str(port),
        # Access lines are INFO: at WARNING the bench writes none (hello writes none either).
        # BENCH_LOG_LEVEL=INFO prices them: a JSON line rendered and written per request.
        STOCKROOM_LOG_LEVEL=os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
        DATABASE_POOL_MIN=str(min(4, pool_max)),
        DATABASE_POOL_MAX=str(pool_max),
        # The per-org rate limit would cap a load test at 600/min; it stays on (its cost is
        # measured), only its budget is raised.
        STOCKROOM_RATE_LIMIT_PER_MINUTE="1000000000",
    )
    return env


def _command(settings: ServerSettings, port: int) -> list[str]:
    if settings.server == "granian":
        return [
            sys.executable, "-m", "granian", "--interface", "asgi", "--factory",
            "--host", "127.0.0.1", "--port", str(port), "--workers", str(settings.workers),
            "--loop", "uvloop", "--no-log", "bench.app:create",
        ]  # fmt: skip
    # As production runs: each worker on a listening socket of its own (ADR 0038); uvicorn
    # picks uvloop and httptools, both installed.
    return [
        sys.executable, "-m", "entrypoints.http.workers", "--app", "bench.app:create",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(settings.workers),
    ]  # fmt: skip


@contextmanager
def running_server(database_url: str, settings: ServerSettings) -> Iterator[RunningServer]:
    """Start the server, wait until ``/hello`` answers, stop it (SIGTERM, then SIGKILL)."""
    port = free_port()
    env = server_env(database_url, port, settings.pool_max)
    if settings.diag_no_rate_limit_write:
        env["BENCH_DIAG_RATE_LIMITER"] = "always-allow"
    if settings.server == "granian" and os.environ.get("BENCH_GRANIAN_PATH"):
        # granian is not a dependency; trials may point at a separately installed copy.
        env["PYTHONPATH"] = os.environ["BENCH_GRANIAN_PATH"]
    log_path = str(DATA_DIR / f"server-{settings.server}-{settings.workers}w.log")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            _command(settings, port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    server = RunningServer(f"http://127.0.0.1:{port}", env, process, settings, log_path)
    try:
        _wait_ready(server)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(server: RunningServer, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited with {server.process.returncode}: {_tail(server)}")
        try:
            if httpx.get(server.base_url + "/hello", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server not ready after {timeout:.0f} s: {_tail(server)}")


def _tail(server: RunningServer) -> str:
    with open(server.log_path, errors="replace") as log:
        return " | ".join(log.read().strip().splitlines()[-3:])
