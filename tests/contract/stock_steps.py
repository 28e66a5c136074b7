"""A committed stock change, as the stock contract tests apply it."""

from __future__ import annotations

from datetime import datetime

from application.ports import UnitOfWorkFactory
from domain.stock import LevelKey, StockChange


async def apply(
    factory: UnitOfWorkFactory, org: str, key: LevelKey, change: StockChange, now: datetime
) -> tuple[int, int, int, int]:
    """Apply and commit ``change``; return (on_hand, reserved, version, on_hand_delta)."""
    async with factory(org) as uow:
        result = await uow.stock.change(key, change, now)
        await uow.commit()
    level = result.level
    assert level.key == key
    return level.on_hand, level.reserved, level.version, result.on_hand_delta
