"""Readiness port: can this process serve traffic right now; and a short cache in front of it."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Protocol

from application.ports import Clock

READINESS_TTL = timedelta(seconds=1)


class ReadinessProbe(Protocol):
    """Reports what keeps the service from serving traffic; an empty list means ready."""

    async def check(self) -> list[str]: ...


class CachedReadiness(ReadinessProbe):
    """Answers from the last check for ``ttl``, and lets concurrent callers share one check, so
    a flood of probes (unauthenticated, not rate-limited) costs the database one check a
    second instead of a pooled connection per hit."""

    def __init__(self, probe: ReadinessProbe, clock: Clock, ttl: timedelta = READINESS_TTL):
        self._probe = probe
        self._clock = clock
        self._ttl = ttl
        self._last: tuple[datetime, list[str]] | None = None
        self._pending: asyncio.Future[list[str]] | None = None

    async def check(self) -> list[str]:
        last = self._last
        if last is not None and self._clock.now() - last[0] < self._ttl:
            return list(last[1])
        if self._pending is None:
            self._pending = asyncio.ensure_future(self._refresh())
        # Shielded: a caller that goes away does not cancel the check the others wait for.
        return list(await asyncio.shield(self._pending))

    async def _refresh(self) -> list[str]:
        try:
            problems = await self._probe.check()
            self._last = (self._clock.now(), problems)
            return problems
        finally:
            self._pending = None
