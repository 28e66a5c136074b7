"""Units of work whose commit waits for a gate: a slow writer, held open on purpose."""

from __future__ import annotations

import asyncio
from typing import Any

from application.ports import UnitOfWork, UnitOfWorkFactory


class HeldUnitOfWork:
    """Proxies a unit of work; ``commit`` first says it is ready, then waits for ``gate``."""

    def __init__(self, inner: UnitOfWork, ready: asyncio.Event, gate: asyncio.Event) -> None:
        self._inner, self._ready, self._gate = inner, ready, gate

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def __aenter__(self) -> HeldUnitOfWork:
        await self._inner.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._inner.__aexit__(*exc)

    async def commit(self) -> None:
        self._ready.set()  # everything but the COMMIT flight has run: its locks and xid are held
        await self._gate.wait()
        await self._inner.commit()


class HeldCommits:
    """A unit-of-work factory whose units of work commit only once ``release()`` is called."""

    def __init__(self, inner: UnitOfWorkFactory) -> None:
        self._inner = inner
        self.ready = asyncio.Event()
        self._gate = asyncio.Event()

    def __call__(self, org_id: str, *, read_only: bool = False) -> Any:
        return HeldUnitOfWork(self._inner(org_id, read_only=read_only), self.ready, self._gate)

    def release(self) -> None:
        self._gate.set()
