"""The warehouse workflows under real parallel transactions. Transfers shipped, received and
cancelled at once, crossing each other and racing one-step transfers: nothing deadlocks, and
each item's total on hand plus in transit is exactly what it was. Reversals of one movement
racing each other: exactly one wins."""

from __future__ import annotations

import asyncio
import random
import secrets
from typing import Any
from uuid import UUID

import pytest

from application.principal import Principal
from application.transit import TransferMoved
from application.use_cases.base import Deps
from application.use_cases.post_movement import PostMovementHandler
from domain.errors import AlreadyReversed, InsufficientStock, InvalidTransferState
from domain.movements import MovementRequest, MovementType, TransferLine
from tests.contract import builders
from tests.contract import workflow_builders as wf
from tests.postgres.invariants import audit_with_transit

pytestmark = pytest.mark.slow

EXPECTED_REFUSALS = (InsufficientStock, InvalidTransferState)


def admin() -> Principal:
    org = f"org_{secrets.token_hex(8)}"
    return Principal.from_claims(user_id="user_load", org_id=org, raw_role="admin")


def totals(rows: list[tuple[Any, ...]]) -> dict[UUID, int]:
    """Per item: on_hand plus incoming over every level."""
    out: dict[UUID, int] = {}
    for item_id, _, on_hand, *_, incoming in rows:
        out[item_id] = out.get(item_id, 0) + on_hand + incoming
    return out


async def test_racing_ships_receipts_and_cancels_conserve_each_items_total(
    wide_deps: Deps, database_url: str
) -> None:
    who = admin()
    org = who.org_id or ""
    items = [await builders.item(wide_deps, who) for _ in range(2)]
    places = [await builders.location(wide_deps, who) for _ in range(3)]
    for item in items:
        for place in places[:2]:
            await builders.receive(wide_deps, who, item.id, place.id, 500)
    rng = random.Random(11)
    routes = [(a, b) for a in places for b in places if a is not b]

    async def ship(n: int) -> Any:
        source, destination = routes[n % len(routes)]
        lines = {item.id: rng.randint(1, 30) for item in items}
        return await wf.ship(wide_deps, who, source.id, destination.id, lines)

    shipped = await asyncio.gather(*(ship(n) for n in range(40)), return_exceptions=True)
    transfers = [s.transfer for s in shipped if not isinstance(s, BaseException)]
    assert all(isinstance(s, EXPECTED_REFUSALS) for s in shipped if isinstance(s, BaseException))

    async def settle(n: int) -> Any:
        transfer = transfers[n % len(transfers)]
        if n % 3 == 0:
            return await wf.cancel(wide_deps, who, transfer.id)
        return await wf.receive(wide_deps, who, transfer.id, {items[n % 2].id: 1 + n % 4})

    async def one_step(n: int) -> Any:
        source, destination = routes[n % len(routes)]
        line = TransferLine(items[n % 2].id, source.id, destination.id, 1 + n % 5)
        request = MovementRequest(type=MovementType.TRANSFER, lines=(line,))
        return await PostMovementHandler(wide_deps)(who, request)

    work = [settle(n) for n in range(90)] + [one_step(n) for n in range(30)]
    work += [ship(n) for n in range(20)]
    rng.shuffle(work)
    results = await asyncio.gather(*work, return_exceptions=True)

    assert sum(not isinstance(r, BaseException) for r in results) > len(results) // 2
    unexpected = [
        r for r in results if isinstance(r, BaseException) and not isinstance(r, EXPECTED_REFUSALS)
    ]
    assert unexpected == []
    rows = audit_with_transit(database_url, org)  # incoming = in transit, per level
    assert totals(rows) == {item.id: 1000 for item in items}
    # Every transfer still open is cancelled: nothing is left in transit, nothing was lost.
    everything = {t.id for t in transfers} | {
        r.transfer.id for r in results if isinstance(r, TransferMoved)
    }
    for transfer_id in everything:
        if await _open(wide_deps, org, transfer_id):
            await wf.cancel(wide_deps, who, transfer_id)
    rows = audit_with_transit(database_url, org)
    assert totals(rows) == {item.id: 1000 for item in items}
    assert [incoming for *_, incoming in rows if incoming] == []


async def _open(deps: Deps, org: str, transfer_id: UUID) -> bool:
    async with deps.uow(org) as uow:
        transfer = await uow.transfers.get(transfer_id)
    return transfer is not None and transfer.is_open


async def test_racing_reversals_of_one_movement_apply_exactly_one(
    wide_deps: Deps, database_url: str
) -> None:
    who = admin()
    item, here = await builders.item(wide_deps, who), await builders.location(wide_deps, who)
    receipt = await builders.receive(wide_deps, who, item.id, here.id, 7)

    results = await asyncio.gather(
        *(wf.reverse(wide_deps, who, receipt.id) for _ in range(12)), return_exceptions=True
    )

    won = [r for r in results if not isinstance(r, BaseException)]
    assert len(won) == 1
    # Each loser learns why: reversed already, not "insufficient stock" from the winner's take.
    assert [type(r) for r in results if isinstance(r, BaseException)] == [AlreadyReversed] * 11
    [row] = audit_with_transit(database_url, who.org_id or "")
    assert row[2] == 0
