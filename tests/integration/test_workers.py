"""`python -m entrypoints.http.workers`: workers with sockets of their own share a burst of
connections, a dead worker is replaced, SIGTERM stops them all (ADR 0038)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from tests.postgres_fixtures import app_url

ROOT = Path(__file__).resolve().parents[2]
CONNECTIONS = 32


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _until(condition: Callable[[], bool], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.1)


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


def _workers(parent: subprocess.Popen[bytes]) -> list[psutil.Process]:
    """The live workers (not multiprocessing's resource tracker, not a dead one not yet reaped)."""
    workers = []
    for child in psutil.Process(parent.pid).children():
        try:
            if child.status() != psutil.STATUS_ZOMBIE and "resource_tracker" not in " ".join(
                child.cmdline()
            ):
                workers.append(child)
        except psutil.Error:
            pass
    return workers


@pytest.fixture
def launcher(database_url: str, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": app_url(database_url),
           "STOCKROOM_DATA_DIR": str(tmp_path), "STOCKROOM_LOG_LEVEL": "WARNING"}  # fmt: skip
    command = [sys.executable, "-m", "entrypoints.http.workers", "--workers", "2",
               "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
    parent = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        _until(lambda: _serving(parent, port))
        yield parent, port
    finally:
        if parent.poll() is None:
            children = psutil.Process(parent.pid).children(recursive=True)  # before they're orphans
            parent.kill()
            for child in children:
                child.kill()
            parent.wait()


def _serving(parent: subprocess.Popen[bytes], port: int) -> bool:
    """Both workers started and listening (the first answers before the second listens)."""
    workers = _workers(parent)
    try:
        listening = all(_listening_sockets(worker, port) for worker in workers)
    except psutil.Error:
        return False
    return len(workers) == 2 and listening and _answers(f"http://127.0.0.1:{port}")


def _established(worker: psutil.Process, port: int) -> int:
    return sum(
        1
        for c in worker.net_connections("tcp")
        if c.laddr.port == port and c.status == "ESTABLISHED"
    )


def _listening_sockets(worker: psutil.Process, port: int) -> set[str]:
    """The kernel's identity (``socket:[inode]``) of each socket the worker listens on."""
    return {
        os.readlink(f"/proc/{worker.pid}/fd/{c.fd}")
        for c in worker.net_connections("tcp")
        if c.laddr.port == port and c.status == "LISTEN"
    }


def test_each_worker_listens_on_a_socket_of_its_own(
    launcher: tuple[subprocess.Popen[bytes], int],
) -> None:
    parent, port = launcher
    first, second = (_listening_sockets(worker, port) for worker in _workers(parent))

    assert len(first) == len(second) == 1
    assert first != second  # with uvicorn --workers both hold the parent's one socket


def test_a_burst_of_connections_is_shared_by_the_workers(
    launcher: tuple[subprocess.Popen[bytes], int],
) -> None:
    parent, port = launcher
    # Opened all at once, as a load balancer filling its pool does; each kept alive.
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(CONNECTIONS)]
    try:
        for client in clients:
            client.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        for client in clients:
            assert client.recv(4096).startswith(b"HTTP/1.1 200")
        per_worker = [_established(worker, port) for worker in _workers(parent)]
    finally:
        for client in clients:
            client.close()

    assert sum(per_worker) == CONNECTIONS
    # By the kernel's hash, each worker gets some; one shared socket gives one worker nearly all.
    assert min(per_worker) >= 4, per_worker


def test_a_worker_that_dies_is_replaced_and_sigterm_stops_them_all(
    launcher: tuple[subprocess.Popen[bytes], int],
) -> None:
    parent, port = launcher
    first, second = _workers(parent)
    first.kill()

    _until(lambda: first.pid not in {w.pid for w in _workers(parent)} and _serving(parent, port))
    survivors = _workers(parent)
    parent.send_signal(signal.SIGTERM)

    assert parent.wait(timeout=60) == 0
    assert second.pid in {w.pid for w in survivors}
    assert not any(worker.is_running() for worker in survivors)


def test_workers_stop_when_the_supervisor_is_killed_outright(
    launcher: tuple[subprocess.Popen[bytes], int],
) -> None:
    parent, port = launcher
    workers = _workers(parent)
    parent.kill()  # no SIGTERM to pass on: SIGKILL, as the OOM killer sends
    parent.wait()

    _, alive = psutil.wait_procs(workers, timeout=60)
    assert not alive, [w.pid for w in alive]
    assert not _answers(f"http://127.0.0.1:{port}")
