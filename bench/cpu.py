"""CPU seconds spent by the API workers and by PostgreSQL while a load runs.

Throughput swings with whatever else shares this machine; CPU per request is steadier: it
counts what serving one request costs, not how much of the machine it got. Both sides are read
from the process table (user + system time), before and after the load.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import psutil


def _cpu_seconds(processes: Iterable[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue  # exited meanwhile: its time is lost either way
        total += times.user + times.system + times.children_user + times.children_system
    return total


def postgres_processes(pgdata: str) -> list[psutil.Process]:
    """The postmaster serving ``pgdata`` and every backend it forked."""
    for process in psutil.process_iter(["name", "cmdline"]):
        cmdline = process.info.get("cmdline") or []
        if process.info.get("name") == "postgres" and pgdata in " ".join(cmdline):
            try:
                return [process, *process.children(recursive=True)]
            except psutil.Error:
                return [process]
    return []


@dataclass
class CpuSample:
    """CPU seconds of the workers and of the database over one measured interval."""

    worker_seconds: float = 0.0
    database_seconds: float = 0.0

    def per_request_us(self, requests: int) -> dict[str, float | None]:
        """Microseconds of CPU per request, per side and together."""
        if requests <= 0:
            return {"worker": None, "database": None, "total": None}
        worker = self.worker_seconds / requests * 1e6
        database = self.database_seconds / requests * 1e6
        return {
            "worker": round(worker, 1),
            "database": round(database, 1),
            "total": round(worker + database, 1),
        }


class CpuMeter:
    """``with CpuMeter(workers, database) as meter: ...`` then ``meter.sample``.

    ``workers`` and ``database`` are called at both ends, so backends forked during the load
    are counted from their start (a backend that started and ended inside the interval is not
    seen; the pool keeps its connections, so that is rare).
    """

    def __init__(
        self,
        workers: Callable[[], list[psutil.Process]],
        database: Callable[[], list[psutil.Process]],
    ) -> None:
        self._workers = workers
        self._database = database
        self.sample = CpuSample()

    def __enter__(self) -> CpuMeter:
        self._start = self._snapshot()
        return self

    def __exit__(self, *exc: object) -> None:
        end = self._snapshot()
        self.sample = CpuSample(
            worker_seconds=_delta(self._start[0], end[0]),
            database_seconds=_delta(self._start[1], end[1]),
        )

    def _snapshot(self) -> tuple[dict[int, float], dict[int, float]]:
        return _by_pid(self._workers()), _by_pid(self._database())


def _by_pid(processes: list[psutil.Process]) -> dict[int, float]:
    return {p.pid: _cpu_seconds([p]) for p in processes}


def _delta(start: dict[int, float], end: dict[int, float]) -> float:
    # A process seen only at the end started during the interval: all its time counts.
    return sum(seconds - start.get(pid, 0.0) for pid, seconds in end.items())
