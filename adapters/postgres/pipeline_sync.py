"""A pipeline Sync that does not flush: many read flights, one send (libpq 17+).

``PGconn.pipeline_sync()`` is libpq's ``PQpipelineSync``, which writes the whole output buffer
to the socket at once. A read channel (channels.py) queues every flight of a loop iteration
and flushes them together once; with that Sync each flight was still its own ``send`` system
call, which cost more than the rest of the flight's client side (ADR 0036). libpq 17 added
``PQsendPipelineSync``, the same Sync without the flush, "to reduce the system call overhead
of pipeline mode". psycopg does not wrap it yet, so it is called here through ctypes, on the
very libpq psycopg has loaded (found in this process's memory map), with psycopg's own
documented ``PGconn.pgconn_ptr``. Where that is not possible (another OS, an older libpq) the
flushing Sync is used: the same protocol, one send per flight.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from pathlib import Path
from typing import Any

from psycopg import OperationalError, pq

_MAPS = Path("/proc/self/maps")


def _loaded_libpq() -> str | None:
    """The libpq shared library psycopg uses, from this process's memory map, or None when
    that cannot be told for sure (no map, or several libpqs loaded and none is psycopg's)."""
    try:
        lines = _MAPS.read_text().splitlines()
    except OSError:
        return None
    paths = {
        path
        for path in (line.rpartition(" ")[2] for line in lines)
        if Path(path).name.startswith("libpq.") or Path(path).name.startswith("libpq-")
    }
    if pq.__impl__ == "binary":  # the wheel's own copy, beside the package
        paths = {path for path in paths if "psycopg_binary" in path}
    return paths.pop() if len(paths) == 1 else None


def _native_send_sync() -> Callable[[int], int] | None:
    if pq.version() < 170000:
        return None
    path = _loaded_libpq()
    if path is None:
        return None
    try:
        function = ctypes.CDLL(path).PQsendPipelineSync
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_void_p]
    function.restype = ctypes.c_int
    return function


_SEND_SYNC = _native_send_sync()


def queue_sync(pgconn: Any) -> None:
    """End a flight with a Sync left in libpq's buffer; the caller flushes (``pgconn.flush``)."""
    if _SEND_SYNC is None:
        pgconn.pipeline_sync()
    elif _SEND_SYNC(pgconn.pgconn_ptr) != 1:
        message = pgconn.error_message.decode("utf-8", "replace")
        raise OperationalError(f"sending a pipeline sync failed: {message}")


def sync_is_deferred() -> bool:
    """Whether ``queue_sync`` leaves the Sync unsent (the native function was found)."""
    return _SEND_SYNC is not None
