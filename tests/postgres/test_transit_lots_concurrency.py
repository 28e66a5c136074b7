"""Real parallel transactions over transfers in transit of lots (ADR 0034): shipments both ways
(first-expiry-first-out or of a named lot), receipts and cancels racing on the same levels and
lots never oversell, never deadlock, and leave every level the sum of its lots, every transfer
line the sum of its lot lines, and incoming what is in transit."""

from __future__ import annotations

import asyncio
import random
import secrets
from datetime import date
from uuid import UUID

import pytest

from application.principal import Principal
from application.use_cases.base import Deps
from application.use_cases.cancel_transfer import CancelTransfer, CancelTransferHandler
from application.use_cases.receive_transfer import ReceiveTransfer, ReceiveTransferHandler
from application.use_cases.ship_transfer import ShipTransfer, ShipTransferHandler
from domain.errors import InsufficientStock, InvalidTransferState
from domain.movements import LotRef
from domain.transfers import ItemQuantity
from tests.contract import builders
from tests.contract.lot_builders import receive
from tests.postgres.invariants import audit_lots, audit_with_transit

pytestmark = pytest.mark.slow

LOTS = {"A": (20, date(2030, 1, 10)), "B": (15, date(2030, 1, 5)), "C": (10, date(2030, 2, 1))}


async def test_racing_transfers_in_lots_never_oversell_and_keep_every_sum(
    wide_deps: Deps, database_url: str
) -> None:
    org = f"org_{secrets.token_hex(8)}"
    who = Principal.from_claims(user_id="user_load", org_id=org, raw_role="admin")
    item = await builders.item(wide_deps, who, tracking="lot")
    here, there = await builders.location(wide_deps, who), await builders.location(wide_deps, who)
    await receive(wide_deps, who, item.id, here.id, LOTS)
    await receive(wide_deps, who, item.id, there.id, LOTS)
    rng = random.Random(11)
    shipped: list[UUID] = []

    async def one() -> None:
        places = [here.id, there.id]
        rng.shuffle(places)
        roll = rng.random()
        try:
            if roll < 0.5 or not shipped:
                named = rng.choice([None, "a", "B", "c"])
                lot = None if named is None else LotRef(code=named)
                line = ItemQuantity(item.id, rng.randint(1, 6), lot)
                command = ShipTransfer(
                    from_location_id=places[0], to_location_id=places[1], lines=(line,)
                )
                moved = (await ShipTransferHandler(wide_deps)(who, command)).value
                shipped.append(moved.transfer.id)
            elif roll < 0.85:
                part = ItemQuantity(item.id, rng.randint(1, 3))
                receipt = ReceiveTransfer(transfer_id=rng.choice(shipped), lines=(part,))
                await ReceiveTransferHandler(wide_deps)(who, receipt)
            else:
                cancel = CancelTransfer(transfer_id=rng.choice(shipped))
                await CancelTransferHandler(wide_deps)(who, cancel)
        except (InsufficientStock, InvalidTransferState):
            return

    await asyncio.gather(*(one() for _ in range(120)))

    rows = audit_with_transit(database_url, org)  # incoming = in transit; on_hand = ledger
    positions = audit_lots(database_url, org)  # levels = sums of lots; lines = sums of lots
    in_transit = sum(int(row[6]) for row in rows)  # type: ignore[call-overload]
    on_hand = sum(int(row[2]) for row in rows)  # type: ignore[call-overload]
    assert shipped
    assert on_hand + in_transit == 2 * 45  # conserved: nothing but transfers ran
    assert all(int(row[3]) >= 0 for row in positions)  # type: ignore[call-overload]
