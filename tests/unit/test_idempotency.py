"""Idempotency keys: a replay returns the first result and applies nothing twice."""

from __future__ import annotations

import pytest

from adapters.clock import ManualClock
from application.errors import IdempotencyKeyReused
from application.idempotency import Outcome
from application.principal import Principal
from application.use_cases.base import Deps
from application.use_cases.create_item import CreateItem, CreateItemHandler
from application.use_cases.create_location import CreateLocation, CreateLocationHandler
from application.use_cases.create_reservation import CreateReservation, CreateReservationHandler
from application.use_cases.fulfil_reservation import FulfilReservationHandler
from application.use_cases.post_movement import PostMovementHandler
from application.use_cases.settle_reservation import SettleReservation
from domain.errors import InsufficientStock, ValidationFailed
from domain.movements import MovementRequest, MovementType, QuantityLine
from domain.reservations import LineQuantity
from tests.unit.conftest import Given, new_org_id, principal


async def test_the_same_receipt_posted_twice_with_one_key_is_applied_once(
    deps: Deps, member: Principal, given: Given, clock: ManualClock
) -> None:
    item, location = await given.item(), await given.location()
    request = MovementRequest(
        type=MovementType.RECEIPT, lines=(QuantityLine(item.id, location.id, 5),)
    )
    post = PostMovementHandler(deps)

    first = await post(member, request, "receipt-1")
    clock.advance(30)
    second = await post(member, request, "receipt-1")

    assert (first.replayed, second.replayed) == (False, True)
    assert second.value == first.value
    assert len(given.stored().movements) == 1
    assert (await given.level(item, location)).on_hand == 5  # type: ignore[union-attr]


async def test_a_replayed_fulfilment_returns_the_same_shipment_and_ships_once(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, location = await given.stocked(10)
    reservation = await given.reservation(item, location, 4)
    fulfil = FulfilReservationHandler(deps)
    command = SettleReservation(
        reservation_id=reservation.id, lines=(LineQuantity(item.id, location.id, 2),)
    )

    first = await fulfil(member, command, "ship-1")
    second = await fulfil(member, command, "ship-1")

    assert second.replayed
    assert second.value == first.value
    level = await given.level(item, location)
    assert level is not None
    assert (level.on_hand, level.reserved) == (8, 2)


async def test_replays_return_an_equal_location_and_reservation(
    deps: Deps, admin: Principal, given: Given
) -> None:
    command = CreateLocation(code="WH-9", name="Ninth")
    location = await CreateLocationHandler(deps)(admin, command, "loc-1")
    assert await CreateLocationHandler(deps)(admin, command, "loc-1") == Outcome(
        location.value, True
    )
    item = await given.item()
    await given.receive(item, location.value, 5)
    hold = CreateReservation(lines=(LineQuantity(item.id, location.value.id, 2),), ttl_seconds=60)

    first = await CreateReservationHandler(deps)(admin, hold, "hold-1")
    second = await CreateReservationHandler(deps)(admin, hold, "hold-1")

    assert second == Outcome(first.value, replayed=True)
    assert (await given.level(item, location.value)).reserved == 2  # type: ignore[union-attr]


async def test_a_key_reused_with_a_different_command_is_refused_and_changes_nothing(
    deps: Deps, admin: Principal, given: Given
) -> None:
    await CreateItemHandler(deps)(admin, CreateItem(sku="A-1", name="One"), "key-1")
    before = given.snapshot()

    with pytest.raises(IdempotencyKeyReused) as refused:
        await CreateItemHandler(deps)(admin, CreateItem(sku="A-2", name="Two"), "key-1")

    assert refused.value.code == "idempotency_key_reused"
    assert given.snapshot() == before


async def test_a_key_reused_for_another_operation_is_refused(deps: Deps, admin: Principal) -> None:
    await CreateItemHandler(deps)(admin, CreateItem(sku="A-1", name="One"), "key-1")

    with pytest.raises(IdempotencyKeyReused):
        await CreateLocationHandler(deps)(admin, CreateLocation(code="A-1", name="One"), "key-1")


async def test_without_a_key_the_same_command_is_applied_each_time(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, location = await given.stocked(10)
    command = CreateReservation(lines=(LineQuantity(item.id, location.id, 3),))

    first = await CreateReservationHandler(deps)(member, command)
    second = await CreateReservationHandler(deps)(member, command)

    assert first.value.id != second.value.id
    assert (await given.level(item, location)).reserved == 6  # type: ignore[union-attr]


@pytest.mark.parametrize("key", ["k" * 256, "", "tab\tkey", "new\nline"])
async def test_a_key_that_is_too_long_empty_or_unprintable_is_refused(
    deps: Deps, admin: Principal, given: Given, key: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await CreateItemHandler(deps)(admin, CreateItem(sku="A-1", name="One"), key)

    assert refused.value.extra["field"] == "Idempotency-Key"
    assert given.stored().items == {}


async def test_a_key_of_255_characters_is_accepted(deps: Deps, admin: Principal) -> None:
    outcome = await CreateItemHandler(deps)(admin, CreateItem(sku="A-1", name="One"), "k" * 255)

    assert outcome.replayed is False


async def test_keys_are_scoped_per_org(deps: Deps, admin: Principal, given: Given) -> None:
    other_admin = principal(new_org_id(), "admin")
    command = CreateItem(sku="A-1", name="One")

    mine = await CreateItemHandler(deps)(admin, command, "shared-key")
    theirs = await CreateItemHandler(deps)(other_admin, command, "shared-key")

    assert not theirs.replayed
    assert theirs.value.id != mine.value.id
    assert other_admin.org_id is not None
    assert list(given.db.state(other_admin.org_id).items) == [theirs.value.id]


async def test_a_failed_request_leaves_its_key_free_for_a_retry(
    deps: Deps, member: Principal, given: Given
) -> None:
    item, location = await given.item(), await given.location()
    command = CreateReservation(lines=(LineQuantity(item.id, location.id, 3),))
    with pytest.raises(InsufficientStock):
        await CreateReservationHandler(deps)(member, command, "hold-1")
    await given.receive(item, location, 3)

    retried = await CreateReservationHandler(deps)(member, command, "hold-1")

    assert retried.replayed is False
    assert (await given.level(item, location)).reserved == 3  # type: ignore[union-attr]


def test_a_command_naming_a_set_of_versions_has_one_fingerprint_whatever_the_set_order() -> None:
    from dataclasses import dataclass

    from application import codec

    @dataclass(frozen=True)
    class Versioned:
        versions: frozenset[int] | None

    first = codec.fingerprint("op", Versioned(frozenset({3, 1, 2})))
    again = codec.fingerprint("op", Versioned(frozenset({2, 3, 1})))

    assert first == again
    assert codec.decode(Versioned, codec.encode(Versioned(frozenset({1, 2})))) == Versioned(
        frozenset({1, 2})
    )
