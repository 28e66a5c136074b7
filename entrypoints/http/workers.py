"""API worker processes that each listen on a socket of their own (ADR 0038).

``uvicorn --workers N`` binds one socket in the parent and every worker accepts from it. The
worker that wakes first accepts every connection it finds waiting, so a burst of connections (a
load balancer filling its pool, a deploy, a load test) lands on one worker while the others
idle, and stays there for as long as the connections are kept alive: measured with 32
connections on 2 workers, 32/0, 31/1 and 31/1. Here each worker binds its own socket to the
same address with ``SO_REUSEPORT`` and the kernel spreads new connections over the workers'
sockets by a hash of the client's address and port.

    python -m entrypoints.http.workers --workers 4      # host and port from STOCKROOM_HOST/PORT

The parent only supervises: a worker that dies is replaced (after a pause if it dies at once
again), SIGTERM or SIGINT stops every worker gracefully, and a worker whose parent is killed
outright (SIGKILL, the OOM killer) stops too rather than serve on, orphaned, holding the
port. Off Linux, where the kernel need not
spread connections over such sockets, or with one worker, this is plain ``uvicorn.run``.
"""

from __future__ import annotations

import argparse
import ctypes
import multiprocessing
import os
import signal
import socket
import sys
import time
from multiprocessing.process import BaseProcess
from typing import Any

import uvicorn

from entrypoints.settings import load_settings

APP = "entrypoints.http.asgi:create"
STOP_SECONDS = 30.0  # a worker's graceful shutdown, before it is killed
RESPAWN_PAUSE = 1.0  # a worker that dies within this of starting is replaced only after it
PR_SET_PDEATHSIG = 1  # linux/prctl.h: the signal this process gets when its parent dies


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to (host, port) that other workers may bind too (SO_REUSEPORT)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def uvicorn_options(app: str, host: str, port: int) -> dict[str, Any]:
    """What every worker runs: the factory, with logging left to it (as ``stockroom serve``)."""
    return {"app": app, "factory": True, "host": host, "port": port, "log_config": None,
            "access_log": False}  # fmt: skip


def _worker(options: dict[str, Any], parent: int) -> None:
    _stop_with_parent(parent)
    sock = listening_socket(options["host"], options["port"])
    uvicorn.Server(uvicorn.Config(**options)).run(sockets=[sock])


def _stop_with_parent(parent: int) -> None:
    """SIGTERM (a graceful stop, once uvicorn handles it) when the supervisor dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:  # it died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)


class Supervisor:
    """Keeps ``count`` workers running until told to stop."""

    def __init__(self, options: dict[str, Any], count: int) -> None:
        self._options = options
        self._count = count
        self._context = multiprocessing.get_context("spawn")  # no inherited loop or pool
        self._workers: list[tuple[BaseProcess, float]] = []
        self._stopping = False

    def run(self) -> int:
        try:  # fail fast, in the parent, if the address is taken
            listening_socket(self._options["host"], self._options["port"]).close()
        except OSError as exc:
            print(f"cannot listen on {self._options['host']}:{self._options['port']}: {exc}",
                  file=sys.stderr)  # fmt: skip
            return 1
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._stop)
        self._workers = [self._start() for _ in range(self._count)]
        while not self._stopping:
            for index, (process, started) in enumerate(self._workers):
                if not process.is_alive() and not self._stopping:
                    if time.monotonic() - started < RESPAWN_PAUSE:
                        time.sleep(RESPAWN_PAUSE)  # it died at once: do not spin
                    print(f"worker {process.pid} exited ({process.exitcode}); replacing it",
                          file=sys.stderr, flush=True)  # fmt: skip
                    self._workers[index] = self._start()
            time.sleep(0.2)
        return self._shutdown()

    def _start(self) -> tuple[BaseProcess, float]:
        process = self._context.Process(
            target=_worker, args=(self._options, os.getpid()), daemon=False
        )
        process.start()
        return process, time.monotonic()

    def _stop(self, *_: object) -> None:
        self._stopping = True

    def _shutdown(self) -> int:
        for process, _ in self._workers:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)  # uvicorn finishes what it is serving
        deadline = time.monotonic() + STOP_SECONDS
        for process, _ in self._workers:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
        return 0


def main(argv: list[str] | None = None) -> int:
    settings = load_settings()
    parser = argparse.ArgumentParser(prog="python -m entrypoints.http.workers")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--host", default=settings.host)
    parser.add_argument("--port", type=int, default=settings.port)
    parser.add_argument("--app", default=APP, help="the ASGI app factory (module:function)")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    if args.workers > 1 and args.port == 0:
        parser.error("--port 0 would give each worker a port of its own")
    options = uvicorn_options(args.app, args.host, args.port)
    # Elsewhere SO_REUSEPORT may exist without the kernel spreading connections over sockets.
    if args.workers == 1 or not sys.platform.startswith("linux"):
        uvicorn.run(**options, workers=args.workers)
        return 0
    return Supervisor(options, args.workers).run()


if __name__ == "__main__":
    sys.exit(main())
