"""Count session rules: a snapshot, counts recorded against it, a post of the differences."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from domain.counts import MAX_LINES, CountSession, CountStatus, ItemCount
from domain.errors import InvalidCountState, ValidationFailed
from domain.stock import LevelKey, Recount

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
A, B, C = sorted((uuid4(), uuid4(), uuid4()), key=str)
HERE = uuid4()


def opened(snapshot: dict[UUID, int], item_ids: tuple[UUID, ...] | None = None) -> CountSession:
    return CountSession.open(
        id=uuid4(),
        location_id=HERE,
        snapshot=snapshot,
        item_ids=item_ids,
        blind=False,
        reference=None,
        created_by="admin",
        now=NOW,
    )


def test_a_count_of_all_items_expects_what_the_snapshot_holds() -> None:
    session = opened({B: 4, A: 10})

    assert [(line.item_id, line.expected, line.counted) for line in session.lines] == [
        (A, 10, None),
        (B, 4, None),
    ]
    assert (session.status, session.listed) == (CountStatus.OPEN, False)


def test_a_listed_item_without_stock_there_expects_zero() -> None:
    session = opened({A: 10}, item_ids=(C, A))

    assert [(line.item_id, line.expected) for line in session.lines] == [(C, 0), (A, 10)]


def test_a_location_with_too_many_items_is_counted_in_parts() -> None:
    with pytest.raises(ValidationFailed) as refused:
        opened({uuid4(): 1 for _ in range(MAX_LINES + 1)})
    assert refused.value.extra["field"] == "item_ids"


def test_the_last_count_of_an_item_wins() -> None:
    session = opened({A: 10})

    once = session.record((ItemCount(A, 7),), "u1", NOW)
    twice = once.record((ItemCount(A, 9),), "u2", NOW)

    assert (twice.lines[0].counted, twice.lines[0].counted_by) == (9, "u2")
    assert twice.version == 3


def test_a_count_of_all_items_takes_an_item_found_there_expecting_none() -> None:
    session = opened({A: 10}).record((ItemCount(B, 2),), "u", NOW)

    assert [(line.item_id, line.expected, line.counted) for line in session.lines] == [
        (A, 10, None),
        (B, 0, 2),
    ]


def test_a_listed_count_refuses_an_item_it_does_not_list() -> None:
    with pytest.raises(ValidationFailed):
        opened({A: 10}, item_ids=(A,)).record((ItemCount(B, 2),), "u", NOW)


def test_posting_moves_each_counted_line_by_counted_minus_expected() -> None:
    session = opened({A: 10, B: 4}).record((ItemCount(A, 7), ItemCount(C, 1)), "u", NOW)

    assert session.posting_steps() == [
        (LevelKey(A, HERE), Recount(-3)),
        (LevelKey(C, HERE), Recount(1)),
    ]


def test_nothing_counted_cannot_be_posted() -> None:
    with pytest.raises(InvalidCountState):
        opened({A: 10}).posting_steps()


@pytest.mark.parametrize("end", ["post", "cancel"])
def test_an_ended_session_takes_no_further_change(end: str) -> None:
    session = opened({A: 10}).record((ItemCount(A, 7),), "u", NOW)
    ended = session.post(uuid4(), NOW) if end == "post" else session.cancel(NOW)

    for change in (
        lambda: ended.record((ItemCount(A, 1),), "u", NOW),
        ended.posting_steps,
        lambda: ended.cancel(NOW),
    ):
        with pytest.raises(InvalidCountState):
            change()
