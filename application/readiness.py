"""Readiness port: can this process serve traffic right now."""

from __future__ import annotations

from typing import Protocol


class ReadinessProbe(Protocol):
    """Reports what keeps the service from serving traffic; an empty list means ready."""

    async def check(self) -> list[str]: ...
