"""The pool probes only connections that have sat idle past the freshness window."""

from __future__ import annotations

import psycopg
import pytest

from adapters.postgres.pool import FreshnessCheck


async def test_a_just_returned_connection_is_handed_out_without_a_probe(database_url: str) -> None:
    conn = await psycopg.AsyncConnection.connect(database_url)
    check = FreshnessCheck(fresh_seconds=60)
    await check.stamp(conn)
    await conn.close()  # a probe would fail now; a skipped one cannot notice
    await check.check(conn)


async def test_a_connection_idle_past_the_window_is_probed(database_url: str) -> None:
    conn = await psycopg.AsyncConnection.connect(database_url)
    check = FreshnessCheck(fresh_seconds=0)
    await check.stamp(conn)
    await check.check(conn)  # alive: the probe passes
    await conn.close()
    with pytest.raises(psycopg.OperationalError):
        await check.check(conn)


async def test_a_connection_never_returned_is_probed(database_url: str) -> None:
    conn = await psycopg.AsyncConnection.connect(database_url)
    await conn.close()
    with pytest.raises(psycopg.OperationalError):
        await FreshnessCheck(fresh_seconds=60).check(conn)
