"""Reservation lifecycle: create, release, fulfil, extend, expire and the as-of view."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.errors import InvalidTransition, ValidationFailed
from domain.reservations import (
    MAX_TTL_SECONDS,
    LineQuantity,
    Reservation,
    ReservationLine,
    ReservationStatus,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ITEM, HERE, THERE = uuid4(), uuid4(), uuid4()
A, B = LineQuantity(ITEM, HERE, 6), LineQuantity(ITEM, THERE, 4)


def a_reservation(*lines: LineQuantity, ttl_seconds: int | None = None) -> Reservation:
    return Reservation.create(
        id=uuid4(),
        reference=" order-1 ",
        lines=lines or (A, B),
        ttl_seconds=ttl_seconds,
        created_by="user_1",
        now=NOW,
    )


def at(seconds: int) -> datetime:
    return NOW + timedelta(seconds=seconds)


def assert_lines_add_up(reservation: Reservation) -> None:
    for line in reservation.lines:
        assert line.quantity == line.open + line.fulfilled + line.released
        assert min(line.open, line.fulfilled, line.released) >= 0


def test_a_new_reservation_is_active_and_holds_every_line_open() -> None:
    reservation = a_reservation(ttl_seconds=60)

    assert reservation.status is ReservationStatus.ACTIVE
    assert (reservation.reference, reservation.version, reservation.expires_at) == (
        "order-1",
        1,
        at(60),
    )
    assert [(line.quantity, line.open) for line in reservation.lines] == [(6, 6), (4, 4)]


def test_without_a_ttl_a_reservation_never_expires() -> None:
    reservation = a_reservation()

    assert reservation.expires_at is None
    assert not reservation.is_expired(at(10 * MAX_TTL_SECONDS))


@pytest.mark.parametrize("lines", [(), (A, A), (LineQuantity(ITEM, HERE, 0),)])
def test_a_reservation_needs_distinct_lines_with_positive_quantities(
    lines: tuple[LineQuantity, ...],
) -> None:
    with pytest.raises(ValidationFailed):
        Reservation.create(
            id=uuid4(), reference=None, lines=lines, ttl_seconds=None, created_by="u", now=NOW
        )


@pytest.mark.parametrize("ttl", [0, -5, MAX_TTL_SECONDS + 1, True])
def test_a_ttl_must_be_between_one_second_and_the_maximum(ttl: int) -> None:
    with pytest.raises(ValidationFailed):
        a_reservation(ttl_seconds=ttl)


def test_a_partial_release_keeps_it_active_and_a_full_one_makes_it_released() -> None:
    partly = a_reservation().release((LineQuantity(ITEM, HERE, 2),), at(1))

    assert partly.status is ReservationStatus.ACTIVE
    assert (partly.lines[0].released, partly.lines[0].open, partly.version) == (2, 4, 2)
    done = partly.release(None, at(2))
    assert done.status is ReservationStatus.RELEASED
    assert [line.released for line in done.lines] == [6, 4]
    assert_lines_add_up(done)


def test_fulfilling_what_is_left_after_a_partial_release_makes_it_fulfilled() -> None:
    partly = a_reservation().release((LineQuantity(ITEM, HERE, 2),), at(1))

    done = partly.fulfil(None, at(2))

    assert done.status is ReservationStatus.FULFILLED
    assert [(line.fulfilled, line.released) for line in done.lines] == [(4, 2), (4, 0)]
    assert_lines_add_up(done)


def test_it_ends_fulfilled_when_anything_shipped_even_if_a_line_was_released() -> None:
    one_line_released = a_reservation().release((B,), at(1))

    done = one_line_released.fulfil(None, at(2))

    assert done.status is ReservationStatus.FULFILLED
    assert [(line.fulfilled, line.released) for line in done.lines] == [(6, 0), (0, 4)]


def test_settling_more_than_is_open_or_an_unknown_line_is_refused() -> None:
    reservation = a_reservation()

    with pytest.raises(InvalidTransition) as refused:
        reservation.fulfil((LineQuantity(ITEM, HERE, 7),), at(1))
    assert refused.value.extra["open"] == 6
    with pytest.raises(InvalidTransition):
        reservation.release((LineQuantity(uuid4(), HERE, 1),), at(1))


@pytest.mark.parametrize("settle", ["release", "fulfil"])
def test_an_empty_list_of_parts_is_refused_rather_than_settling_nothing(settle: str) -> None:
    # None means "everything open"; an empty list names nothing and must not bump the version.
    with pytest.raises(ValidationFailed):
        getattr(a_reservation(), settle)((), at(1))


def test_parts_naming_the_same_line_twice_add_up() -> None:
    with pytest.raises(InvalidTransition):
        a_reservation().release((LineQuantity(ITEM, HERE, 4), LineQuantity(ITEM, HERE, 3)), at(1))


@pytest.mark.parametrize("settle", ["release", "fulfil"])
def test_terminal_states_are_final(settle: str) -> None:
    done = getattr(a_reservation(), settle)(None, at(1))

    for change in (
        lambda r: r.release(None, at(2)),
        lambda r: r.fulfil(None, at(2)),
        lambda r: r.extend(60, at(2)),
    ):
        with pytest.raises(InvalidTransition):
            change(done)


def test_extending_holds_until_now_plus_ttl() -> None:
    extended = a_reservation(ttl_seconds=60).extend(600, at(30))

    assert (extended.expires_at, extended.version, extended.updated_at) == (at(630), 2, at(30))
    assert not extended.is_expired(at(629))


def test_an_expired_reservation_cannot_be_extended_released_or_fulfilled() -> None:
    reservation = a_reservation(ttl_seconds=60)

    for change in (
        lambda r: r.extend(60, at(60)),
        lambda r: r.release(None, at(61)),
        lambda r: r.fulfil(None, at(60)),
    ):
        with pytest.raises(InvalidTransition):
            change(reservation)


def test_as_of_after_expiry_reports_expired_with_the_open_part_released() -> None:
    partly = a_reservation(ttl_seconds=60).fulfil((LineQuantity(ITEM, HERE, 1),), at(10))

    assert partly.as_of(at(59)) is partly
    view = partly.as_of(at(60))

    assert view.status is ReservationStatus.EXPIRED
    assert [(line.fulfilled, line.released, line.open) for line in view.lines] == [
        (1, 5, 0),
        (0, 4, 0),
    ]
    assert_lines_add_up(view)


def test_expire_marks_it_expired_and_settled_parts_tell_what_to_give_back() -> None:
    before = a_reservation(ttl_seconds=60)

    with pytest.raises(InvalidTransition):
        before.expire(at(59))
    after = before.expire(at(60))

    assert (after.status, after.version) == (ReservationStatus.EXPIRED, 2)
    assert after.settled_parts(before) == [
        LineQuantity(ITEM, HERE, 6),
        LineQuantity(ITEM, THERE, 4),
    ]


def test_a_line_reports_what_is_still_open() -> None:
    assert ReservationLine(ITEM, HERE, 10, fulfilled=3, released=2).open == 5


def test_a_reservation_expires_at_its_expires_at_itself_not_a_moment_later() -> None:
    reservation = a_reservation(ttl_seconds=60)

    assert not reservation.is_expired(at(59))
    assert reservation.is_expired(at(60)) and reservation.is_expired_unmarked(at(60))


def test_expired_holds_are_the_open_lines_until_the_expiry_job_marks_it() -> None:
    reservation = a_reservation(ttl_seconds=60).release((LineQuantity(ITEM, THERE, 4),), at(1))

    assert reservation.expired_holds(at(59)) == ()
    assert [(h.location_id, h.open) for h in reservation.expired_holds(at(60))] == [(HERE, 6)]
    marked = reservation.expire(at(60))
    assert marked.is_expired(at(60)) and not marked.is_expired_unmarked(at(60))
    assert marked.expired_holds(at(60)) == ()


@pytest.mark.parametrize("change", ["release", "fulfil", "extend"])
def test_an_active_reservation_with_nothing_open_is_settled_or_extended_by_nobody(
    change: str,
) -> None:
    # What a header that says active while its lines were all given back looks like; nothing
    # may act on it as though it still held stock.
    hollow = replace(
        a_reservation(ttl_seconds=60),
        lines=tuple(replace(line, released=line.quantity) for line in a_reservation().lines),
    )

    act = {
        "release": lambda: hollow.release(None, at(1)),
        "fulfil": lambda: hollow.fulfil(None, at(1)),
        "extend": lambda: hollow.extend(60, at(1)),
    }[change]
    with pytest.raises(InvalidTransition):
        act()
