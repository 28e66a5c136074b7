"""Readiness against PostgreSQL: the database answers and every migration is applied."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from adapters.postgres.migrator import MIGRATION_TABLE
from adapters.postgres.roles import rls_bypass
from application.readiness import ReadinessProbe

logger = logging.getLogger(__name__)

_APPLIED_SQL = f"SELECT migration_id FROM {MIGRATION_TABLE}"  # noqa: S608 - a constant name
_HAS_TABLE_SQL = "SELECT to_regclass(%(table)s) IS NOT NULL"


class PostgresReadiness(ReadinessProbe):
    """Runs ``SELECT 1`` through the pool and compares applied migrations with those on disk."""

    def __init__(
        self,
        pool: AsyncConnectionPool[AsyncConnection[Any]],
        migration_ids: Sequence[str],
        *,
        timeout: float = 2.0,
        require_rls: bool = False,
    ) -> None:
        self._pool = pool
        self._expected = list(migration_ids)
        self._timeout = timeout
        self._require_rls = require_rls  # a role that bypasses row-level security is not ready

    async def check(self) -> list[str]:
        try:
            async with self._pool.connection(timeout=self._timeout) as conn:
                await conn.execute("SELECT 1")
                cur = await conn.execute(_HAS_TABLE_SQL, {"table": MIGRATION_TABLE})
                row = await cur.fetchone()
                applied: set[str] = set()
                if row and row[0]:
                    cur = await conn.execute(_APPLIED_SQL)
                    applied = {r[0] for r in await cur.fetchall()}
                bypass = await rls_bypass(conn) if self._require_rls else None
        except (psycopg.Error, PoolTimeout) as exc:
            logger.warning("readiness: database unavailable: %s", type(exc).__name__)
            return ["database unavailable"]
        missing = [m for m in self._expected if m not in applied]
        return [f"migration pending: {m}" for m in missing] + ([bypass] if bypass else [])
