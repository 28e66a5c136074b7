"""What the subcommands share for running use cases from the container."""

from __future__ import annotations

import asyncio
from typing import Any


async def resolve(provided: Any) -> Any:
    """The value of a provider call: providers that depend on the pool return awaitables."""
    return (
        await provided if asyncio.isfuture(provided) or asyncio.iscoroutine(provided) else provided
    )
