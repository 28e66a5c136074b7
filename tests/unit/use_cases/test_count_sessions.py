"""Count sessions through the use cases: counters count what the snapshot saw, so a sale
during the count is not taken for shrinkage."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

import pytest

from application.principal import Principal
from application.queries.counts import shows_expected
from application.use_cases.base import Deps
from application.use_cases.cancel_count import CancelCount, CancelCountHandler
from application.use_cases.open_count import OpenCount, OpenCountHandler
from application.use_cases.post_count import PostCount, PostCountHandler
from application.use_cases.post_movement import PostMovementHandler
from application.use_cases.record_counts import RecordCounts, RecordCountsHandler
from application.use_cases.ship_transfer import ShipTransfer, ShipTransferHandler
from domain.catalog import Item, Location
from domain.counts import CountSession, CountStatus, ItemCount
from domain.errors import InvalidCountState, NotFound, ReservedStockConflict
from domain.movements import MovementLine, MovementRequest, MovementType, QuantityLine
from domain.transfers import ItemQuantity
from tests.unit.conftest import Given


async def open_count(
    deps: Deps, admin: Principal, here: Location, *items: Item, blind: bool = False
) -> CountSession:
    command = OpenCount(
        location_id=here.id, item_ids=tuple(i.id for i in items) or None, blind=blind
    )
    return (await OpenCountHandler(deps)(admin, command)).value


async def record(
    deps: Deps, who: Principal, session: UUID, *counts: tuple[Item, int]
) -> CountSession:
    lines = tuple(ItemCount(item.id, n) for item, n in counts)
    return await RecordCountsHandler(deps)(who, RecordCounts(session_id=session, lines=lines))


async def post(deps: Deps, admin: Principal, session: UUID) -> CountSession:
    return (await PostCountHandler(deps)(admin, PostCount(session_id=session))).value


async def sell(deps: Deps, who: Principal, item: Item, here: Location, n: int) -> None:
    request = MovementRequest(
        type=MovementType.SHIPMENT, lines=(QuantityLine(item.id, here.id, n),)
    )
    await PostMovementHandler(deps)(who, request)


async def test_a_sale_during_the_count_stays_applied_and_is_not_shrinkage(
    deps: Deps, admin: Principal, member: Principal, given: Given
) -> None:
    item, here = await given.stocked(10)
    session = await open_count(deps, admin, here)
    await sell(deps, member, item, here, 2)  # while the counters walk the aisles
    await record(deps, member, session.id, (item, 10))  # they counted what the snapshot saw

    posted = await post(deps, admin, session.id)

    level = await given.level(item, here)
    assert level is not None and level.on_hand == 8
    movement = given.stored().movements[posted.movement_id or session.id]
    assert (movement.type, movement.count_session_id, movement.lines) == (
        MovementType.COUNT,
        session.id,
        (MovementLine(item.id, here.id, 0, 8),),
    )


async def test_a_shortfall_found_by_the_count_is_applied_on_top_of_later_movements(
    deps: Deps, admin: Principal, member: Principal, given: Given
) -> None:
    item, here = await given.stocked(10)
    session = await open_count(deps, admin, here)
    await given.receive(item, here, 5)
    await record(deps, member, session.id, (item, 7))

    await post(deps, admin, session.id)

    level = await given.level(item, here)
    assert level is not None and level.on_hand == 12  # counted 7 plus the 5 received since


async def test_a_post_below_reserved_is_refused_with_every_position_and_changes_nothing(
    deps: Deps, admin: Principal, member: Principal, given: Given
) -> None:
    item, here = await given.stocked(10)
    other = await given.item()
    await given.receive(other, here, 5)
    await given.reservation(item, here, 6)
    await given.reservation(other, here, 5)
    session = await open_count(deps, admin, here)
    await record(deps, member, session.id, (item, 4), (other, 1))
    before = given.snapshot()

    with pytest.raises(ReservedStockConflict) as refused:
        await post(deps, admin, session.id)

    positions = refused.value.extra["positions"]
    assert sorted(
        (p["item_id"], p["reserved"], p["resulting_on_hand"]) for p in positions
    ) == sorted([(str(item.id), 6, 4), (str(other.id), 5, 1)])
    assert given.stored() == before


async def test_stock_in_transit_is_not_on_hand_and_never_counted(
    deps: Deps, admin: Principal, member: Principal, given: Given
) -> None:
    item, source = await given.stocked(10)
    here = await given.location()
    command = ShipTransfer(
        from_location_id=source.id, to_location_id=here.id, lines=(ItemQuantity(item.id, 4),)
    )
    await ShipTransferHandler(deps)(member, command)
    session = await open_count(deps, admin, here, item)
    assert session.lines[0].expected == 0

    await record(deps, member, session.id, (item, 0))
    await post(deps, admin, session.id)

    level = await given.level(item, here)
    assert level is not None and (level.on_hand, level.incoming) == (0, 4)


async def test_a_blind_session_hides_what_the_books_expect_from_members_only(
    deps: Deps, admin: Principal, member: Principal, given: Given
) -> None:
    _, here = await given.stocked(10)
    blind = await open_count(deps, admin, here, blind=True)
    open_ = await open_count(deps, admin, here)

    assert not shows_expected(member, blind)
    assert shows_expected(admin, blind)
    assert shows_expected(member, open_)


async def test_nothing_counted_cannot_be_posted_and_a_cancelled_session_applies_nothing(
    deps: Deps, admin: Principal, member: Principal, given: Given
) -> None:
    item, here = await given.stocked(10)
    session = await open_count(deps, admin, here)
    with pytest.raises(InvalidCountState):
        await post(deps, admin, session.id)
    await record(deps, member, session.id, (item, 1))

    cancelled = (await CancelCountHandler(deps)(admin, CancelCount(session_id=session.id))).value

    assert cancelled.status is CountStatus.CANCELLED
    level = await given.level(item, here)
    assert level is not None and level.on_hand == 10
    with pytest.raises(InvalidCountState):
        await record(deps, member, session.id, (item, 2))


async def test_counting_an_unknown_item_or_at_an_unknown_location_is_not_found(
    deps: Deps, admin: Principal, member: Principal, given: Given
) -> None:
    item, here = await given.stocked(10)
    session = await open_count(deps, admin, here)
    stranger = replace(item, id=UUID(int=1))

    with pytest.raises(NotFound):
        await record(deps, member, session.id, (stranger, 1))
    with pytest.raises(NotFound):
        await OpenCountHandler(deps)(admin, OpenCount(location_id=UUID(int=2)))
