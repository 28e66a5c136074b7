"""Real parallel FEFO holds over several lots at one level (ADR 0031): never more held than
the unexpired lots have, each lot's reserved = the holds taken in it less those given back."""

from __future__ import annotations

import asyncio
import random
import secrets
from collections import Counter
from datetime import date
from uuid import UUID

import pytest

from application.principal import Principal
from application.use_cases.base import Deps
from domain.errors import InsufficientStock
from domain.lot_holds import HoldInLots, LotHold
from domain.stock import LevelKey, Release, Reserve
from tests.contract import builders
from tests.contract.lot_builders import receive
from tests.postgres.invariants import audit_lots

pytestmark = pytest.mark.slow

LOTS = {
    "E": (9, date(2030, 3, 1)),
    "A": (12, date(2030, 1, 10)),
    "D": (7, date(2031, 1, 1)),
    "B": (10, date(2030, 1, 5)),
    "C": (8, date(2030, 2, 1)),
}


async def test_racing_fefo_holds_and_releases_never_overhold(
    wide_deps: Deps, database_url: str
) -> None:
    org = f"org_{secrets.token_hex(8)}"
    who = Principal.from_claims(user_id="user_load", org_id=org, raw_role="admin")
    item = await builders.item(wide_deps, who, tracking="lot")
    here = await builders.location(wide_deps, who)
    await receive(wide_deps, who, item.id, here.id, LOTS)
    key = LevelKey(item.id, here.id)
    rng = random.Random(11)
    held: Counter[UUID] = Counter()
    refused = 0

    async def hold(step: HoldInLots) -> tuple[LotHold, ...]:
        async with wide_deps.uow(org) as uow:
            changed = await uow.lots.hold(key, step, wide_deps.clock.now())
            await uow.commit()
        return changed.holds

    async def one() -> None:
        nonlocal refused
        n = rng.randint(1, 6)
        try:
            holds = await hold(HoldInLots(Reserve(n)))
        except InsufficientStock:
            refused += 1
            return
        for h in holds:
            held[h.lot.id] += h.quantity
        if rng.random() < 0.3:
            await hold(HoldInLots(Release(n), holds=holds))
            for h in holds:
                held[h.lot.id] -= h.quantity

    await asyncio.gather(*(one() for _ in range(80)))

    positions = audit_lots(database_url, org)  # level = sum of its lots; 0 <= reserved <= on_hand
    reserved = {row[2]: row[4] for row in positions}
    assert {lot_id: n for lot_id, n in reserved.items() if n} == {
        lot_id: n for lot_id, n in held.items() if n
    }
    assert sum(held.values()) <= sum(n for n, _ in LOTS.values())
    assert sum(held.values()) > 0
    assert refused > 0  # the race ran the lots dry
