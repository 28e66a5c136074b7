"""The async connection pool every Postgres adapter shares (Neon- and PgBouncer-ready)."""

from __future__ import annotations

from time import monotonic
from typing import Any, Literal
from weakref import WeakKeyDictionary

from psycopg import AsyncConnection
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import AsyncConnectionPool

PooledSetting = Literal["auto", "true", "false"]

# Neon suspends an idle compute after 5 minutes; recycle idle connections before that.
MAX_IDLE_SECONDS = 240.0
# How long a request waits for a free connection before failing with 503 (pool exhausted).
CHECKOUT_TIMEOUT_SECONDS = 5.0
CONNECT_TIMEOUT_SECONDS = 10
# A connection that came back to the pool this recently was working then; checking it again
# would cost a round trip per checkout for nothing (ADR 0010). Older ones are checked, which
# is what catches connections a suspended Neon compute or a restarted server has dropped.
FRESH_SECONDS = 5.0


class FreshnessCheck:
    """The pool's ``check``: probe a connection only if it has not been used lately.

    The time of use is stamped at checkout (a ``reset`` hook would stamp it on return, but
    makes the pool hand every returned connection to a background task first: a hop per
    request). A connection lost while checked out fails its user, who closes it."""

    def __init__(self, fresh_seconds: float = FRESH_SECONDS) -> None:
        self._fresh = fresh_seconds
        self._used: WeakKeyDictionary[AsyncConnection[Any], float] = WeakKeyDictionary()

    async def stamp(self, conn: AsyncConnection[Any]) -> None:
        """Remember that ``conn`` was working just now."""
        self._used[conn] = monotonic()

    async def check(self, conn: AsyncConnection[Any]) -> None:
        """Probe ``conn`` unless it was used within the freshness window; stamp it."""
        used = self._used.get(conn)
        now = monotonic()
        if used is None or now - used >= self._fresh:
            await AsyncConnectionPool.check_connection(conn)
        self._used[conn] = now


def is_pooled(database_url: str, setting: PooledSetting = "auto") -> bool:
    """True when the URL goes through a transaction pooler (Neon ``-pooler`` host, PgBouncer)."""
    if setting != "auto":
        return setting == "true"
    params = conninfo_to_dict(database_url)
    hosts = str(params.get("host", "")).split(",")
    ports = str(params.get("port", "")).split(",")
    return any("-pooler" in host for host in hosts) or "6432" in ports


def build_pool(
    database_url: str,
    *,
    min_size: int = 1,
    max_size: int = 10,
    pooled: PooledSetting = "auto",
) -> AsyncConnectionPool[AsyncConnection[Any]]:
    """Build a closed pool; the container opens it (``await pool.open()``) and closes it.

    The URL, including TLS parameters such as ``sslmode`` and ``channel_binding``, goes to
    libpq untouched. psycopg never prepares statements of its own on these connections: the
    units of work prepare theirs (adapters/postgres/wire.py), and psycopg, once it has
    prepared any, answers a ROLLBACK with DEALLOCATE ALL, which would take those with it.
    On a pooled URL no named statement is prepared at all (``named_statements``): a
    transaction pooler may hand the next statement to another server connection.
    """
    kwargs: dict[str, Any] = {
        "connect_timeout": CONNECT_TIMEOUT_SECONDS,
        "autocommit": False,
        "prepare_threshold": None,
    }
    freshness = FreshnessCheck()
    pool: AsyncConnectionPool[AsyncConnection[Any]] = AsyncConnectionPool(
        conninfo=database_url,
        min_size=min_size,
        max_size=max_size,
        kwargs=kwargs,
        open=False,
        check=freshness.check,
        max_idle=MAX_IDLE_SECONDS,
        timeout=CHECKOUT_TIMEOUT_SECONDS,
        name="stockroom",
    )
    _NAMED_STATEMENTS[pool] = not is_pooled(database_url, pooled)
    return pool


_NAMED_STATEMENTS: WeakKeyDictionary[AsyncConnectionPool[Any], bool] = WeakKeyDictionary()


def named_statements(pool: AsyncConnectionPool[Any]) -> bool:
    """Whether units of work may prepare named statements on ``pool``'s connections (not
    behind a transaction pooler; True for a pool this module did not build)."""
    return _NAMED_STATEMENTS.get(pool, True)
