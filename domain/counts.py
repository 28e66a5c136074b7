"""Count sessions: a stocktake of one location that takes hours while stock keeps moving.

Opening a session snapshots what the books say (each item's on_hand there: ``expected``).
Counters record what they count, as often as they like (the last value wins). Posting moves
each counted position by counted minus expected, so every movement since the snapshot stays
applied: a sale during the count is not taken for shrinkage.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from domain import rules
from domain.errors import InvalidCountState, ValidationFailed, VersionMismatch
from domain.movements import LotRef
from domain.stock import LevelKey, Recount, StockChange

MAX_LINES = 500


class CountStatus(StrEnum):
    """``open`` until posted or cancelled."""

    OPEN = "open"
    POSTED = "posted"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class CountSessionLine:
    """One position of a session: an item, or a lot of a lot-tracked item (``lot_id``, ADR
    0032); what the books said at the snapshot, and what was counted."""

    item_id: UUID
    expected: int
    counted: int | None = None
    counted_by: str | None = None
    counted_at: datetime | None = None
    lot_id: UUID | None = None
    lot_code: str | None = None

    @property
    def position(self) -> tuple[UUID, UUID | None]:
        return (self.item_id, self.lot_id)


@dataclass(frozen=True, slots=True)
class ItemCount:
    """A counted quantity of one item, as a counter submits it; of a lot-tracked item, of the
    lot it names (``lot``), which the use case resolves into ``lot_id`` and ``lot_code``."""

    item_id: UUID
    counted: int
    lot: LotRef | None = None
    lot_id: UUID | None = None
    lot_code: str | None = None

    @property
    def position(self) -> tuple[UUID, UUID | None]:
        return (self.item_id, self.lot_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class CountSession:
    """A count of one location: of the items listed when it opened (``listed``), or of all
    the items there; its lines are distinct items in the order they joined."""

    id: UUID
    location_id: UUID
    status: CountStatus
    blind: bool
    listed: bool
    reference: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    version: int
    movement_id: UUID | None
    lines: tuple[CountSessionLine, ...]

    @classmethod
    def open(
        cls,
        *,
        id: UUID,
        location_id: UUID,
        snapshot: Mapping[UUID, int],
        item_ids: tuple[UUID, ...] | None,
        blind: bool,
        reference: str | None,
        created_by: str,
        now: datetime,
    ) -> CountSession:
        """A session over ``snapshot`` (on_hand per item at the location, as the books say
        now): the listed items (absent ones expect 0), or every item there."""
        if item_ids is not None:
            if not 1 <= len(item_ids) <= MAX_LINES:
                raise ValidationFailed(f"list 1 to {MAX_LINES} items", field="item_ids")
            if len(set(item_ids)) != len(item_ids):
                raise ValidationFailed("each item may appear once", field="item_ids")
        elif len(snapshot) > MAX_LINES:
            raise ValidationFailed(
                f"the location holds more than {MAX_LINES} items; count it in parts (item_ids)",
                field="item_ids",
            )
        items = item_ids if item_ids is not None else tuple(sorted(snapshot, key=str))
        return cls(
            id=id,
            location_id=location_id,
            status=CountStatus.OPEN,
            blind=blind,
            listed=item_ids is not None,
            reference=rules.optional_text(reference, "reference", rules.MAX_REFERENCE),
            created_by=created_by,
            created_at=now,
            updated_at=now,
            version=1,
            movement_id=None,
            lines=tuple(CountSessionLine(item, snapshot.get(item, 0)) for item in items),
        )

    def check_version(self, expected: Collection[int] | None) -> None:
        """Refuse a change made against a stale version: unless ``expected`` is None (no
        If-Match, or ``*``), the current version must be one of those it names."""
        if expected is not None and self.version not in expected:
            raise VersionMismatch(
                f"the current version is {self.version}, not one that If-Match names",
                current_version=self.version,
            )

    def record(
        self,
        counts: tuple[ItemCount, ...],
        by: str,
        now: datetime,
        lot_snapshot: Mapping[UUID, int] | None = None,
    ) -> CountSession:
        """Record counted quantities (a later count of an item replaces an earlier one). A
        session of all items takes items it did not list: the books expected none there.
        A lot's first count snapshots its position: ``lot_snapshot``, what each lot held at
        the location as the books said then (absent: none); a listed session takes lots of
        its listed items (ADR 0032)."""
        self._ensure_open()
        if not 1 <= len(counts) <= MAX_LINES:
            raise ValidationFailed(f"a request records 1 to {MAX_LINES} lines", field="lines")
        if len({c.position for c in counts}) != len(counts):
            raise ValidationFailed("each item (and lot) may appear once", field="lines")
        lines = {line.position: line for line in self.lines}
        listed = {line.item_id for line in self.lines}
        for count in counts:
            rules.non_negative(count.counted, "counted")
            line = lines.get(count.position)
            if line is None and self.listed and count.item_id not in listed:
                raise ValidationFailed(
                    f"item {count.item_id} is not part of this count", field="lines"
                )
            if line is None and count.lot_id is not None:
                expected = (lot_snapshot or {}).get(count.lot_id, 0)
                line = CountSessionLine(
                    count.item_id, expected, lot_id=count.lot_id, lot_code=count.lot_code
                )
            line = line or CountSessionLine(count.item_id, 0)
            lines[count.position] = replace(
                line, counted=count.counted, counted_by=by, counted_at=now
            )
        if len(lines) > MAX_LINES:
            raise ValidationFailed(f"a count holds at most {MAX_LINES} items", field="lines")
        return self._changed(tuple(lines.values()), now)

    def ensure_open(self) -> None:
        """409 ``invalid_count_state`` unless the session is open (before any lot is read)."""
        self._ensure_open()

    def posting_lots(self) -> list[UUID | None]:
        """The lot of each posting step (aligned with ``posting_steps``; None: no lot)."""
        return [line.lot_id for line in self.lines if line.counted is not None]

    def posting_steps(self) -> list[tuple[LevelKey, StockChange]]:
        """Per counted line: on_hand moves by counted minus expected. Nothing counted: 409."""
        self._ensure_open()
        steps: list[tuple[LevelKey, StockChange]] = [
            (LevelKey(line.item_id, self.location_id), Recount(line.counted - line.expected))
            for line in self.lines
            if line.counted is not None
        ]
        if not steps:
            raise InvalidCountState("nothing has been counted; record counts or cancel")
        return steps

    def post(self, movement_id: UUID, now: datetime) -> CountSession:
        """The session once its count movement is written."""
        self._ensure_open()
        posted = self._changed(self.lines, now)
        return replace(posted, status=CountStatus.POSTED, movement_id=movement_id)

    def cancel(self, now: datetime) -> CountSession:
        """Discard the session; nothing it counted is applied."""
        self._ensure_open()
        return replace(self._changed(self.lines, now), status=CountStatus.CANCELLED)

    def _changed(self, lines: tuple[CountSessionLine, ...], now: datetime) -> CountSession:
        return replace(self, lines=lines, version=self.version + 1, updated_at=now)

    def _ensure_open(self) -> None:
        if self.status is not CountStatus.OPEN:
            raise InvalidCountState(
                f"count {self.id} is {self.status.value}", status=self.status.value
            )
