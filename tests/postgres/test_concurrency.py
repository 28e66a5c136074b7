"""Real parallel transactions: no oversell under a stampede, no deadlock in crossed transfers."""

from __future__ import annotations

import asyncio
import secrets

import pytest

from application.principal import Principal
from application.use_cases.base import Deps
from application.use_cases.create_reservation import CreateReservation, CreateReservationHandler
from application.use_cases.post_movement import PostMovementHandler
from domain.errors import InsufficientStock
from domain.movements import MovementRequest, MovementType, TransferLine
from domain.reservations import LineQuantity
from domain.stock import LevelKey
from tests.contract import builders
from tests.postgres.invariants import audit

pytestmark = pytest.mark.slow


def admin() -> Principal:
    org = f"org_{secrets.token_hex(8)}"
    return Principal.from_claims(user_id="user_load", org_id=org, raw_role="admin")


async def test_200_concurrent_reservations_of_50_units_reserve_exactly_50(
    wide_deps: Deps, database_url: str
) -> None:
    who = admin()
    item, here = await builders.item(wide_deps, who), await builders.location(wide_deps, who)
    await builders.receive(wide_deps, who, item.id, here.id, 50)
    reserve = CreateReservationHandler(wide_deps)
    command = CreateReservation(lines=(LineQuantity(item.id, here.id, 1),))

    results = await asyncio.gather(
        *(reserve(who, command) for _ in range(200)), return_exceptions=True
    )

    failures = [r for r in results if isinstance(r, BaseException)]
    assert all(isinstance(f, InsufficientStock) for f in failures), failures[:3]
    assert (len(results) - len(failures), len(failures)) == (50, 150)
    async with wide_deps.uow(who.org_id or "") as uow:
        level = await uow.stock.get(LevelKey(item.id, here.id), wide_deps.clock.now())
    assert level is not None and (level.on_hand, level.reserved) == (50, 50)
    assert [row[2:] for row in audit(database_url, who.org_id or "")] == [(50, 50, 50, 50)]


async def test_crossed_multi_line_transfers_never_deadlock_and_conserve_stock(
    wide_deps: Deps, database_url: str
) -> None:
    who = admin()
    items = [await builders.item(wide_deps, who) for _ in range(2)]
    a, b = await builders.location(wide_deps, who), await builders.location(wide_deps, who)
    for item in items:
        for location in (a, b):
            await builders.receive(wide_deps, who, item.id, location.id, 1000)
    post = PostMovementHandler(wide_deps)

    def crossed(n: int) -> MovementRequest:
        there, back = (a, b) if n % 2 else (b, a)
        lines = (
            TransferLine(items[0].id, there.id, back.id, 1),
            TransferLine(items[1].id, back.id, there.id, 1),
            TransferLine(items[0].id, back.id, there.id, 2),
        )
        return MovementRequest(type=MovementType.TRANSFER, lines=lines)

    results = await asyncio.gather(
        *(post(who, crossed(n)) for n in range(120)), return_exceptions=True
    )

    assert [r for r in results if isinstance(r, BaseException)] == []
    rows = audit(database_url, who.org_id or "")
    for item in items:
        assert sum(on_hand for item_id, _, on_hand, *_ in rows if item_id == item.id) == 2000
