"""Numeric limits on both backends: versions count past 2**31, and no level holds more than
bigint can (a change that would is refused with its own error, never a driver failure)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from application.importing import ImportMode, ImportStock, ImportStockHandler, StockImporter
from application.principal import Principal
from application.use_cases.base import Deps
from application.use_cases.post_movement import PostMovementHandler
from domain import rules
from domain.errors import QuantityOutOfRange
from domain.movements import (
    AdjustmentReason,
    MovementRequest,
    MovementType,
    QuantityLine,
    RequestLine,
    TransferLine,
)
from domain.stock import LevelKey, StockLevel
from tests.contract import builders

INT4_MAX = 2**31 - 1


async def level_of(deps: Deps, org: str, key: LevelKey) -> StockLevel:
    async with deps.uow(org) as uow:
        level = await uow.stock.get(key, deps.clock.now())
    assert level is not None
    return level


async def test_a_level_past_two_billion_changes_keeps_counting(
    deps: Deps, admin: Principal, org: str, key: LevelKey, force_level: Callable[..., Any]
) -> None:
    await builders.receive(deps, admin, key.item_id, key.location_id, 5)
    await force_level(org, key, on_hand=5, version=INT4_MAX)

    await builders.receive(deps, admin, key.item_id, key.location_id, 1)

    level = await level_of(deps, org, key)
    assert (level.on_hand, level.version) == (6, INT4_MAX + 1)


@pytest.mark.parametrize("kind", ["receipt", "adjustment", "transfer"])
async def test_stock_that_would_overflow_a_level_is_refused_and_nothing_changes(
    deps: Deps,
    admin: Principal,
    org: str,
    key: LevelKey,
    force_level: Callable[..., Any],
    kind: str,
) -> None:
    source = await builders.location(deps, admin)
    await builders.receive(deps, admin, key.item_id, source.id, 10)
    await builders.receive(deps, admin, key.item_id, key.location_id, 1)
    await force_level(org, key, on_hand=rules.MAX_ON_HAND - 5, version=2)
    line: RequestLine = QuantityLine(key.item_id, key.location_id, 10)
    if kind == "transfer":
        line = TransferLine(key.item_id, source.id, key.location_id, 10)
    reason = AdjustmentReason.FOUND if kind == "adjustment" else None
    request = MovementRequest(type=MovementType(kind), lines=(line,), reason=reason)

    with pytest.raises(QuantityOutOfRange) as refused:
        await PostMovementHandler(deps)(admin, request)

    assert refused.value.extra["item_id"] == str(key.item_id)
    level = await level_of(deps, org, key)
    assert (level.on_hand, level.version) == (rules.MAX_ON_HAND - 5, 2)
    assert (await level_of(deps, org, LevelKey(key.item_id, source.id))).on_hand == 10


async def test_an_import_that_would_overflow_a_level_is_refused_and_nothing_changes(
    deps: Deps,
    admin: Principal,
    org: str,
    importer: StockImporter,
    force_level: Callable[..., Any],
) -> None:
    item = await builders.item(deps, admin, "BIG-1")
    place = await builders.location(deps, admin, "BIN-1")
    key = LevelKey(item.id, place.id)
    await builders.receive(deps, admin, item.id, place.id, 1)
    await force_level(org, key, on_hand=rules.MAX_ON_HAND - 5, version=2)
    command = ImportStock(
        lines=["sku,location_code,quantity\n", "BIG-1,BIN-1,3\n", "big-1,bin-1,3\n"],
        mode=ImportMode.RECEIPT,
    )

    with pytest.raises(QuantityOutOfRange):
        await ImportStockHandler(importer, deps.clock, deps.ids)(admin, command)

    level = await level_of(deps, org, key)
    assert (level.on_hand, level.version) == (rules.MAX_ON_HAND - 5, 2)
