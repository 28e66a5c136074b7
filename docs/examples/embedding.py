"""Stockroom inside your own program: a job that receives a delivery and holds stock for an order.

Run it against any Stockroom database (settings come from the environment, exactly as for
``stockroom serve``; without DATABASE_URL it starts the embedded PostgreSQL in
STOCKROOM_DATA_DIR). It works as the app role (DATABASE_URL) and migrates first as the owner
(DATABASE_DIRECT_URL, ADR 0018):

    DATABASE_URL=postgresql://stockroom_app@db/stockroom \
    DATABASE_DIRECT_URL=postgresql://stockroom_owner@db/stockroom \
        .venv/bin/python docs/examples/embedding.py acme

The tests run this file against PostgreSQL (tests/integration/test_embedding_example.py).
"""

from __future__ import annotations

import asyncio
import secrets
import sys

from application.ports import StockFilter
from application.principal import Principal
from application.use_cases.create_item import CreateItem
from application.use_cases.create_location import CreateLocation
from application.use_cases.create_reservation import CreateReservation
from domain.movements import MovementRequest, MovementType, QuantityLine
from domain.reservations import LineQuantity
from entrypoints.container import open_stockroom


async def main(org_id: str) -> None:
    # One entry: start Stockroom (database, pool, every use case), use it, close it.
    async with open_stockroom(migrate_first=True) as stockroom:
        service = stockroom.service
        # Act as a principal of your choosing: the same permission checks as over HTTP.
        job = Principal.from_claims(user_id="receiving-job", org_id=org_id, raw_role="admin")

        sku = f"BOLT-{secrets.token_hex(3)}"
        item = (await service.create_item(job, CreateItem(sku=sku, name="Bolt M8"))).value
        dock = (await service.create_location(job, CreateLocation(code="DOCK", name="Dock"))).value
        receipt = MovementRequest(
            type=MovementType.RECEIPT,
            lines=(QuantityLine(item.id, dock.id, 120),),
            reference="PO-1001",
        )
        await service.post_movement(job, receipt)
        hold = CreateReservation(lines=(LineQuantity(item.id, dock.id, 20),), reference="SO-77")
        await service.create_reservation(job, hold)

        page = await service.list_stock_levels(job, StockFilter(item_id=item.id), None, None)
        level = page.items[0]
        print(f"{sku} at DOCK: on_hand={level.on_hand} reserved={level.reserved} "
              f"available={level.available}")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "example-org"))
