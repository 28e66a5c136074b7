"""The derived stock signals: low below the reorder point, out at zero, restocked from zero."""

from __future__ import annotations

import pytest

from domain.events import EventType, stock_signals

LOW, OUT, RESTOCKED = (
    EventType.STOCK_LEVEL_LOW,
    EventType.STOCK_LEVEL_OUT,
    EventType.STOCK_LEVEL_RESTOCKED,
)


@pytest.mark.parametrize(
    ("before", "after", "reorder_point", "signals"),
    [
        (10, 5, 5, ()),  # at the reorder point is not below it
        (5, 4, 5, (LOW,)),  # crossing below
        (4, 3, 5, ()),  # already below: no second signal
        (6, 0, 5, (LOW, OUT)),
        (3, 0, None, (OUT,)),
        (0, 0, None, ()),  # a count that changes nothing available
        (0, 2, 5, (RESTOCKED,)),  # restocked, still below the reorder point
        (0, 9, 5, (RESTOCKED,)),
        (2, 9, 5, ()),
        (5, 0, 0, (OUT,)),  # a reorder point of 0: available never goes below it
    ],
)
def test_signals_follow_available_stock_across_thresholds(
    before: int, after: int, reorder_point: int | None, signals: tuple[EventType, ...]
) -> None:
    assert stock_signals(before, after, reorder_point) == signals
