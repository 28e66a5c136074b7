"""Wake long-polling feed readers in this process when their org's events commit here."""

from __future__ import annotations

import asyncio
import contextlib

from application.ports import EventSignal


class InProcessEventSignal(EventSignal):
    """One asyncio event per org with waiters; ``notify`` sets it and starts a new one.

    Only this process's commits are seen (LISTEN would not pass a transaction pooler, ADR
    0021): readers also poll, so another replica's events arrive within a poll interval."""

    def __init__(self) -> None:
        self._waiting: dict[str, asyncio.Event] = {}

    def notify(self, org_id: str) -> None:
        event = self._waiting.pop(org_id, None)
        if event is not None:
            event.set()

    async def wait(self, org_id: str, seconds: float) -> None:
        event = self._waiting.get(org_id)
        if event is None:
            event = self._waiting[org_id] = asyncio.Event()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), seconds)
