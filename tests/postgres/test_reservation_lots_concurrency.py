"""Real parallel reservations of a lot-tracked item through the use cases (ADR 0031): racing
first-expiry-first-out holds, releases and fulfilments never oversell, and the level's
reserved = the sum of its lots' reserved = the open reservation lot lines."""

from __future__ import annotations

import asyncio
import random
import secrets
from datetime import date

import pytest

from application.principal import Principal
from application.use_cases.base import Deps
from application.use_cases.create_reservation import CreateReservation, CreateReservationHandler
from application.use_cases.fulfil_reservation import FulfilReservationHandler
from application.use_cases.release_reservation import ReleaseReservationHandler
from application.use_cases.settle_reservation import SettleReservation
from domain.errors import InsufficientStock
from domain.reservations import LineQuantity
from tests.contract import builders
from tests.contract.lot_builders import receive
from tests.postgres.invariants import audit, audit_lots, audit_reservation_lots

pytestmark = pytest.mark.slow

LOTS = {
    "E": (9, date(2030, 3, 1)),
    "A": (12, date(2030, 1, 10)),
    "D": (7, date(2031, 1, 1)),
    "B": (10, date(2030, 1, 5)),
    "C": (8, date(2030, 2, 1)),
}


async def test_racing_fefo_reservations_never_oversell_and_the_lots_add_up(
    wide_deps: Deps, database_url: str
) -> None:
    org = f"org_{secrets.token_hex(8)}"
    who = Principal.from_claims(user_id="user_load", org_id=org, raw_role="admin")
    item = await builders.item(wide_deps, who, tracking="lot")
    here = await builders.location(wide_deps, who)
    await receive(wide_deps, who, item.id, here.id, LOTS)
    rng = random.Random(17)
    refused = held = 0

    async def one() -> None:
        nonlocal refused, held
        n = rng.randint(1, 6)
        command = CreateReservation(lines=(LineQuantity(item.id, here.id, n),))
        try:
            created = (await CreateReservationHandler(wide_deps)(who, command)).value
        except InsufficientStock:
            refused += 1
            return
        held += n
        settle = SettleReservation(reservation_id=created.id)
        roll = rng.random()
        if roll < 0.25:
            await ReleaseReservationHandler(wide_deps)(who, settle)
        elif roll < 0.5:
            await FulfilReservationHandler(wide_deps)(who, settle)

    await asyncio.gather(*(one() for _ in range(80)))

    total = sum(n for n, _ in LOTS.values())
    [(_, _, on_hand, reserved, _, _)] = audit(database_url, org)  # reserved = open lines
    positions = audit_lots(database_url, org)  # level = sum of its lots, 0 <= reserved
    assert audit_reservation_lots(database_url, org) == reserved  # lots = open lot lines
    assert sum(int(row[4]) for row in positions) == reserved
    assert reserved <= on_hand <= total
    assert held > 0
    assert refused > 0  # the race ran the lots dry
