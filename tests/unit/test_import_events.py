"""What an import announces for the holds past expiry it released (application/import_events)."""

from __future__ import annotations

from uuid import UUID

from application.import_events import released_only
from domain.stock import LevelKey

R1, R2, R3 = (UUID(int=n) for n in (1, 2, 3))
A, B, C = (LevelKey(UUID(int=10 + n), UUID(int=20)) for n in range(3))


def test_levels_the_rows_touch_are_left_to_the_import_own_events() -> None:
    lines = [(R2, A, 3), (R1, B, 2), (R2, B, 4), (R3, C, 1)]

    only = released_only(lines, imported={C})

    assert only == {A: (3, R2), B: (6, R1)}  # summed per level, the first reservation by id


def test_nothing_released_elsewhere_is_nothing_to_announce() -> None:
    assert released_only([(R1, A, 2)], imported={A}) == {}
    assert released_only([], imported=set()) == {}
