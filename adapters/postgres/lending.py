"""Lend pooled connections to units of work, handing a returned one straight to a waiter.

When every connection is out, psycopg_pool queues a caller behind a lock, a condition and a
timed wait, and a returned connection goes through the pool to reach it: about 35 us of CPU
per queued request on the read benchmark (ADR 0012). Under load most requests queue, so the
lender keeps its own FIFO of waiters (one future each) and gives a returned connection, still
healthy and just used, directly to the first of them. Idle connections stay in the pool, which
keeps doing everything else: connecting, health checks, idle and lifetime limits, statistics.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from psycopg import AsyncConnection, pq
from psycopg_pool import AsyncConnectionPool, PoolTimeout

Pool = AsyncConnectionPool[AsyncConnection[Any]]
# A connection handed from user to user never goes back to the pool, so the pool cannot
# recycle it; after this many handoffs in a row it goes back, like any other.
MAX_HANDOFFS = 1000
_IDLE = pq.TransactionStatus.IDLE


class ConnectionLender:
    """``borrow`` / ``give_back`` in place of the pool's ``getconn`` / ``putconn``."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self._out = 0  # connections lent and not given back
        self._waiters: deque[asyncio.Future[AsyncConnection[Any] | None]] = deque()
        self._handoffs: dict[int, int] = {}

    async def borrow(self, wait_seconds: float | None = None) -> AsyncConnection[Any]:
        """A connection for one unit of work; PoolTimeout when none frees up in time."""
        wait = self.pool.timeout if wait_seconds is None else wait_seconds
        if self._out >= self.pool.max_size:
            handed = await self._wait(wait)
            if handed is not None:
                return handed
            # Woken without a connection (the one freed was broken): ask the pool.
        else:
            self._out += 1
        try:
            return await self.pool.getconn(wait)
        except BaseException:
            self._free_slot()
            raise

    async def give_back(self, conn: AsyncConnection[Any]) -> None:
        """Return ``conn``: to the first waiter if it is reusable as it is, else to the pool."""
        key = id(conn)
        reusable = (
            not conn.closed
            and conn.pgconn.transaction_status == _IDLE
            and self._handoffs.get(key, 0) < MAX_HANDOFFS
        )
        # Others who queue in the pool itself (the rate limiter's counter, the importer, the
        # expiry job) must not starve while units of work hand connections around.
        if reusable and self._waiters and self.pool.get_stats().get("requests_waiting", 0):
            reusable = False
        while reusable and self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self._handoffs[key] = self._handoffs.get(key, 0) + 1
                waiter.set_result(conn)
                return
        self._handoffs.pop(key, None)
        try:
            await self.pool.putconn(conn)
        finally:
            self._free_slot()

    async def _wait(self, seconds: float) -> AsyncConnection[Any] | None:
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[AsyncConnection[Any] | None] = loop.create_future()
        self._waiters.append(waiter)
        timer = loop.call_later(seconds, _expire, waiter, seconds)
        try:
            return await waiter
        except BaseException:
            # Timed out or cancelled. If a connection, or a slot, reached us meanwhile, pass
            # it on: nobody else will.
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                handed = waiter.result()
                if handed is not None:
                    await self.give_back(handed)
                else:
                    self._free_slot()
            raise
        finally:
            timer.cancel()

    def _free_slot(self) -> None:
        """A lent connection went back to the pool: let the first waiter ask the pool."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the slot passes to it: _out stays the same
                return
        self._out -= 1


def _expire(waiter: asyncio.Future[Any], timeout: float) -> None:
    if not waiter.done():
        waiter.set_exception(PoolTimeout(f"couldn't get a connection after {timeout:.2f} sec"))
