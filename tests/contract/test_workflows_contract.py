"""Transfers in transit, count sessions and reversals: the same documents, levels and
refusals on both backends."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from adapters.clock import ManualClock
from application.ports import UnitOfWorkFactory
from application.principal import Principal
from application.queries.counts import GetCountHandler, ListCountsHandler
from application.queries.transfers import GetTransferHandler, ListTransfersHandler
from application.use_cases.base import Deps
from application.workflow_ports import CountFilter, TransferFilter
from domain.counts import CountStatus
from domain.errors import AlreadyReversed
from domain.movements import MovementType
from domain.stock import LevelKey
from domain.transfers import TransferStatus, TransitLine
from tests.contract import builders
from tests.contract import workflow_builders as wf


async def all_pages(query: Any, *args: Any) -> list[Any]:
    seen, cursor = [], None
    while True:
        page = await query(*args, 2, cursor)
        seen += page.items
        if (cursor := page.next_cursor) is None:
            return seen


async def level(deps: Deps, org: str, item: Any, location: Any) -> tuple[int, int, int]:
    async with deps.uow(org) as uow:
        found = await uow.stock.get(LevelKey(item, location), deps.clock.now())
    return (0, 0, 0) if found is None else (found.on_hand, found.reserved, found.incoming)


async def test_a_transfer_reads_back_as_shipped_received_and_cancelled(
    deps: Deps, org: str, admin: Principal
) -> None:
    a, b = await builders.item(deps, admin), await builders.item(deps, admin)
    here, there = await builders.location(deps, admin), await builders.location(deps, admin)
    for item in (a, b):
        await builders.receive(deps, admin, item.id, here.id, 10)
    shipped = await wf.ship(deps, admin, here.id, there.id, {a.id: 4, b.id: 3}, "TO-9")
    await wf.receive(deps, admin, shipped.transfer.id, {a.id: 1})
    cancelled = await wf.cancel(deps, admin, shipped.transfer.id)

    read = await GetTransferHandler(deps)(admin, shipped.transfer.id)

    assert read == cancelled.transfer
    assert (read.status, read.version, read.reference) == (TransferStatus.CANCELLED, 3, "TO-9")
    assert read.lines == (
        TransitLine(a.id, 4, received=1, cancelled=3),
        TransitLine(b.id, 3, cancelled=3),
    )
    assert await level(deps, org, a.id, here.id) == (9, 0, 0)
    assert await level(deps, org, a.id, there.id) == (1, 0, 0)
    assert await level(deps, org, b.id, there.id) == (0, 0, 0)


async def test_levels_report_what_is_in_transit_towards_them(
    deps: Deps, org: str, admin: Principal
) -> None:
    item = await builders.item(deps, admin)
    here, there = await builders.location(deps, admin), await builders.location(deps, admin)
    await builders.receive(deps, admin, item.id, here.id, 10)

    first = await wf.ship(deps, admin, here.id, there.id, {item.id: 4})
    await wf.ship(deps, admin, here.id, there.id, {item.id: 2})
    await wf.receive(deps, admin, first.transfer.id, {item.id: 3})

    assert await level(deps, org, item.id, here.id) == (4, 0, 0)
    assert await level(deps, org, item.id, there.id) == (3, 0, 3)


async def test_transfers_list_by_status_and_locations_in_pages(
    deps: Deps, admin: Principal, clock: ManualClock
) -> None:
    item = await builders.item(deps, admin)
    here, there = await builders.location(deps, admin), await builders.location(deps, admin)
    await builders.receive(deps, admin, item.id, here.id, 50)
    await builders.receive(deps, admin, item.id, there.id, 50)
    made = []
    for source, destination in [(here, there), (there, here), (here, there)]:
        clock.advance(1)
        made.append(await wf.ship(deps, admin, source.id, destination.id, {item.id: 1}))
    await wf.receive(deps, admin, made[0].transfer.id)
    listing = ListTransfersHandler(deps)

    def ids(rows: list[Any]) -> list[Any]:
        return [t.id for t in rows]

    every = [m.transfer.id for m in made]
    assert ids(await all_pages(listing, admin, TransferFilter())) == every
    received = TransferFilter(status=TransferStatus.RECEIVED)
    assert ids(await all_pages(listing, admin, received)) == every[:1]
    outbound = TransferFilter(from_location_id=here.id)
    assert ids(await all_pages(listing, admin, outbound)) == [every[0], every[2]]
    inbound = TransferFilter(to_location_id=here.id, status=TransferStatus.IN_TRANSIT)
    assert ids(await all_pages(listing, admin, inbound)) == [every[1]]


async def test_a_count_session_reads_back_with_its_snapshot_and_counts(
    deps: Deps, org: str, admin: Principal
) -> None:
    a, b, c = [await builders.item(deps, admin) for _ in range(3)]
    here = await builders.location(deps, admin)
    await builders.receive(deps, admin, a.id, here.id, 10)
    await builders.receive(deps, admin, b.id, here.id, 4)
    session = await wf.open_count(deps, admin, here.id)
    await builders.receive(deps, admin, a.id, here.id, 5)  # after the snapshot
    await wf.record(deps, admin, session.id, {a.id: 9, c.id: 2})
    recorded = await wf.record(deps, admin, session.id, {a.id: 8})

    assert await GetCountHandler(deps)(admin, session.id) == recorded
    expected = {line.item_id: (line.expected, line.counted) for line in recorded.lines}
    assert expected == {a.id: (10, 8), b.id: (4, None), c.id: (0, 2)}

    posted = await wf.post_count(deps, admin, session.id)

    assert (posted.status, posted.version) == (CountStatus.POSTED, 4)
    assert await level(deps, org, a.id, here.id) == (13, 0, 0)  # 8 counted + 5 since
    assert await level(deps, org, b.id, here.id) == (4, 0, 0)  # not counted: untouched
    assert await level(deps, org, c.id, here.id) == (2, 0, 0)
    assert await GetCountHandler(deps)(admin, session.id) == posted


async def test_a_snapshot_of_listed_items_reads_only_those(
    deps: Deps, org: str, admin: Principal, uow_factory: UnitOfWorkFactory
) -> None:
    a, b = await builders.item(deps, admin), await builders.item(deps, admin)
    here = await builders.location(deps, admin)
    await builders.receive(deps, admin, a.id, here.id, 3)
    await builders.receive(deps, admin, b.id, here.id, 4)

    async with uow_factory(org) as uow:
        listed = await uow.stock.on_hand_at(here.id, [b.id], 10)
        everything = await uow.stock.on_hand_at(here.id, None, 10)
        capped = await uow.stock.on_hand_at(here.id, None, 1)

    assert listed == {b.id: 4}
    assert everything == {a.id: 3, b.id: 4}
    assert len(capped) == 1


async def test_count_sessions_list_by_status_and_location_in_pages(
    deps: Deps, admin: Principal, clock: ManualClock
) -> None:
    item = await builders.item(deps, admin)
    here, there = await builders.location(deps, admin), await builders.location(deps, admin)
    made = []
    for place in (here, there, here):
        clock.advance(1)
        made.append(await wf.open_count(deps, admin, place.id, (item.id,)))
    await wf.record(deps, admin, made[1].id, {item.id: 0})
    await wf.post_count(deps, admin, made[1].id)
    listing = ListCountsHandler(deps)

    def ids(rows: list[Any]) -> list[Any]:
        return [s.id for s in rows]

    assert ids(await all_pages(listing, admin, CountFilter())) == [s.id for s in made]
    posted = CountFilter(status=CountStatus.POSTED)
    assert ids(await all_pages(listing, admin, posted)) == [made[1].id]
    at_here = CountFilter(location_id=here.id, status=CountStatus.OPEN)
    assert ids(await all_pages(listing, admin, at_here)) == [made[0].id, made[2].id]


async def test_a_reversal_links_both_ways_on_every_read(deps: Deps, admin: Principal) -> None:
    item, here = await builders.item(deps, admin), await builders.location(deps, admin)
    receipt = await builders.receive(deps, admin, item.id, here.id, 6)

    reversal = await wf.reverse(deps, admin, receipt.id)

    async with deps.uow(admin.org_id or "") as uow:
        original = await uow.movements.get(receipt.id)
        again = await uow.movements.get(reversal.id)
    assert original is not None and original.reversed_by == reversal.id
    assert again is not None and (again.type, again.reverses) == (MovementType.REVERSAL, receipt.id)


async def test_a_second_reversal_of_one_movement_is_refused_by_the_store_itself(
    deps: Deps, org: str, admin: Principal, uow_factory: UnitOfWorkFactory
) -> None:
    item, here = await builders.item(deps, admin), await builders.location(deps, admin)
    receipt = await builders.receive(deps, admin, item.id, here.id, 6)
    reversal = await wf.reverse(deps, admin, receipt.id)
    twin = replace(reversal, id=deps.ids.new_id(), lines=())

    async def add_twin() -> None:  # what the use case's lock keeps from happening
        async with uow_factory(org) as uow:
            await uow.movements.add(twin)
            await uow.commit()

    with pytest.raises(AlreadyReversed):
        await add_twin()
